"""GPX export read back by gpxpy (same points and stops, valid GPX 1.1) and GPX import through the service."""

import io
import xml.etree.ElementTree as ET

import gpxpy
import pytest
from sqlalchemy import text

from tests.factories import make_poi
from tests.problem import assert_problem
from tests.routes.factories import ORIGIN, make_route, offset, pois_at, square_loop, walk

NS = "{http://www.topografix.com/GPX/1/1}"
# Child order of the GPX 1.1 XSD sequences (only the elements we may write).
GPX_ORDER = ["metadata", "wpt", "rte", "trk", "extensions"]
WPT_ORDER = ["ele", "time", "magvar", "geoidheight", "name", "cmt", "desc", "src", "link", "sym", "type"]
TRK_ORDER = ["name", "cmt", "desc", "src", "link", "number", "type", "extensions", "trkseg"]
META_ORDER = ["name", "desc", "author", "copyright", "link", "time", "keywords", "bounds", "extensions"]


def assert_in_schema_order(element, order):
    names = [child.tag.removeprefix(NS) for child in element]
    assert all(name in order for name in names), names
    positions = [order.index(name) for name in names]
    assert positions == sorted(positions), names


def assert_valid_gpx11(document: str) -> ET.Element:
    """The structure the GPX 1.1 schema requires of what we write: namespace, version, order, lat/lon ranges."""
    root = ET.fromstring(document.encode())
    assert root.tag == f"{NS}gpx" and root.get("version") == "1.1" and root.get("creator")
    assert_in_schema_order(root, GPX_ORDER)
    assert_in_schema_order(root.find(f"{NS}metadata"), META_ORDER)
    for point in root.iter():
        if point.tag in (f"{NS}wpt", f"{NS}trkpt"):
            assert -90 <= float(point.get("lat")) <= 90 and -180 <= float(point.get("lon")) < 180
    for waypoint in root.findall(f"{NS}wpt"):
        assert_in_schema_order(waypoint, WPT_ORDER)
    for track in root.findall(f"{NS}trk"):
        assert_in_schema_order(track, TRK_ORDER)
    return root


@pytest.fixture
def route_with_stops(app):
    line = walk()
    pois = pois_at([offset(*line[0], 0, 15), line[1], offset(*line[2], 180, 30)])
    notes = [{"fr": "Départ", "en": "Start"}, {"fr": "Le coin"}, None]
    stops = [{"poi_id": str(p.id), **({"note": n} if n else {})} for p, n in zip(pois, notes, strict=True)]
    return make_route(line, stops=stops, slug="balade-gpx", theme="military"), line, pois


def test_export_parses_back_with_the_same_points_and_stops(client, route_with_stops):
    route, line, pois = route_with_stops
    response = client.get(f"/api/v1/routes/{route.id}/gpx", query_string={"lang": "en"})
    assert response.status_code == 200
    assert response.mimetype == "application/gpx+xml"
    assert response.headers["Content-Disposition"] == 'attachment; filename="balade-gpx.gpx"'
    assert response.headers["Content-Language"] == "en"
    document = response.get_data(as_text=True)
    assert_valid_gpx11(document)
    parsed = gpxpy.parse(document)
    assert parsed.version == "1.1" and parsed.name == "Test walk" and parsed.keywords == "military"
    (track,) = parsed.tracks
    assert track.type == "walk" and len(track.segments) == 1
    assert [[p.longitude, p.latitude] for p in track.segments[0].points] == line
    assert [w.name for w in parsed.waypoints] == ["Stop 1", "Stop 2", "Stop 3"]
    assert [w.description for w in parsed.waypoints] == ["Start", "Le coin", None]
    assert [(w.longitude, w.latitude) for w in parsed.waypoints] == [
        (p["location"]["coordinates"][0], p["location"]["coordinates"][1])
        for p in client.get(f"/api/v1/routes/{route.id}").get_json()["properties"]["stops"]
    ]
    assert [w.link.rsplit("/", 1)[-1] for w in parsed.waypoints] == [str(p.id) for p in pois]


def test_export_names_follow_the_language_with_fallback(client, route_with_stops):
    route, _, _ = route_with_stops
    german = gpxpy.parse(client.get(f"/api/v1/routes/{route.id}/gpx?lang=de").get_data(as_text=True))
    assert german.name == "Testweg" and german.waypoints[0].name == "Stop 1"  # POI has no de: en
    french = client.get(f"/api/v1/routes/{route.id}/gpx")
    assert french.headers["Content-Language"] == "fr"
    assert gpxpy.parse(french.get_data(as_text=True)).waypoints[0].name == "Arrêt 1"
    by_header = client.get(f"/api/v1/routes/{route.id}/gpx", headers={"Accept-Language": "nl, en;q=0.5"})
    assert by_header.headers["Content-Language"] == "nl"
    assert (
        client.get(f"/api/v1/routes/{route.id}/gpx", headers={"If-None-Match": french.headers["ETag"]}).status_code
        == 304
    )


