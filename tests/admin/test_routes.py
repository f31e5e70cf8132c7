"""Route pages: a drawn line or a GPX file, ordered stops among nearby POIs, measures computed by the service."""

from __future__ import annotations

import io
import json
import re

from tests.admin.helpers import csrf_token, form_values, hidden, post_form
from tests.factories import auth_headers, make_user
from tests.routes.factories import make_route, offset, pois_at, polyline_length_m, stops_for, walk
from urbanpulse.core.extensions import db
from urbanpulse.editing.models import HistoryEntry
from urbanpulse.routes.models import Route, RouteStop

ENGLISH = {"Accept-Language": "en"}
FORM = {"name_fr": "Balade des remparts", "name_en": "Ramparts walk", "theme": "history", "kind": "walk",
        "difficulty": "easy", "status": "draft"}  # fmt: skip
GPX = b"""<?xml version="1.0" encoding="UTF-8"?>
<gpx version="1.1" creator="a phone" xmlns="http://www.topografix.com/GPX/1/1">
  <trk><name>Tour de la jetee</name><trkseg>
    <trkpt lat="50.7300" lon="1.6000"/><trkpt lat="50.7310" lon="1.6010"/><trkpt lat="50.7320" lon="1.6000"/>
  </trkseg></trk>
</gpx>"""


def _edit_data(client, route_id) -> tuple[str, dict]:
    page = client.get(f"/admin/routes/{route_id}/", headers=ENGLISH).get_data(as_text=True)
    return page, form_values(page, "route-form")


def test_a_drawn_line_with_stops_gets_its_length_and_duration_from_the_service(editor_client, editor):
    line = walk()
    pois = pois_at([offset(*line[1], 0, 20), offset(*line[2], 180, 30)])
    geometry = {"type": "LineString", "coordinates": line}
    stops = [{"poi_id": str(p.id), "trigger_radius_m": 40, "note": {}} for p in pois]
    response = post_form(
        editor_client, "/admin/routes/new", {**FORM, "geometry": json.dumps(geometry), "stops": json.dumps(stops)}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    route = db.session.scalar(db.select(Route))
    assert abs(route.length_m - polyline_length_m(line)) < 0.01
    assert route.duration_min == round(route.length_m / (4.5 * 1000 / 60))
    stored = db.session.scalars(db.select(RouteStop).order_by(RouteStop.position)).all()
    assert [s.poi_id for s in stored] == [p.id for p in pois] and {s.trigger_radius_m for s in stored} == {40}
    assert route.created_by == editor.id
    page = editor_client.get(f"/admin/routes/{route.id}/").get_data(as_text=True)
    assert f"{route.length_m / 1000:.2f} km" in page and f"{route.duration_min} min" in page


def test_a_gpx_file_creates_a_draft_through_the_import(editor_client):
    response = post_form(
        editor_client, "/admin/routes/new", {**FORM, "name_fr": "", "gpx": (io.BytesIO(GPX), "jetee.gpx")}
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    route = db.session.scalar(db.select(Route))
    assert route.name == {"fr": "Tour de la jetee"} and route.status == "draft" and route.theme == "history"


def test_a_broken_gpx_file_is_explained_next_to_the_file_field(editor_client):
    response = post_form(editor_client, "/admin/routes/new", {**FORM, "gpx": (io.BytesIO(b"<gpx><trk>"), "x.gpx")})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-gpx"' in html and "not well-formed" in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Route)) == 0


def test_a_route_without_a_line_says_so(editor_client):
    response = post_form(editor_client, "/admin/routes/new", FORM)
    assert response.status_code == 422
    assert 'id="error-geometry"' in response.get_data(as_text=True)


def test_reordering_stops_against_the_line_is_refused_with_the_reason(editor_client):
    line = walk()
    pois = pois_at([offset(*line[1], 0, 20), offset(*line[2], 180, 30)])
    route = make_route(line, stops=stops_for(pois))
    _, data = _edit_data(editor_client, route.id)
    data["stops"] = json.dumps([{"poi_id": str(pois[1].id)}, {"poi_id": str(pois[0].id)}])
    response = editor_client.post(f"/admin/routes/{route.id}/", data=data, headers=ENGLISH)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="error-stops"' in html and "stops must follow the direction of the line" in html
    db.session.expire_all()
    assert db.session.get(Route, route.id).version == 1


def test_editing_the_line_recomputes_the_measures_and_records_history(editor_client, editor):
    line = walk()
    route = make_route(line)
    _, data = _edit_data(editor_client, route.id)
    shorter = line[:3]
    data["geometry"] = json.dumps({"type": "LineString", "coordinates": shorter})
    response = editor_client.post(f"/admin/routes/{route.id}/", data=data, headers=ENGLISH)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Route, route.id)
    assert stored.version == 2 and abs(stored.length_m - polyline_length_m(shorter)) < 0.01
    entry = db.session.scalars(db.select(HistoryEntry).where(HistoryEntry.version == 2)).one()
    assert set(entry.changes) == {"geometry"} and entry.actor_label == editor.email


def test_uploading_a_gpx_file_on_the_edit_page_replaces_the_line(editor_client):
    route = make_route(walk())
    _, data = _edit_data(editor_client, route.id)
    data["gpx"] = (io.BytesIO(GPX), "jetee.gpx")
    response = editor_client.post(f"/admin/routes/{route.id}/", data=data, headers=ENGLISH)
    assert response.status_code == 302, response.get_data(as_text=True)
    db.session.expire_all()
    stored = db.session.get(Route, route.id)
    assert stored.version == 2 and stored.length_m < 300


def test_publishing_with_a_draft_stop_is_refused_and_explained(editor_client):
    line = walk()
    (poi,) = pois_at([offset(*line[1], 0, 20)], status="draft")
    route = make_route(line, stops=stops_for([poi]), status="draft")
    page = editor_client.get(f"/admin/routes/{route.id}/", headers=ENGLISH).get_data(as_text=True)
    response = editor_client.post(
        f"/admin/routes/{route.id}/status",
        data={"status": "published", "etag": hidden(page, "etag"), "csrf_token": csrf_token(page)},
        headers=ENGLISH,
    )
    assert response.status_code == 422
    assert "publish it first or keep the route a draft" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Route, route.id).status == "draft"


def test_a_stale_route_form_is_refused(app, editor_client, client):
    route = make_route(walk())
    _, data = _edit_data(editor_client, route.id)
    client.patch(
        f"/api/v1/routes/{route.id}",
        json={"properties": {"difficulty": "hard"}},
        headers={**auth_headers(app, make_user(role="editor")), "If-Match": data["etag"]},
    )
    data["name_en"] = "Another name"
    response = editor_client.post(f"/admin/routes/{route.id}/", data=data, headers=ENGLISH)
    assert response.status_code == 409
    assert "Someone changed this item since you opened it (now version 2)" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Route, route.id).name.get("en") == "Test walk"


def test_the_page_offers_the_pois_as_stop_candidates(editor_client):
    route = make_route(walk())
    pois_at([offset(*walk()[1], 0, 20)], prefix="Phare")
    page = editor_client.get(f"/admin/routes/{route.id}/").get_data(as_text=True)
    candidates = json.loads(re.search(r'id="poi-candidates"[^>]*>(.*?)</script>', page, re.S).group(1))
    assert [c["name"] for c in candidates] == ["Phare 1"] and {"lon", "lat", "status"} <= set(candidates[0])
