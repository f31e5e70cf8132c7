"""GET /events, /events/now and /events/{id}/occurrences: windows, order, distance, filters, visibility."""

from tests.events.helpers import BELFRY, PLACE_DALTON, make_event
from tests.factories import make_poi
from tests.problem import assert_problem
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.pois import service as poi_service


def starts(response):
    assert response.status_code == 200, response.get_data(as_text=True)
    return [f["properties"]["occurrence_start"] for f in response.get_json()["features"]]


def test_window_expands_recurrences_in_order_across_the_dst_change(client):
    market = make_event()
    make_event(
        title={"fr": "Concert"},
        category="concert",
        rrule=None,
        starts_at="2026-03-28T20:00:00",
        ends_at="2026-03-28T22:00:00",
    )
    response = client.get("/api/v1/events", query_string={"from": "2026-03-20T00:00:00", "to": "2026-04-05T00:00:00"})
    assert starts(response) == [
        "2026-03-21T08:00:00+01:00",
        "2026-03-28T08:00:00+01:00",
        "2026-03-28T20:00:00+01:00",
        "2026-04-04T08:00:00+02:00",
    ]
    first = response.get_json()["features"][0]
    assert first["properties"]["event_id"] == str(market.id)
    assert first["properties"]["occurrence_end"] == "2026-03-21T13:00:00+01:00"
    assert first["properties"]["recurring"] is True
    assert first["geometry"] == {"type": "Point", "coordinates": list(PLACE_DALTON)}
    assert "distance_m" not in first["properties"]


def test_an_occurrence_started_before_from_and_still_running_is_included(client):
    make_event(rrule=None, starts_at="2026-07-01T10:00:00", ends_at="2026-07-20T18:00:00", category="exhibition")
    inside = client.get("/api/v1/events", query_string={"from": "2026-07-10T00:00:00+02:00", "to": "2026-07-11"})
    assert starts(inside) == ["2026-07-01T10:00:00+02:00"]
    after = client.get("/api/v1/events", query_string={"from": "2026-07-20T18:00:00+02:00", "to": "2026-07-30"})
    assert starts(after) == []


def test_the_window_defaults_to_30_days_and_is_capped_at_366(client):
    make_event(rrule="FREQ=DAILY", starts_at="2026-01-01T08:00:00", ends_at="2026-01-01T09:00:00")
    body = client.get("/api/v1/events", query_string={"limit": 500}).get_json()
    assert 29 <= body["numberReturned"] <= 31
    assert_problem(client.get("/api/v1/events", query_string={"from": "2026-01-01", "to": "2027-01-03"}), 422, "to")
    assert_problem(client.get("/api/v1/events", query_string={"from": "2026-02-01", "to": "2026-01-03"}), 422, "to")
    assert_problem(client.get("/api/v1/events", query_string={"from": "yesterday"}), 422, "from")


def test_paging_with_a_cursor_returns_every_occurrence_once(client):
    make_event(rrule="FREQ=DAILY", starts_at="2026-01-01T08:00:00", ends_at="2026-01-01T09:00:00")
    make_event(rrule="FREQ=DAILY", starts_at="2026-01-01T08:00:00", ends_at="2026-01-01T10:00:00", category="sport")
    url, query = "/api/v1/events", {"from": "2026-05-01", "to": "2026-05-11", "limit": 3}
    seen = []
    for _ in range(20):
        body = client.get(url, query_string=query).get_json()
        seen += [f["id"] for f in body["features"]]
        following = [link["href"] for link in body["links"] if link["rel"] == "next"]
        assert body["truncated"] is bool(following)
        if not following:
            break
        url, query = following[0], None
    assert len(seen) == 20 and len(set(seen)) == 20
    assert_problem(client.get("/api/v1/events", query_string={"cursor": "bogus"}), 400, "cursor")


def test_position_adds_geodesic_distance_and_radius_filters(client):
    make_event()  # Place Dalton, about 594 m from the belfry
    make_event(title={"fr": "Loin"}, lon=1.70, lat=50.80)
    make_event(title={"fr": "Sans lieu"}, venue_poi_id=None, category="parade")
    query = {"from": "2026-03-20", "to": "2026-03-22", "lat": BELFRY[1], "lon": BELFRY[0], "lang": "fr"}
    features = client.get("/api/v1/events", query_string=query).get_json()["features"]
    distances = {f["properties"]["title"]: f["properties"]["distance_m"] for f in features}
    assert 590 < distances["Marché de la place Dalton"] < 600
    assert distances["Sans lieu"] is None and distances["Loin"] > 9000
    near = client.get("/api/v1/events", query_string={**query, "radius": 1000}).get_json()["features"]
    assert [f["properties"]["title"] for f in near] == ["Marché de la place Dalton"]
    assert_problem(client.get("/api/v1/events", query_string={"radius": 100}), 422, "radius")
    assert_problem(client.get("/api/v1/events", query_string={"lat": 50.7}), 422, "lon")


def test_category_and_status_filters_and_cancelled_occurrences_show(client):
    make_event()
    make_event(title={"fr": "Annulé"}, category="concert", status="cancelled")
    query = {"from": "2026-03-20", "to": "2026-03-22", "lang": "fr"}
    everything = client.get("/api/v1/events", query_string=query).get_json()["features"]
    assert {f["properties"]["status"] for f in everything} == {"scheduled", "cancelled"}
    cancelled = next(f for f in everything if f["properties"]["status"] == "cancelled")
    assert cancelled["properties"]["schema_org_status"] == "https://schema.org/EventCancelled"
    only = client.get("/api/v1/events", query_string={**query, "status": "scheduled"}).get_json()["features"]
    assert [f["properties"]["title"] for f in only] == ["Marché de la place Dalton"]
    concerts = client.get("/api/v1/events", query_string={**query, "category": "concert,festival"}).get_json()
    assert [f["properties"]["title"] for f in concerts["features"]] == ["Annulé"]
    assert_problem(client.get("/api/v1/events", query_string={"status": "maybe"}), 422, "status.0")


