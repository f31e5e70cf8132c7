"""Creating, editing and deleting events: auth, If-Match, history, validation, no partial writes."""

import uuid

from sqlalchemy import text

from tests.events.helpers import event_feature
from tests.factories import make_poi
from tests.problem import assert_problem
from urbanpulse.core.extensions import db


def count_events() -> int:
    return db.session.execute(text("SELECT count(*) FROM events")).scalar_one()


def create(client, headers, **properties):
    return client.post("/api/v1/events", json=event_feature(**properties), headers=headers)


def test_create_returns_201_with_location_etag_and_a_stable_uid(client, editor_headers):
    response = create(client, editor_headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/events/{body['id']}")
    # The item's id and version (for If-Match), the editor's view, then a digest of the body (next_occurrence).
    assert response.headers["ETag"].startswith(f'"{body["id"]}.1.ed.')
    assert body["properties"]["uid"] == f"{body['id']}@urbanpulse-boulogne"
    assert body["properties"]["publication"] == "published" and body["properties"]["version"] == 1
    assert body["properties"]["updated_by"] is not None


def test_writes_need_an_editor_token(client):
    assert_problem(create(client, {}), 401)
    event_id = uuid.uuid4()
    assert_problem(client.patch(f"/api/v1/events/{event_id}", json={"properties": {}}), 401)
    assert_problem(client.delete(f"/api/v1/events/{event_id}"), 401)
    assert_problem(client.get(f"/api/v1/events/{event_id}/history"), 401)


def test_invalid_input_is_422_naming_fields_and_writes_nothing(client, editor_headers):
    cases = [
        ({"rrule": "FREQ=SOMETIMES"}, "properties.rrule"),
        ({"ends_at": "2026-03-21T07:00:00"}, "properties.ends_at"),
        ({"title": {"en": "No French"}}, "properties.title.fr"),
        ({"category": "rave"}, "properties.category"),
        ({"timezone": "Mars/Olympus"}, "properties.timezone"),
        ({"starts_at": "21/03/2026"}, "properties.starts_at"),
        ({"venue_poi_id": str(uuid.uuid4())}, "properties.venue_poi_id"),
        ({"exdates": ["2026-03-21T08:00:00"], "rrule": None}, "properties.rrule"),  # nothing left
    ]
    for properties, field in cases:
        assert_problem(create(client, editor_headers, **properties), 422, field)
    venue = make_poi()
    both = event_feature(venue_poi_id=str(venue.id))
    both["geometry"] = {"type": "Point", "coordinates": [1.6, 50.7]}
    assert_problem(
        client.post("/api/v1/events", json=both, headers=editor_headers), 422, "properties.venue_poi_id", "geometry"
    )
    assert count_events() == 0


def test_patch_needs_if_match_and_records_history(client, editor_headers):
    created = create(client, editor_headers)
    url = f"/api/v1/events/{created.get_json()['id']}"
    change = {"properties": {"status": "cancelled"}}
    assert_problem(client.patch(url, json=change, headers=editor_headers), 428)
    done = client.patch(url, json=change, headers={**editor_headers, "If-Match": created.headers["ETag"]})
    assert done.status_code == 200 and done.get_json()["properties"]["status"] == "cancelled"
    stale = client.patch(
        url, json={"properties": {"price": "5 €"}}, headers={**editor_headers, "If-Match": created.headers["ETag"]}
    )
    assert_problem(stale, 412)
    history = client.get(f"{url}/history", headers=editor_headers).get_json()
    assert [entry["action"] for entry in history] == ["create", "update"]
    assert history[1]["changes"] == {"status": {"old": "scheduled", "new": "cancelled"}}


def test_moving_the_start_keeps_the_duration_and_recomputes_the_span(client, editor_headers):
    created = create(client, editor_headers, rrule="FREQ=WEEKLY;COUNT=3")
    url = f"/api/v1/events/{created.get_json()['id']}"
    moved = client.patch(
        url,
        json={"properties": {"starts_at": "2026-03-22T09:00:00+01:00"}},
        headers={**editor_headers, "If-Match": created.headers["ETag"]},
    )
    props = moved.get_json()["properties"]
    assert props["starts_at"] == "2026-03-22T09:00:00+01:00" and props["ends_at"] == "2026-03-22T14:00:00+01:00"
    occurrences = client.get(f"{url}/occurrences", query_string={"from": "2026-03-01", "to": "2026-06-01"}).get_json()
    assert [f["properties"]["occurrence_start"] for f in occurrences["features"]] == [
        "2026-03-22T09:00:00+01:00",
        "2026-03-29T09:00:00+02:00",
        "2026-04-05T09:00:00+02:00",
    ]


def test_a_venue_replaces_the_own_point_explicitly_and_unchanged_patch_keeps_the_version(client, editor_headers):
    venue = make_poi()
    created = create(client, editor_headers)
    url = f"/api/v1/events/{created.get_json()['id']}"
    headers = {**editor_headers, "If-Match": created.headers["ETag"]}
    assert_problem(
        client.patch(url, json={"properties": {"venue_poi_id": str(venue.id)}}, headers=headers), 422, "geometry"
    )
    moved = client.patch(url, json={"geometry": None, "properties": {"venue_poi_id": str(venue.id)}}, headers=headers)
    assert moved.status_code == 200
    assert moved.get_json()["properties"]["venue"]["id"] == str(venue.id)
    same = client.patch(
        url,
        json={"properties": {"venue_poi_id": str(venue.id)}},
        headers={**editor_headers, "If-Match": moved.headers["ETag"]},
    )
    assert same.get_json()["properties"]["version"] == 2


def test_uid_conflict_is_409_and_delete_hides_the_event(client, editor_headers):
    first = create(client, editor_headers, uid="market@example.org").get_json()
    assert_problem(create(client, editor_headers, uid="market@example.org"), 409, "properties.uid")
    url = f"/api/v1/events/{first['id']}"
    etag = client.get(url).headers["ETag"]
    assert_problem(client.delete(url, headers=editor_headers), 428)
    assert client.delete(url, headers={**editor_headers, "If-Match": etag}).status_code == 204
    assert_problem(client.get(url), 404)
    assert (
        client.get("/api/v1/events", query_string={"from": "2026-03-20", "to": "2026-03-22"}).get_json()["features"]
        == []
    )


def test_drafts_are_404_to_the_public(client, editor_headers):
    draft = create(client, editor_headers, publication="draft").get_json()
    assert_problem(client.get(f"/api/v1/events/{draft['id']}"), 404)
    assert_problem(client.get(f"/api/v1/events/{draft['id']}.ics"), 404)
    assert client.get(f"/api/v1/events/{draft['id']}", headers=editor_headers).status_code == 200


def test_all_day_events_span_whole_days(client, editor_headers):
    created = create(client, editor_headers, all_day=True, starts_at="2026-09-19", ends_at="2026-09-20", rrule=None)
    props = created.get_json()["properties"]
    assert props["all_day"] is True and props["schedule"]["duration"] == "P1D"
    assert props["starts_at"] == "2026-09-19T00:00:00+02:00" and props["ends_at"] == "2026-09-20T00:00:00+02:00"
