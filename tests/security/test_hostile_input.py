"""Hostile input on every domain: kept verbatim as data or refused with a problem naming the field, never a 500.

SQL fragments, markup and template syntax are stored and served back byte for byte (and never run); NUL
characters and unpaired surrogates (which PostgreSQL cannot store) are 422s; bodies that are not JSON at all
(invalid UTF-8, nesting past the decoder's limit, integers of thousands of digits) are 400s; geometry with
NaN, infinities, degenerate or oversized lines is a 422 (or 413 past MAX_BODY_BYTES).
"""

from __future__ import annotations

import base64
import io
import json
import xml.etree.ElementTree as ET

import orjson
import pytest
from sqlalchemy import func, select, text

from tests.events.helpers import event_feature
from tests.factories import make_poi, poi_feature
from tests.problem import assert_problem
from tests.routes.factories import ORIGIN, offset, polyline_length_m, route_feature, walk
from urbanpulse.core.extensions import db
from urbanpulse.pois.models import Poi
from urbanpulse.routes.geometry import MAX_VERTICES

HOSTILE = [
    "'; DROP TABLE pois; --",
    "Robert'); DELETE FROM users WHERE ('1'='1",
    '" OR 1=1 -- ',
    "%' OR '1'='1",
    "1; SELECT pg_sleep(30)",
    "<script>alert('xss')</script>",
    '<img src=x onerror="alert(1)">',
    "{{7*7}} ${7*7} #{7*7} %s %(name)s {0}",
    "\\'\\\"\\\\ back\\slashes",
    "‮RTL override ‭ zero\u200bwidth ﻿BOM 🐟 Ünïcødé",
    "line one\r\nBEGIN:VEVENT\r\nUID:injected@evil\r\nEND:VEVENT",
    "\x1b[31mred\x1b[0m \x07bell \x08\x7f controls",
]
LONG = "x" * 100_000


def xml_text(value: str) -> str:
    """What XML 1.0 can carry of a text: line ends normalised, C0 controls other than tab and newline left out."""
    value = value.replace("\r\n", "\n")
    return "".join(c for c in value if c in "\t\n" or not (ord(c) < 0x20 or 0xFFFE <= ord(c) <= 0xFFFF))


def feature_id(response) -> str:
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()["id"]


@pytest.mark.parametrize("hostile", HOSTILE)
def test_hostile_strings_are_stored_and_served_verbatim_in_every_domain(client, editor_headers, hostile):
    poi_id = feature_id(
        client.post(
            "/api/v1/pois",
            json=poi_feature(name={"fr": hostile, "en": hostile}, description={"fr": hostile}, address=hostile[:300]),
            headers=editor_headers,
        )
    )
    route_id = feature_id(
        client.post(
            "/api/v1/routes", json=route_feature(walk(), name={"fr": hostile}, source=hostile), headers=editor_headers
        )
    )
    event_id = feature_id(
        client.post(
            "/api/v1/events",
            json=event_feature(title={"fr": hostile, "de": hostile}, organiser=hostile[:300], notes=hostile),
            headers=editor_headers,
        )
    )

    poi = client.get(f"/api/v1/pois/{poi_id}").get_json()["properties"]
    assert poi["name"] == {"fr": hostile, "en": hostile} and poi["description"] == {"fr": hostile}
    assert client.get(f"/api/v1/pois/{poi_id}?lang=en").get_json()["properties"]["name"] == hostile
    assert client.get(f"/api/v1/routes/{route_id}").get_json()["properties"]["name"] == {"fr": hostile}
    event = client.get(f"/api/v1/events/{event_id}", headers=editor_headers).get_json()["properties"]
    assert event["title"] == {"fr": hostile, "de": hostile} and event["notes"] == hostile

    # Searching for it finds it as text (and nothing else): it is never part of the SQL.
    found = client.get("/api/v1/pois", query_string={"q": hostile[:100]})
    assert found.status_code == 200 and [f["id"] for f in found.get_json()["features"]] == [poi_id]
    assert db.session.scalar(select(func.count()).select_from(Poi)) == 1
    assert db.session.execute(text("SELECT count(*) FROM users")).scalar_one() == 1  # the editor

    # Served as data: JSON/GPX/iCalendar with the text escaped for each format, never as HTML.
    for path in (f"/api/v1/pois/{poi_id}", f"/api/v1/routes/{route_id}", f"/api/v1/events/{event_id}"):
        assert client.get(path).mimetype == "application/geo+json"
    gpx = client.get(f"/api/v1/routes/{route_id}/gpx")
    names = [e.text for e in ET.fromstring(gpx.data).iter() if e.tag.endswith("}name")]
    assert names and set(names) == {xml_text(hostile)}
    ics = client.get(f"/api/v1/events/{event_id}.ics").get_data(as_text=True)
    lines = ics.split("\r\n")
    assert lines.count("BEGIN:VEVENT") == 1 and "UID:injected@evil" not in lines  # escaped, one line


