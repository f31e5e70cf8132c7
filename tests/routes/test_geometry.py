"""Line validation, lengths, locating points and simplification, against independent pyproj computations."""

import json
import math
import random
from itertools import pairwise

import numpy as np
import pytest
from marshmallow import ValidationError

from tests.routes.factories import GEOD, ORIGIN, geodesic_m, offset, polyline_length_m, square_loop, walk
from urbanpulse.core.errors import flatten_validation_messages
from urbanpulse.routes.geometry import RouteLine, close_loop, loop_gap_m, parse_line, to_geojson
from urbanpulse.runtime.seeding import SEEDS_DIR


def seed_routes():
    return json.loads((SEEDS_DIR / "routes.geojson").read_text())["features"]


def brute_force(coordinates, lon, lat, step_m=0.5):
    """Nearest point by sampling every segment along its geodesic: (along_m, offset_m)."""
    best = (math.inf, 0.0)
    start = 0.0
    for (lon1, lat1), (lon2, lat2) in pairwise(coordinates):
        length = geodesic_m(lon1, lat1, lon2, lat2)
        n = max(1, int(length / step_m))
        samples = [(lon1, lat1), *GEOD.npts(lon1, lat1, lon2, lat2, n - 1), (lon2, lat2)]
        lons, lats = np.array(samples).T
        _, _, distances = GEOD.inv(np.full(len(lons), lon), np.full(len(lats), lat), lons, lats)
        i = int(np.argmin(distances))
        if distances[i] < best[0] - 1e-9:
            best = (float(distances[i]), start + length * i / (len(samples) - 1))
        start += length
    return best[1], best[0]


@pytest.mark.parametrize("feature", seed_routes(), ids=lambda f: f["properties"]["slug"])
def test_seed_route_lengths_match_an_independent_geodesic_sum(feature):
    coordinates = feature["geometry"]["coordinates"]
    line = RouteLine(parse_line(feature["geometry"]))
    expected = polyline_length_m(coordinates)
    assert abs(line.length_m - expected) / expected < 0.001
    assert line.length_m == pytest.approx(expected, rel=1e-9)


def test_length_is_geodesic_metres_not_degrees():
    # 1000 m east at 50.73°N is 0.0142° of longitude; a planar length in degrees is nowhere near it.
    line = RouteLine(parse_line({"type": "LineString", "coordinates": walk(legs=((90, 1000),))}))
    assert line.length_m == pytest.approx(1000, rel=1e-9)


def test_multilinestring_length_is_the_sum_of_its_parts_without_the_gap():
    first, second = walk(legs=((90, 800),)), walk(start=offset(*ORIGIN, 0, 500), legs=((90, 700),))
    line = RouteLine(parse_line({"type": "MultiLineString", "coordinates": [first, second]}))
    assert line.length_m == pytest.approx(1500, rel=1e-9)
    end = line.locate(*second[-1])
    assert end.along_m == pytest.approx(line.length_m, abs=1e-6)
    assert line.locate(*second[0]).along_m == pytest.approx(800, abs=0.01)


@pytest.mark.parametrize("feature", seed_routes(), ids=lambda f: f["properties"]["slug"])
def test_locating_matches_brute_force_geodesic_search(feature):
    coordinates = feature["geometry"]["coordinates"]
    line = RouteLine(parse_line(feature["geometry"]))
    rng = random.Random(feature["properties"]["slug"])
    for _ in range(6):
        i = rng.randrange(len(coordinates) - 1)
        lon, lat = coordinates[i]
        az = GEOD.inv(*coordinates[i], *coordinates[i + 1])[0]
        along_seg = rng.uniform(0, geodesic_m(*coordinates[i], *coordinates[i + 1]))
        point = offset(*offset(lon, lat, az, along_seg), az + rng.choice((-90, 90)), rng.uniform(0, 150))
        location = line.locate(*point)
        along, distance = brute_force(coordinates, *point)
        assert location.offset_m == pytest.approx(distance, abs=0.3)
        assert location.along_m == pytest.approx(along, abs=max(0.6, along * 0.001))
        assert geodesic_m(*point, location.lon, location.lat) == pytest.approx(location.offset_m, abs=1e-6)


def test_ends_of_the_line_are_at_zero_and_at_its_length():
    coordinates = walk()
    line = RouteLine(parse_line({"type": "LineString", "coordinates": coordinates}))
    assert line.locate(*coordinates[0]).along_m == 0
    assert line.locate(*coordinates[-1]).along_m == line.length_m
    beyond = offset(*coordinates[-1], 270, 300)
    past_end = line.locate(*beyond)
    assert past_end.along_m == line.length_m and past_end.offset_m == pytest.approx(300, abs=0.01)


