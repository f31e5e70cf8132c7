"""Loading one route for reading (line and visible stops), its ETag, and the vocabulary."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import shapely

from urbanpulse.editing.etags import representation_etag
from urbanpulse.routes import service
from urbanpulse.routes.geometry import Parts, RouteLine, parts_of
from urbanpulse.routes.models import Route
from urbanpulse.routes.serialize import route_feature, translated
from urbanpulse.routes.stops import ReadStop, read_stops_of
from urbanpulse.routes.vocab import DIFFICULTY_LABELS, KIND_LABELS, PACE_KMH, THEME_LABELS

# ETag variants may only hold letters and dots; digits of the digest are spelled as letters.
_DIGITS_AS_LETTERS = str.maketrans("0123456789", "ghijklmnop")


def parts_of_wkb(wkb) -> Parts:
    """Parts of a line read as WKB from SQL."""
    return parts_of(shapely.from_wkb(bytes(wkb)))


@dataclass(frozen=True)
class LoadedRoute:
    """A route with its line and the stops the caller may see."""

    route: Route
    parts: Parts
    line: RouteLine
    stops: list[ReadStop]


def _loaded(routes: Sequence[Route], *, editor: bool) -> list[LoadedRoute]:
    shapes = {route.id: service.route_parts(route) for route in routes}
    lines = {route_id: RouteLine(parts) for route_id, parts in shapes.items()}
    stops = read_stops_of(lines, public=not editor)
    return [LoadedRoute(route, shapes[route.id], lines[route.id], stops[route.id]) for route in routes]


def loaded_route(route_id: uuid.UUID, *, editor: bool) -> LoadedRoute:
    """A visible route (drafts for editors), its line, and its stops (only public POIs for the public)."""
    [loaded] = _loaded([service.get_route(route_id=route_id, include_unpublished=editor)], editor=editor)
    return loaded


def route_etag(loaded: LoadedRoute, *, lang: str | None, editor: bool, extra=None) -> str:
    """`"<id>.<version>.<variant>"`: usable in If-Match, and changed when a stop's POI changes too."""
    material = repr(([(str(s.poi_id), s.poi_version, s.visible) for s in loaded.stops], extra))
    digest = hashlib.blake2b(material.encode(), digest_size=8).hexdigest().translate(_DIGITS_AS_LETTERS)
    return representation_etag(loaded.route.id, loaded.route.version, lang=lang, editor=editor, extra=digest)


def _feature(loaded: LoadedRoute, *, lang: str | None, editor: bool, simplify_m=None) -> dict:
    return route_feature(
        loaded.route,
        loaded.parts,
        lang=lang,
        editor=editor,
        stop_count=len(loaded.stops),
        stops=loaded.stops,
        simplify_m=simplify_m,
        line=loaded.line,
    )


def route_representation(route_id: uuid.UUID, *, lang: str | None, editor: bool, simplify_m=None) -> tuple[dict, str]:
    """A visible route as a GeoJSON Feature with its stops, and its ETag."""
    loaded = loaded_route(route_id, editor=editor)
    feature = _feature(loaded, lang=lang, editor=editor, simplify_m=simplify_m)
    return feature, route_etag(loaded, lang=lang, editor=editor, extra=simplify_m)


def public_route_features(route_ids: Sequence[uuid.UUID], *, lang: str | None) -> dict[uuid.UUID, dict]:
    """The public Features (as GET /routes/{id} serves them) of the published routes of `route_ids`.

    Two queries whatever the number of routes: the routes, then all their stops.
    """
    routes = service.get_routes(route_ids=route_ids)
    return {loaded.route.id: _feature(loaded, lang=lang, editor=False) for loaded in _loaded(routes, editor=False)}


def vocabulary(lang: str | None) -> dict:
    """Themes, kinds with their paces, and difficulties, with labels."""

    def items(labels: dict, **extra) -> list[dict]:
        return [{"id": key, "label": translated(label, lang), **extra.get(key, {})} for key, label in labels.items()]

    paces = {kind: {"pace_kmh": pace} for kind, pace in PACE_KMH.items()}
    return {
        "themes": items(THEME_LABELS),
        "kinds": items(KIND_LABELS, **paces),
        "difficulties": items(DIFFICULTY_LABELS),
    }