def test_long_strings_are_refused_naming_the_field(client, editor_headers):
    cases = [
        ("/api/v1/pois", poi_feature(name={"fr": LONG}), "properties.name.fr"),
        ("/api/v1/pois", poi_feature(description={"en": LONG}), "properties.description.en"),
        ("/api/v1/routes", route_feature(walk(), summary={"fr": LONG}), "properties.summary.fr"),
        ("/api/v1/events", event_feature(uid=LONG), "properties.uid"),
        ("/api/v1/events", event_feature(notes=LONG), "properties.notes"),
        ("/api/v1/auth/token", {"email": LONG, "password": LONG}, "email"),
    ]
    for path, body, field in cases:
        assert_problem(client.post(path, json=body, headers=editor_headers), 422, field)
    for path, param in [
        ("/api/v1/pois", "q"),
        ("/api/v1/pois", "cursor"),
        ("/api/v1/pois/nearby?lat=50.7&lon=1.6", "lang"),
        ("/api/v1/routes", "cursor"),
        ("/api/v1/events", "cursor"),
        ("/api/v1/sync", "since"),
    ]:
        separator = "&" if "?" in path else "?"
        response = client.get(f"{path}{separator}{param}={'%C3%A9' * 50_000}")
        assert_problem(response, 422, param)
    assert db.session.scalar(select(func.count()).select_from(Poi)) == 0


@pytest.mark.parametrize("bad", ["a\u0000b", "\u0000", "\ud800", "ok \udfff"])
def test_nul_characters_and_lone_surrogates_are_422s_naming_the_field(client, editor_headers, bad):
    poi = make_poi()
    etag = client.get(f"/api/v1/pois/{poi.id}").headers["ETag"]
    cases = [
        ("post", "/api/v1/pois", poi_feature(name={"fr": bad}), {}, "properties.name.fr"),
        ("post", "/api/v1/pois", poi_feature(tags=["ok", bad]), {}, "properties.tags.1"),
        ("patch", f"/api/v1/pois/{poi.id}", {"properties": {"address": bad}}, {"If-Match": etag}, "properties.address"),
        ("post", "/api/v1/routes", route_feature(walk(), name={"fr": "R", "en": bad}), {}, "properties.name.en"),
        ("post", "/api/v1/events", event_feature(price=bad), {}, "properties.price"),
        ("post", "/api/v1/auth/token", {"email": f"a{bad}@b.test", "password": "x" * 12}, {}, "email"),
        ("post", "/api/v1/pois", {**poi_feature(), bad: 1}, {}, "_key"),
    ]
    for method, path, body, headers, field in cases:
        # json.dumps writes NUL and lone surrogates as \\u escapes, exactly what a hostile client sends.
        data = json.dumps(body)
        response = getattr(client, method)(
            path, data=data, content_type="application/json", headers={**editor_headers, **headers}
        )
        assert_problem(response, 422, field)
    assert_problem(client.get("/api/v1/pois", query_string={"q": "a\u0000b"}), 422, "q")
    assert_problem(client.get("/api/v1/events", query_string={"category": "market\u0000"}), 422, "category")
    assert db.session.scalar(select(func.count()).select_from(Poi)) == 1
    assert client.get(f"/api/v1/pois/{poi.id}").headers["ETag"] == etag  # the PATCH wrote nothing