def test_locate_after_a_location_only_looks_ahead():
    # An out-and-back: the same point is passed at 400 m and at 1600 m.
    coordinates = walk(legs=((90, 1000), (270, 1000)))
    line = RouteLine(parse_line({"type": "LineString", "coordinates": coordinates}))
    point = offset(*ORIGIN, 90, 400)
    first = line.locate(*point)
    assert first.along_m == pytest.approx(400, abs=0.01)
    again = line.locate(*point, after=line.locate(*coordinates[1]))
    assert again.along_m == pytest.approx(1600, abs=0.01)


def test_loop_closing_joins_near_ends_and_measures_the_gap():
    loop = square_loop()
    open_loop = [*loop[:-1], list(offset(*loop[0], 180, 20))]
    assert loop_gap_m([open_loop]) == pytest.approx(20, abs=0.01)
    closed = close_loop([[tuple(p) for p in open_loop]])
    assert closed[0][-1] == tuple(loop[0]) and len(closed[0]) == len(open_loop) + 1
    assert close_loop([[tuple(p) for p in loop]])[0] == [tuple(p) for p in loop]


def test_simplify_keeps_every_vertex_within_the_tolerance_and_the_ends():
    rng = random.Random(3)
    coordinates = [list(ORIGIN)]
    for _ in range(300):
        coordinates.append(list(offset(*coordinates[-1], 45 + rng.uniform(-40, 40), rng.uniform(5, 15))))
    line = RouteLine(parse_line({"type": "LineString", "coordinates": coordinates}))
    for tolerance in (5, 25, 100):
        simplified = line.simplified(tolerance)[0]
        assert 2 <= len(simplified) < len(coordinates)
        assert simplified[0] == tuple(coordinates[0]) and simplified[-1] == tuple(coordinates[-1])
        coarse = RouteLine([simplified])
        worst = max(coarse.locate(*p).offset_m for p in coordinates)
        assert worst <= tolerance * 1.001 + 0.01


def messages_of(error: ValidationError) -> dict:
    return {e["field"]: e["messages"] for e in flatten_validation_messages({"json": error.messages})}


@pytest.mark.parametrize(
    ("geometry", "field", "fragment"),
    [
        ({"type": "LineString", "coordinates": [[1.6, 50.73]]}, "coordinates", "at least two"),
        ({"type": "LineString", "coordinates": []}, "coordinates", "non-empty"),
        ({"type": "LineString", "coordinates": [[1.6, 50.73], [1.6, 50.73]]}, "coordinates", "not a valid line"),
        ({"type": "LineString", "coordinates": [[1.6, 50.73], [1.61, 50.73], [1.62, 95]]}, "coordinates.2", "latitude"),
        ({"type": "LineString", "coordinates": [[1.6, 50.73], [181, 50.73]]}, "coordinates.1", "longitude"),
        ({"type": "LineString", "coordinates": [[1.6, 50.73], [math.nan, 50.73]]}, "coordinates.1", "finite"),
        ({"type": "LineString", "coordinates": [[1.6, 50.73], ["1.6", 50.74]]}, "coordinates.1", "numbers"),
        ({"type": "LineString", "coordinates": [[1.6, 50.73], [1.61]]}, "coordinates.1", "longitude, latitude"),
        (
            {"type": "LineString", "coordinates": [[1.6, 50.73], [1.61, 50.73], [50.73, 1.62]]},
            "coordinates.2",
            "swapped",
        ),
        (
            {"type": "MultiLineString", "coordinates": [[[1.6, 50.73], [1.61, 50.73]], [[1.62, 50.73]]]},
            "coordinates.1",
            "at least two",
        ),
        ({"type": "Point", "coordinates": [1.6, 50.73]}, "type", "LineString"),
    ],
)
def test_invalid_lines_name_the_culprit(geometry, field, fragment):
    with pytest.raises(ValidationError) as error:
        parse_line(geometry)
    messages = messages_of(error.value)
    assert field in messages, messages
    assert fragment in " ".join(messages[field])


def test_several_bad_positions_are_all_named():
    with pytest.raises(ValidationError) as error:
        parse_line({"type": "LineString", "coordinates": [[1.6, 50.73], [1.6, 91], [1.61, 50.73], [200, 50]]})
    assert {"coordinates.1", "coordinates.3"} <= set(messages_of(error.value))


def test_geojson_output_keeps_the_type_and_full_precision():
    coordinates = walk()
    parts = parse_line({"type": "LineString", "coordinates": coordinates})
    assert to_geojson(parts) == {"type": "LineString", "coordinates": coordinates}
    multi = to_geojson([*parts, parts[0]])
    assert multi["type"] == "MultiLineString" and len(multi["coordinates"]) == 2