def test_drafts_and_deleted_events_never_reach_the_public(client, editor_headers):
    make_event(publication="draft", title={"fr": "Brouillon"})
    query = {"from": "2026-03-20", "to": "2026-03-22"}
    assert starts(client.get("/api/v1/events", query_string=query)) == []
    assert starts(client.get("/api/v1/events/now", query_string={"at": "2026-03-21T09:00:00"})) == []
    assert_problem(client.get("/api/v1/events", query_string={**query, "publication": "draft"}), 401)
    drafts = client.get("/api/v1/events", query_string={**query, "publication": "draft"}, headers=editor_headers)
    assert len(starts(drafts)) == 1


def test_an_unpublished_venue_is_not_leaked(client):
    venue = make_poi(slug="bouda", category="third_place", name={"fr": "BOUDA"}, status="draft")
    event = make_event(venue_poi_id=str(venue.id), category="hackathon")
    query = {"from": "2026-03-20", "to": "2026-03-22"}
    [hidden] = client.get("/api/v1/events", query_string=query).get_json()["features"]
    assert hidden["geometry"] is None and hidden["properties"]["venue"] is None
    assert client.get(f"/api/v1/events/{event.id}").get_json()["geometry"] is None
    poi_service.update_poi(
        poi_id=venue.id, if_match=item_etag(venue.id, 1), actor=Actor.system("test"), properties={"status": "published"}
    )
    [shown] = client.get("/api/v1/events", query_string=query).get_json()["features"]
    assert shown["properties"]["venue"]["slug"] == "bouda"
    assert shown["geometry"]["coordinates"] == [1.6146, 50.7259]


def test_now_lists_ongoing_and_soon_starting_events_nearest_first(client):
    make_event(title={"fr": "Marché"})  # 08:00-13:00 Saturdays, 594 m
    make_event(
        title={"fr": "Visite du beffroi"},
        category="guided_tour",
        lon=BELFRY[0],
        lat=BELFRY[1],
        rrule="FREQ=DAILY;BYHOUR=10,14",
        starts_at="2026-03-01T10:00:00",
        ends_at="2026-03-01T11:00:00",
    )
    make_event(
        title={"fr": "Plus tard"},
        category="concert",
        rrule=None,
        starts_at="2026-03-21T12:00:00",
        ends_at="2026-03-21T13:00:00",
        lon=BELFRY[0],
        lat=BELFRY[1],
    )
    query = {"at": "2026-03-21T09:45:00", "lat": BELFRY[1], "lon": BELFRY[0], "lang": "fr", "within_min": 30}
    features = client.get("/api/v1/events/now", query_string=query).get_json()["features"]
    assert [f["properties"]["title"] for f in features] == ["Visite du beffroi", "Marché"]
    tour, market = features
    assert (
        tour["properties"]["ongoing"] is False and tour["properties"]["occurrence_start"] == "2026-03-21T10:00:00+01:00"
    )
    assert (
        market["properties"]["ongoing"] is True
        and market["properties"]["distance_m"] > tour["properties"]["distance_m"]
    )
    later = client.get("/api/v1/events/now", query_string={**query, "within_min": 180}).get_json()["features"]
    assert len(later) == 3  # one entry per event, even when it has several occurrences in the window
    near = client.get("/api/v1/events/now", query_string={**query, "radius": 100}).get_json()["features"]
    assert [f["properties"]["title"] for f in near] == ["Visite du beffroi"]


def test_event_occurrences_and_detail(client):
    event = make_event(exdates=["2026-03-28T08:00:00"])
    response = client.get(
        f"/api/v1/events/{event.id}/occurrences", query_string={"from": "2026-03-20", "to": "2026-04-12"}
    )
    assert starts(response) == ["2026-03-21T08:00:00+01:00", "2026-04-04T08:00:00+02:00", "2026-04-11T08:00:00+02:00"]
    detail = client.get(f"/api/v1/events/{event.id}", query_string={"lang": "en"})
    props = detail.get_json()["properties"]
    assert props["title"] == "Place Dalton market" and detail.headers["Content-Language"] == "en"
    assert props["schedule"] == {
        "timezone": "Europe/Paris",
        "dtstart_local": "2026-03-21T08:00:00",
        "duration": "PT5H",
        "rrule": "FREQ=WEEKLY;BYDAY=SA",
        "exdates": ["2026-03-28T08:00:00+01:00"],
        "rdates": [],
    }
    assert props["starts_at"] == "2026-03-21T08:00:00+01:00"
    assert props["next_occurrence"]["start"].endswith("T08:00:00+01:00") or props["next_occurrence"]["start"].endswith(
        "T08:00:00+02:00"
    )
    assert "notes" not in props and "import_source" not in props
    assert_problem(client.get(f"/api/v1/events/{event.id}/occurrences", query_string={"to": "2020-01-01"}), 422, "to")


def test_a_long_window_stays_bounded_by_the_limit(client):
    make_event(rrule="FREQ=HOURLY", starts_at="2026-01-01T00:00:00", ends_at="2026-01-01T00:30:00")
    body = client.get(
        "/api/v1/events", query_string={"from": "2026-01-01", "to": "2026-12-31", "limit": 500}
    ).get_json()
    assert body["numberReturned"] == 500 and body["truncated"] is True
    last = body["features"][-1]["properties"]["occurrence_start"]
    assert last.startswith("2026-01-21T")  # 500 hours after the start, not the whole year