def test_a_multipart_field_with_a_nul_character_is_a_422(client, editor_headers):
    gpx = gpx_track([(1.60, 50.73), (1.61, 50.74)])
    response = client.post(
        "/api/v1/routes/import-gpx",
        data={"file": (io.BytesIO(gpx), "t.gpx"), "difficulty": "easy", "theme": "nature", "name": "a\u0000b"},
        headers=editor_headers,
        content_type="multipart/form-data",
    )
    assert_problem(response, 422, "name")


@pytest.mark.parametrize(
    "body",
    [
        b'{"type": "Feature", "properties": {"name": {"fr": "\xff\xfe caf\xe9"}}}',  # not UTF-8
        b"[" * 100_000 + b"]" * 100_000,  # past the decoder's recursion limit
        b'{"type": "Feature", "geometry": {"type": "Point", "coordinates": [1' + b"0" * 5000 + b", 50]}}",
        b'{"type": "Feature",',
    ],
    ids=["invalid-utf8", "deep-nesting", "huge-integer", "truncated"],
)
def test_bodies_that_are_not_json_are_400_problems(client, editor_headers, body):
    for path in ("/api/v1/pois", "/api/v1/routes", "/api/v1/events"):
        response = client.post(path, data=body, content_type="application/json", headers=editor_headers)
        assert_problem(response, 400)


def test_invalid_utf8_in_a_query_string_is_text_or_a_400(client):
    make_poi(name={"fr": "Beffroi"})
    # Percent-encoded bytes that are not UTF-8 decode to U+FFFD: a search for nothing in particular.
    response = client.get("/api/v1/pois?q=%ff%fe%C3")
    assert response.status_code == 200 and response.get_json()["features"] == []
    # Raw bytes past ASCII that are not UTF-8 cannot be read as text at all.
    for path in ("/api/v1/pois", "/api/v1/pois/nearby", "/api/v1/events", "/api/v1/sync", "/api/v1/routes"):
        for raw in ("q=caf\xe9", "lat=\xff\xfe", "lang=\xe9n"):
            response = client.get(path, environ_overrides={"QUERY_STRING": raw})
            assert_problem(response, 400)


def test_forged_cursors_are_400s(client):
    def cursor(state) -> str:
        return base64.urlsafe_b64encode(orjson.dumps(state)).decode().rstrip("=")

    for path, value in [
        ("/api/v1/pois", cursor({"after": "not-a-uuid"})),
        ("/api/v1/pois", cursor({"after": "'; DROP TABLE pois; --"})),
        ("/api/v1/routes", cursor({"after": "a\u0000b"})),
        ("/api/v1/routes", cursor({"after": "' OR 1=1 --"})),
        ("/api/v1/pois?q=beffroi&cursor=" + cursor({"offset": -1}), None),
        ("/api/v1/events", cursor({"s": "yesterday", "e": "x"})),
        ("/api/v1/pois", "!!!"),
    ]:
        url = path if value is None else f"{path}?cursor={value}"
        assert_problem(client.get(url), 400, "cursor")


NOT_FINITE = [float("nan"), float("inf"), float("-inf")]


def point(lon, lat) -> dict:
    return {"type": "Point", "coordinates": [lon, lat]}


@pytest.mark.parametrize(
    "geometry",
    [
        point(float("nan"), 50.7),
        point(1.6, float("inf")),
        point(float("-inf"), 50.7),
        point(181, 50),
        point(1.6, -90.5),
        {"type": "Point", "coordinates": ["1.6", "50.7"]},
        {"type": "Point", "coordinates": [1.6]},
        {"type": "Point", "coordinates": [[1.6, 50.7]]},
        {"type": "LineString", "coordinates": [[1.6, 50.7], [1.7, 50.8]]},
        {"type": "Point"},
        [1.6, 50.7],
    ],
)
def test_bad_points_are_422s_for_pois_and_events(client, editor_headers, geometry):
    body = poi_feature()
    body["geometry"] = geometry
    # NaN and infinities go as the JSON literals NaN/Infinity, which Python's decoder accepts.
    data = json.dumps(body)
    assert_problem(client.post("/api/v1/pois", data=data, content_type="application/json", headers=editor_headers), 422)
    event = event_feature()
    event["geometry"] = geometry
    data = json.dumps(event)
    response = client.post("/api/v1/events", data=data, content_type="application/json", headers=editor_headers)
    assert_problem(response, 422, "geometry")


