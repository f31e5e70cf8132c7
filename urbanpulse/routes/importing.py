"""Creating a route from an uploaded GPX file, through the same validation and service as GeoJSON."""

from __future__ import annotations

from sqlalchemy import select

from urbanpulse.core.errors import DomainError, ValidationFailed
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.pois.models import Poi
from urbanpulse.routes import gpx, service
from urbanpulse.routes.geometry import LOOP_CLOSURE_M, loop_gap_m, to_geojson
from urbanpulse.routes.models import Route
from urbanpulse.web.schemas_common import MAX_SHORT_TEXT, MAX_TEXT

LOCATION = "multipart"


def _file_position(path: list[str], parts_count: int) -> str:
    # geometry.coordinates.<i> for one segment, geometry.coordinates.<k>.<i> for several
    numbers = [int(p) for p in path[2:] if p.isdigit()]
    if parts_count == 1:
        numbers = [0, *numbers]
    labels = ("segment", "point")
    return ", ".join(f"{label} {n + 1}" for label, n in zip(labels, numbers, strict=False)) or "track"


def _remap(error: DomainError, parts_count: int) -> DomainError:
    """Errors named after Feature paths, renamed after the form: the file, or the form field."""
    errors = []
    for item in error.errors or []:
        path = item["field"].split(".")
        if path[0] == "geometry":
            field, prefix = "file", f"track {_file_position(path, parts_count)}: "
        elif path[:2] == ["properties", "stops"]:
            field, prefix = "file", "waypoint linked to a POI: "
        elif path[0] == "properties" and len(path) > 1:
            field, prefix = path[1], ""
        else:
            field, prefix = "file", ""
        errors.append({"field": field, "in": LOCATION, "messages": [prefix + m for m in item["messages"]]})
    return type(error)(error.detail, errors=errors, headers=error.headers)


def _known(poi_ids: list) -> list:
    # Links to POIs this server does not have (e.g. a file exported elsewhere) are not stops here.
    found = set(db.session.scalars(select(Poi.id).where(Poi.id.in_(poi_ids), Poi.deleted_at.is_(None))))
    return [poi_id for poi_id in poi_ids if poi_id in found]


def create_route_from_gpx(*, data: bytes, options: dict, actor: Actor) -> Route:
    """A route (a draft by default) from a GPX file; the form's fields win over what the file says.

    Name: form `name`, else the GPX name. Theme: form, else a theme among the GPX keywords. Kind: form, else
    the track type when it is a kind, else walk. Loop: form, else whether the track ends within 50 m of its
    start. Stops: waypoints whose link points at one of our POIs (as in our own GPX export), in file order;
    links to POIs this server does not know are ignored.
    """
    parsed = gpx.parse(data)
    name = options.get("name") or parsed.name
    theme = options.get("theme") or parsed.theme
    missing = [
        ("name", "the GPX file has no <name>; give one") if not name else None,
        ("theme", "the GPX keywords name no theme; give one") if not theme else None,
    ]
    errors = [{"field": f, "in": LOCATION, "messages": [m]} for f, m in filter(None, missing)]
    if errors:
        raise ValidationFailed("Invalid input: " + ", ".join(e["field"] for e in errors), errors=errors)
    is_loop = options["is_loop"] if "is_loop" in options else loop_gap_m(parsed.parts) <= LOOP_CLOSURE_M
    properties = {
        "name": {"fr": name[:MAX_SHORT_TEXT]},
        "theme": theme,
        "kind": options.get("kind") or parsed.kind or "walk",
        "difficulty": options["difficulty"],
        "is_loop": is_loop,
        "status": options.get("status", "draft"),
        "stops": [{"poi_id": str(poi_id)} for poi_id in _known(parsed.poi_ids)],
    }
    if parsed.description:
        properties["description"] = {"fr": parsed.description[:MAX_TEXT]}
    if options.get("slug"):
        properties["slug"] = options["slug"]
    feature = {"type": "Feature", "geometry": to_geojson(parsed.parts), "properties": properties}
    try:
        return service.create_route_from_feature(feature, actor=actor)
    except DomainError as error:
        if error.errors:
            raise _remap(error, len(parsed.parts)) from None
        raise
