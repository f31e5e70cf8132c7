"""GPX 1.1 out (a track plus the stops as waypoints) and GPX 1.0/1.1 in, with gpxpy."""

from __future__ import annotations

import codecs
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from xml.parsers import expat

import gpxpy
import gpxpy.gpx

from urbanpulse.core.errors import ValidationFailed
from urbanpulse.core.i18n import pick
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.routes.geometry import Parts
from urbanpulse.routes.stops import ReadStop
from urbanpulse.routes.vocab import KINDS, THEMES

GPX_MIMETYPE = "application/gpx+xml"
CREATOR = "Urban Pulse Boulogne"
MAX_GPX_BYTES = 2 * 1024 * 1024
_POI_LINK = re.compile(
    r"/pois/([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:[/?#]|$)"
)
_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._-]+)[\"']")
_DECLARATION_TEXT = re.compile(r"^\s*<\?xml[^>]*\?>")
_XML_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(translations: dict | None, lang: str) -> str | None:
    text = pick(translations, lang)[0]
    # XML 1.0 cannot carry C0 controls (other than tab and line ends) even escaped: leave them out.
    return _XML_ILLEGAL.sub("", text) if text else text


def build(
    route, parts: Parts, stops: list[ReadStop], *, lang: str, route_url: str, poi_url: Callable[[uuid.UUID], str]
) -> str:
    """A GPX 1.1 document: metadata, one waypoint per stop (in order), one track with one segment per part."""
    document = gpxpy.gpx.GPX()
    document.creator = CREATOR
    name = _text(route.name, lang)
    document.name = name
    document.description = _text(route.summary, lang)
    document.link, document.link_text = route_url, name
    document.keywords = route.theme
    for stop in stops:
        waypoint = gpxpy.gpx.GPXWaypoint(
            latitude=stop.lat,
            longitude=stop.lon,
            name=_text(stop.name, lang),
            description=_text(stop.note, lang),
            type=_text(CATEGORY_LABELS.get(stop.category), lang) or stop.category,
        )
        waypoint.link, waypoint.link_text = poi_url(stop.poi_id), _text(stop.name, lang)
        document.waypoints.append(waypoint)
    track = gpxpy.gpx.GPXTrack(name=name, description=_text(route.summary, lang))
    track.type = route.kind
    track.link, track.link_text = route_url, name
    for part in parts:
        segment = gpxpy.gpx.GPXTrackSegment()
        segment.points.extend(gpxpy.gpx.GPXTrackPoint(latitude=lat, longitude=lon) for lon, lat in part)
        track.segments.append(segment)
    document.tracks.append(track)
    return document.to_xml(version="1.1")


def _invalid(message: str) -> ValidationFailed:
    return ValidationFailed.field("file", message, location="multipart")


def _check_xml(data: bytes) -> None:
    """Well-formed XML whose root is <gpx>; DTDs (entity tricks) are refused before any real parsing."""
    parser = expat.ParserCreate()
    roots: list[str] = []

    def refuse(*_args):
        raise _invalid("DTDs and entity declarations are not accepted in GPX files")

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = lambda name, _attrs: roots.append(name) if not roots else None
    try:
        parser.Parse(data, True)
    except expat.ExpatError as error:
        raise _invalid(f"not well-formed XML: {error}") from None
    except LookupError as error:  # an encoding Python does not know
        raise _invalid(f"cannot decode the file: {error}") from None
    if not roots or roots[0].rsplit(":", 1)[-1] != "gpx":
        raise _invalid(f"not a GPX document (root element {roots[0] if roots else 'missing'!r})")


def _decode(data: bytes) -> str:
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8) :]
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = "utf-16"
    else:
        match = _DECLARATION.match(data)
        encoding = match.group(1).decode() if match else "utf-8"
    try:
        text = data.decode(encoding)
    except (LookupError, UnicodeDecodeError) as error:
        raise _invalid(f"cannot decode the file as {encoding}: {error}") from None
    # gpxpy parses text; the declaration's encoding no longer applies to it.
    return _DECLARATION_TEXT.sub("", text, count=1)


@dataclass
class ParsedGpx:
    """What a GPX file says about a route."""

    parts: Parts
    name: str | None = None
    description: str | None = None
    theme: str | None = None
    kind: str | None = None
    poi_ids: list[uuid.UUID] = field(default_factory=list)


def _first(*values):
    return next((value.strip() for value in values if value and value.strip()), None)


def parse(data: bytes) -> ParsedGpx:
    """The track (or else the route) of a GPX file as parts; waypoints linking to a POI of ours become stops."""
    if not data or not data.strip():
        raise _invalid("the file is empty")
    if len(data) > MAX_GPX_BYTES:
        raise _invalid(f"the file is larger than {MAX_GPX_BYTES // (1024 * 1024)} MB")
    _check_xml(data)
    try:
        document = gpxpy.parse(_decode(data))
    except gpxpy.gpx.GPXException as error:
        raise _invalid(f"not a readable GPX file: {error}") from None
    lines = [segment.points for track in document.tracks for segment in track.segments]
    if not any(len(points) >= 2 for points in lines):
        lines = [gpx_route.points for gpx_route in document.routes]
    parts = [[(p.longitude, p.latitude) for p in points] for points in lines if len(points) >= 2]
    if not parts:
        raise _invalid("the file has no track (or route) with at least two points")
    tracks, routes = document.tracks, document.routes
    keywords = [word.strip() for word in (document.keywords or "").split(",")]
    poi_ids = []
    for waypoint in document.waypoints:
        match = _POI_LINK.search(waypoint.link or "")
        if match:
            poi_ids.append(uuid.UUID(match.group(1)))
    track_type = _first(*(track.type for track in tracks))
    return ParsedGpx(
        parts=parts,
        name=_first(document.name, *(t.name for t in tracks), *(r.name for r in routes)),
        description=_first(document.description, *(t.description for t in tracks), *(r.description for r in routes)),
        theme=next((word for word in keywords if word in THEMES), None),
        kind=track_type if track_type in KINDS else None,
        poi_ids=poi_ids,
    )