def short_line(count: int) -> list[list[float]]:
    """`count` positions about 10 m apart, written with few digits (so 100,000 fit in MAX_BODY_BYTES)."""
    return [[round(1.6 + (i % 1000) * 1e-4, 4), round(50.7 + (i // 1000) * 1e-4, 4)] for i in range(count)]


def test_bad_lines_are_422s_naming_the_culprit(client, editor_headers):
    u = walk()
    nan_inside = [u[0], [float("nan"), u[1][1]], u[2]]
    cases = [
        ({"type": "LineString", "coordinates": nan_inside}, "geometry.coordinates.1"),
        ({"type": "LineString", "coordinates": [u[0], [u[1][0], float("inf")]]}, "geometry.coordinates.1"),
        ({"type": "LineString", "coordinates": [u[0], u[0], u[0]]}, "geometry.coordinates"),  # zero length
        ({"type": "LineString", "coordinates": [u[0]]}, "geometry.coordinates"),
        ({"type": "MultiLineString", "coordinates": [u, nan_inside]}, "geometry.coordinates.1.1"),
        ({"type": "MultiLineString", "coordinates": [u] * 101}, "geometry.coordinates"),
        ({"type": "LineString", "coordinates": short_line(100_000)}, "geometry.coordinates"),
        ({"type": "LineString", "coordinates": [u[0], [u[0][1], u[0][0]]]}, "geometry.coordinates.1"),  # swapped
        ({"type": "Polygon", "coordinates": [[*u, u[0]]]}, "geometry.type"),
    ]
    for geometry, field in cases:
        body = route_feature(u)
        body["geometry"] = geometry
        data = json.dumps(body)
        response = client.post("/api/v1/routes", data=data, content_type="application/json", headers=editor_headers)
        assert_problem(response, 422, field)
    assert db.session.execute(text("SELECT count(*) FROM routes")).scalar_one() == 0


def test_a_line_past_the_body_size_cap_is_413(client, editor_headers):
    coordinates = [[1.6 + i * 1.234567e-6, 50.7 + i * 1.234567e-6] for i in range(100_000)]
    response = client.post("/api/v1/routes", json=route_feature(coordinates), headers=editor_headers)
    assert_problem(response, 413)


def test_a_self_crossing_route_is_a_valid_walk_with_its_geodesic_length(client, editor_headers):
    # A figure of eight: walks may cross themselves; the length is still the sum of its geodesic segments.
    a = ORIGIN
    b, c, d = offset(*a, 45, 500), offset(*a, 90, 354), offset(*a, 0, 354)
    line = [list(a), list(b), list(c), list(d), list(offset(*a, 10, 5))]
    response = client.post("/api/v1/routes", json=route_feature(line), headers=editor_headers)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["properties"]["length_m"] == pytest.approx(polyline_length_m(line), abs=0.051)


def gpx_track(points: list[tuple[float, float]] | str) -> bytes:
    body = points if isinstance(points, str) else "".join(f'<trkpt lat="{lat}" lon="{lon}"/>' for lon, lat in points)
    return (
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="t" '
        'xmlns="http://www.topografix.com/GPX/1/1"><metadata><name>Essai</name><keywords>nature</keywords>'
        f"</metadata><trk><trkseg>{body}</trkseg></trk></gpx>"
    ).encode()


def upload(client, headers, data: bytes):
    return client.post(
        "/api/v1/routes/import-gpx",
        data={"file": (io.BytesIO(data), "track.gpx"), "difficulty": "easy"},
        headers=headers,
        content_type="multipart/form-data",
    )


def test_gpx_imports_with_too_many_or_unreal_points_are_refused(client, editor_headers):
    too_many = [(round(1.6 + (i % 1000) * 1e-4, 4), round(50.7 + (i // 1000) * 1e-4, 4)) for i in range(25_000)]
    assert len(gpx_track(too_many)) < 2 * 1024 * 1024
    body = assert_problem(upload(client, editor_headers, gpx_track(too_many)), 422, "file")
    assert str(MAX_VERTICES) in str(body["errors"])
    hundred_thousand = [(1.6, 50.7)] * 100_000
    assert_problem(upload(client, editor_headers, gpx_track(hundred_thousand)), 413)
    for bad in ("Infinity", "-inf", "1e999"):
        points = f'<trkpt lat="50.73" lon="1.60"/><trkpt lat="{bad}" lon="1.61"/>'
        assert upload(client, editor_headers, gpx_track(points)).status_code in (422,)
    assert db.session.execute(text("SELECT count(*) FROM routes")).scalar_one() == 0


def test_non_finite_numbers_elsewhere_are_422s(client, editor_headers):
    for value in NOT_FINITE:
        body = route_feature(walk(), official_length_m=value)
        data = json.dumps(body)
        response = client.post("/api/v1/routes", data=data, content_type="application/json", headers=editor_headers)
        assert_problem(response, 422, "properties.official_length_m")
    for query in (
        "lat=NaN&lon=1.6",
        "lat=50.7&lon=inf",
        "lat=50.7&lon=1.6&radius=1e999",
        "lat=50.7&lon=1.6&radius=nan",
    ):
        for path in ("/api/v1/pois/nearby", "/api/v1/routes/nearby", "/api/v1/events"):
            response = client.get(f"{path}?{query}")
            assert_problem(response, 422)


@pytest.mark.parametrize(("starts", "ends"), [("0001-01-01", "0001-01-02"), ("9999-12-30", "9999-12-31")])
def test_event_dates_outside_the_supported_years_are_422s(client, editor_headers, starts, ends):
    body = event_feature(starts_at=starts, ends_at=ends, rrule=None)
    assert_problem(client.post("/api/v1/events", json=body, headers=editor_headers), 422, "properties.starts_at")
    assert db.session.execute(text("SELECT count(*) FROM events")).scalar_one() == 0


def test_markup_in_content_is_escaped_in_the_back_office(client, editor, editor_headers):
    from tests.admin.helpers import login

    markup = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
    poi = feature_id(client.post("/api/v1/pois", json=poi_feature(name={"fr": markup}), headers=editor_headers))
    route = feature_id(
        client.post("/api/v1/routes", json=route_feature(walk(), name={"fr": markup}), headers=editor_headers)
    )
    event = feature_id(client.post("/api/v1/events", json=event_feature(title={"fr": markup}), headers=editor_headers))
    assert login(client, editor).status_code == 302
    pages = [
        "/admin/",
        "/admin/pois/",
        f"/admin/pois/{poi}/",
        f"/admin/pois/{poi}/history",
        "/admin/routes/",
        f"/admin/routes/{route}/",
        "/admin/events/",
        f"/admin/events/{event}/",
    ]
    shown = []
    for page in pages:
        response = client.get(page)
        assert response.status_code == 200, page
        html = response.get_data(as_text=True)
        assert "<script>alert(" not in html and "<img src=x" not in html, page
        shown.append("&lt;script&gt;alert(" in html or "\\u003cscript\\u003ealert(" in html)
    assert sum(shown) >= 4, shown  # the markup is there, as text


def test_a_multipart_field_that_is_not_utf8_is_read_with_replacement_characters(client, editor_headers):
    boundary = "hostile-boundary"
    gpx = gpx_track([(1.60, 50.73), (1.61, 50.74)])
    parts = [
        (b'name="difficulty"', b"easy"),
        (b'name="theme"', b"nature"),
        (b'name="name"', b"Caf\xe9 \xff\xfe du port"),
        (b'name="file"; filename="t.gpx"\r\nContent-Type: application/gpx+xml', gpx),
    ]
    body = (
        b"".join(
            b"--" + boundary.encode() + b"\r\nContent-Disposition: form-data; " + head + b"\r\n\r\n" + value + b"\r\n"
            for head, value in parts
        )
        + f"--{boundary}--\r\n".encode()
    )
    response = client.post(
        "/api/v1/routes/import-gpx",
        data=body,
        headers={**editor_headers, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["properties"]["name"] == {"fr": "Caf\ufffd \ufffd\ufffd du port"}