def test_multilinestring_exports_one_segment_per_part(client, app):
    parts = [walk(legs=((90, 500),)), walk(start=offset(*ORIGIN, 0, 300), legs=((90, 400),))]
    route = make_route(parts, "MultiLineString")
    parsed = gpxpy.parse(client.get(f"/api/v1/routes/{route.id}/gpx").get_data(as_text=True))
    assert [[[p.longitude, p.latitude] for p in s.points] for s in parsed.tracks[0].segments] == parts


def upload(client, headers, data: bytes, **fields):
    form = {"file": (io.BytesIO(data), "trace.gpx", "application/gpx+xml"), **fields}
    return client.post("/api/v1/routes/import-gpx", data=form, headers=headers, content_type="multipart/form-data")


def test_import_of_our_own_export_recreates_the_route_as_a_draft(client, editor_headers, route_with_stops):
    route, line, pois = route_with_stops
    exported = client.get(f"/api/v1/routes/{route.id}/gpx").get_data()
    response = upload(client, editor_headers, exported, difficulty="moderate", slug="copie")
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(body["id"])
    props = body["properties"]
    assert body["geometry"] == {"type": "LineString", "coordinates": line}
    assert props["status"] == "draft" and props["name"] == {"fr": "Balade d'essai"}
    assert (props["theme"], props["kind"], props["difficulty"], props["is_loop"]) == (
        "military",
        "walk",
        "moderate",
        False,
    )
    assert [s["poi_id"] for s in props["stops"]] == [str(p.id) for p in pois]
    assert props["length_m"] == client.get(f"/api/v1/routes/{route.id}").get_json()["properties"]["length_m"]
    assert_problem(client.get(f"/api/v1/routes/{body['id']}"), 404)  # a draft
    history = client.get(f"/api/v1/routes/{body['id']}/history", headers=editor_headers).get_json()
    assert [e["action"] for e in history] == ["create"]


GPX_10 = """<?xml version="1.0" encoding="ISO-8859-1"?>
<gpx version="1.0" creator="a phone" xmlns="http://www.topografix.com/GPX/1/0">
  <trk><name>Tour de la jetée</name><trkseg>
    <trkpt lat="50.7300" lon="1.6000"/><trkpt lat="50.7310" lon="1.6010"/><trkpt lat="50.7320" lon="1.6000"/>
    <trkpt lat="50.73001" lon="1.60001"/>
  </trkseg></trk>
</gpx>"""


def test_import_a_foreign_gpx_10_track_with_form_fields(client, editor_headers):
    response = upload(
        client, editor_headers, GPX_10.encode("latin-1"), difficulty="easy", theme="maritime", kind="walk"
    )
    assert response.status_code == 201, response.get_json()
    props = response.get_json()["properties"]
    assert props["name"] == {"fr": "Tour de la jetée"} and props["is_loop"] is True  # ends 1.3 m apart
    coordinates = response.get_json()["geometry"]["coordinates"]
    assert coordinates[-1] == coordinates[0] and len(coordinates) == 5
    named = upload(
        client,
        editor_headers,
        GPX_10.encode("latin-1"),
        difficulty="easy",
        theme="nature",
        name="Jetée",
        is_loop="false",
    )
    assert (
        named.get_json()["properties"]["name"] == {"fr": "Jetée"} and named.get_json()["properties"]["is_loop"] is False
    )


def gpx_with(points: str, extra: str = "") -> bytes:
    return (
        '<?xml version="1.0" encoding="UTF-8"?><gpx version="1.1" creator="t" xmlns="http://www.topografix.com/GPX/1/1">'
        f"<metadata><name>Essai</name><keywords>nature</keywords></metadata>{extra}<trk><trkseg>{points}</trkseg></trk></gpx>"
    ).encode()


GOOD_POINTS = '<trkpt lat="50.73" lon="1.60"/><trkpt lat="50.74" lon="1.61"/>'


