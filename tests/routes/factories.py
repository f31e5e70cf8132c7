"""Route test data: lines built geodesically around the Haute-Ville, POIs on them, routes via the service."""

from __future__ import annotations

from itertools import pairwise

from pyproj import Geod

from tests.factories import make_poi

GEOD = Geod(ellps="WGS84")
ORIGIN = (1.6000, 50.7300)  # lon, lat, between the port and the Haute-Ville


def geodesic_m(lon1: float, lat1: float, lon2: float, lat2: float) -> float:
    """Independent geodesic distance (pyproj, WGS84)."""
    return GEOD.inv(lon1, lat1, lon2, lat2)[2]


def offset(lon: float, lat: float, azimuth_deg: float, distance_m: float) -> tuple[float, float]:
    """The point `distance_m` from (lon, lat) towards `azimuth_deg`."""
    lon2, lat2, _ = GEOD.fwd(lon, lat, azimuth_deg, distance_m)
    return lon2, lat2


def polyline_length_m(coordinates) -> float:
    """Sum of the geodesic lengths of the segments, pair by pair (no shared code with the service)."""
    return sum(geodesic_m(*a, *b) for a, b in pairwise(coordinates))


def walk(start=ORIGIN, legs=((90, 1000), (0, 1000), (270, 1000))) -> list[list[float]]:
    """A polyline from `start` following (azimuth, metres) legs: by default east, north, west (a U)."""
    points = [list(start)]
    for azimuth, distance in legs:
        points.append(list(offset(*points[-1], azimuth, distance)))
    return points


def square_loop(start=ORIGIN, side_m: float = 1000) -> list[list[float]]:
    """A closed square loop (east, north, west, south) whose last point is exactly the first."""
    points = walk(start, ((90, side_m), (0, side_m), (270, side_m)))
    return [*points, list(points[0])]


def route_feature(coordinates, geometry_type: str = "LineString", **properties) -> dict:
    """A valid route Feature body; keyword arguments override properties."""
    props = {
        "name": {"fr": "Balade d'essai", "en": "Test walk", "de": "Testweg"},
        "summary": {"fr": "Une balade pour les tests."},
        "theme": "maritime",
        "kind": "walk",
        "difficulty": "easy",
        "status": "published",
    }
    props.update(properties)
    return {
        "type": "Feature",
        "geometry": {"type": geometry_type, "coordinates": coordinates},
        "properties": props,
    }


def make_route(coordinates, geometry_type: str = "LineString", **properties):
    """Create a route through the service (as the seed and back office do)."""
    from urbanpulse.editing.actor import Actor
    from urbanpulse.routes.service import create_route_from_feature

    feature = route_feature(coordinates, geometry_type, **properties)
    return create_route_from_feature(feature, actor=Actor.system("test"))


def pois_at(points, prefix: str = "Arrêt", **properties) -> list:
    """One published POI at each (lon, lat), named 'Arrêt 1', 'Arrêt 2'..."""
    return [
        make_poi(lon, lat, name={"fr": f"{prefix} {i}", "en": f"Stop {i}"}, **properties)
        for i, (lon, lat) in enumerate(points, start=1)
    ]


def stops_for(pois, **extra) -> list[dict]:
    """Stop bodies naming each POI by id."""
    return [{"poi_id": str(poi.id), **extra} for poi in pois]
