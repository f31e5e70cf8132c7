"""Occurrence listing pages by keyset on (start, event id): events created and deleted between pages."""

from tests.events.helpers import make_event
from tests.paging import cursor_of, pages
from tests.problem import assert_problem
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.events import service

WINDOW = {"from": "2026-05-01", "to": "2026-05-08"}


def occurrences(bodies) -> list[tuple[str, str]]:
    features = [feature for body in bodies for feature in body["features"]]
    return [(f["properties"]["event_id"], f["properties"]["occurrence_start"]) for f in features]


def test_paging_sees_every_lasting_occurrence_once_while_events_come_and_go(client, app):
    daily = dict(rrule="FREQ=DAILY", starts_at="2026-01-01T08:00:00", ends_at="2026-01-01T09:00:00")
    lasting = [make_event(**daily, title={"fr": f"Marché {i}"}) for i in range(3)]
    doomed = [make_event(**daily, title={"fr": f"Éphémère {i}"}) for i in range(3)]
    before = occurrences(pages(client, "/api/v1/events", {**WINDOW, "limit": 100}))

    def change(number):
        if number <= len(doomed):
            gone = doomed[number - 1]
            service.delete_event(event_id=gone.id, if_match=item_etag(gone.id, 1), actor=Actor.system("test"))
        make_event(**daily, title={"fr": f"Nouveau {number}"})

    seen = occurrences(pages(client, "/api/v1/events", {**WINDOW, "limit": 4}, between=change))
    assert len(seen) == len(set(seen))
    wanted = {o for o in before if o[0] in {str(e.id) for e in lasting}}
    assert len(wanted) == 3 * 7 and wanted <= set(seen)
    starts = [start for _, start in seen]
    assert starts == sorted(starts)


def test_an_events_cursor_replayed_with_other_filters_is_a_400(client, app):
    for _ in range(3):
        make_event(rrule="FREQ=DAILY", starts_at="2026-01-01T08:00:00", ends_at="2026-01-01T09:00:00")
    cursor = cursor_of(client.get("/api/v1/events", query_string={**WINDOW, "limit": 2}).get_json())
    assert client.get("/api/v1/events", query_string={**WINDOW, "lang": "en", "cursor": cursor}).status_code == 200
    for other in ({**WINDOW, "category": "sport"}, {"from": "2026-05-02", "to": "2026-05-08"}, {}):
        assert_problem(client.get("/api/v1/events", query_string={**other, "cursor": cursor}), 400, "cursor")