@pytest.mark.parametrize(
    ("data", "fields", "field", "fragment"),
    [
        (b"<gpx><trk>", {}, "file", "not well-formed"),
        (b"", {}, "file", "empty"),
        (b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"></kml>', {}, "file", "not a GPX"),
        (
            b'<?xml version="1.0"?><!DOCTYPE gpx [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><gpx>&b;</gpx>',
            {},
            "file",
            "DTD",
        ),
        (b'<?xml version="1.0" encoding="bogus"?><gpx/>', {}, "file", "unknown encoding"),
        (gpx_with(""), {}, "file", "no track"),
        (gpx_with('<trkpt lat="50.73" lon="1.60"/>'), {}, "file", "no track"),
        (gpx_with('<trkpt lat="abc" lon="1.60"/><trkpt lat="50.74" lon="1.61"/>'), {}, "file", "not a readable GPX"),
        (gpx_with('<trkpt lat="50.73" lon="1.60"/><trkpt lat="95" lon="1.61"/>'), {}, "file", "segment 1, point 2"),
        (gpx_with('<trkpt lat="50.73" lon="1.60"/><trkpt lat="NaN" lon="1.61"/>'), {}, "file", "finite"),
        (gpx_with(GOOD_POINTS), {"is_loop": "true"}, "is_loop", "apart"),
        (gpx_with(GOOD_POINTS).replace(b"<name>Essai</name>", b""), {}, "name", "<name>"),
        (gpx_with(GOOD_POINTS).replace(b"nature", b"fun"), {}, "theme", "theme"),
        (gpx_with(GOOD_POINTS), {"theme": "space"}, "theme", ""),
        (gpx_with(GOOD_POINTS), {"colour": "red"}, "colour", ""),
        (gpx_with(GOOD_POINTS), {"slug": "Not A Slug"}, "slug", ""),
    ],
)
def test_import_errors_are_422_naming_the_file_or_field_and_write_nothing(
    app, client, editor_headers, data, fields, field, fragment
):
    body = assert_problem(upload(client, editor_headers, data, **{"difficulty": "easy", **fields}), 422, field)
    assert fragment in " ".join(m for e in body["errors"] for m in e["messages"]), body
    from urbanpulse.core.extensions import db

    assert db.session.execute(text("SELECT count(*) FROM routes")).scalar_one() == 0


def test_import_needs_a_file_and_a_difficulty(client, editor_headers):
    response = client.post(
        "/api/v1/routes/import-gpx",
        data={"theme": "nature"},
        headers=editor_headers,
        content_type="multipart/form-data",
    )
    assert_problem(response, 422, "file", "difficulty")


def test_import_refuses_a_linked_waypoint_far_from_the_track(client, editor_headers, app):
    far = make_poi(*offset(*ORIGIN, 180, 3000), name={"fr": "Ailleurs"})
    waypoint = f'<wpt lat="50.70" lon="1.60"><name>x</name><link href="https://x.test/api/v1/pois/{far.id}"/></wpt>'
    body = assert_problem(
        upload(client, editor_headers, gpx_with(GOOD_POINTS, waypoint), difficulty="easy"), 422, "file"
    )
    assert "max 200 m" in body["detail"]


def test_import_body_over_the_size_cap_is_refused(client, editor_headers, app):
    huge = gpx_with(GOOD_POINTS + "<!--" + "x" * (2 * 1024 * 1024) + "-->")
    assert_problem(upload(client, editor_headers, huge, difficulty="easy"), 413)


def test_import_is_documented_as_multipart(client):
    spec = client.get("/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/routes/import-gpx"]["post"]
    schema = operation["requestBody"]["content"]["multipart/form-data"]["schema"]
    if "$ref" in schema:
        schema = spec["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    assert (schema["properties"]["file"]["type"], schema["properties"]["file"]["format"]) == ("string", "binary")
    assert "difficulty" in schema["properties"]
    gpx_op = spec["paths"]["/api/v1/routes/{route_id}/gpx"]["get"]
    assert "application/gpx+xml" in gpx_op["responses"]["200"]["content"]


def test_a_loop_exports_and_imports_as_a_loop(client, editor_headers, app):
    route = make_route(square_loop(), is_loop=True, theme="nature")
    exported = client.get(f"/api/v1/routes/{route.id}/gpx").get_data()
    imported = upload(client, editor_headers, exported, difficulty="easy").get_json()
    assert imported["properties"]["is_loop"] is True
    assert imported["geometry"]["coordinates"] == square_loop()


def test_import_ignores_waypoints_linked_to_unknown_pois(client, editor_headers, app):
    import uuid

    poi = make_poi(1.605, 50.735, name={"fr": "Sur la trace"})
    waypoints = "".join(
        f'<wpt lat="50.735" lon="1.605"><link href="https://x.test/api/v1/pois/{poi_id}"/></wpt>'
        for poi_id in (uuid.uuid4(), poi.id)
    )
    created = upload(client, editor_headers, gpx_with(GOOD_POINTS, waypoints), difficulty="easy")
    assert created.status_code == 201, created.get_json()
    assert [s["poi_id"] for s in created.get_json()["properties"]["stops"]] == [str(poi.id)]
