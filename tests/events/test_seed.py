"""The events seed: at their venue POIs, recurring in wall time, idempotent, keeps editors' changes."""

from sqlalchemy import select

from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.events import seed as events_seed
from urbanpulse.events import service
from urbanpulse.events.models import Event
from urbanpulse.pois import seed as pois_seed
from urbanpulse.runtime.seeding import SEEDS_DIR

ACTOR = Actor.system("seed")


def load():
    pois_seed.load(SEEDS_DIR, actor=ACTOR)
    return events_seed.load(SEEDS_DIR, actor=ACTOR)


def test_seed_loads_every_event_once_and_a_second_run_changes_nothing(app, client):
    assert load() == {"created": 12}
    events = {e.uid.split("@")[0]: e for e in db.session.scalars(select(Event))}
    assert events["cavalcade-15-aout"].venue_poi_id is None and events["cavalcade-15-aout"].location is None
    assert {events[k].publication for k in events if k.startswith("bouda-")} == {"draft"}  # invented samples
    assert events["marche-place-dalton"].publication == "published"
    db.session.expire_all()
    assert load() == {"unchanged": 12}
    query = {"from": "2026-10-20", "to": "2026-11-02", "category": "market", "lang": "fr"}
    features = client.get("/api/v1/events", query_string=query).get_json()["features"]
    dalton = [
        f["properties"]["occurrence_start"]
        for f in features
        if f["properties"]["venue"]["slug"] == "marche-place-dalton"
    ]
    assert dalton == [
        "2026-10-21T08:00:00+02:00",
        "2026-10-24T08:00:00+02:00",
        "2026-10-28T08:00:00+01:00",  # still 08:00 after the October change
        "2026-10-31T08:00:00+01:00",
    ]
    nicolas = client.get(
        f"/api/v1/events/{events['defile-saint-nicolas'].id}/occurrences",
        query_string={"from": "2026-01-01", "to": "2026-12-31"},
    )
    assert [f["properties"]["occurrence_start"] for f in nicolas.get_json()["features"]] == [
        "2026-12-05T17:30:00+01:00"
    ]


def test_seed_keeps_an_event_edited_by_the_tourism_office(app, editor):
    load()
    event = db.session.scalar(select(Event).where(Event.uid == "fete-de-la-mer@urbanpulse-boulogne"))
    service.update_event(
        event_id=event.id,
        if_match=item_etag(event.id, event.version),
        actor=Actor.for_user(editor),
        properties={"price": "5 €"},
    )
    db.session.expire_all()
    result = load()
    assert result == {"unchanged": 11, "kept (edited by the tourism office)": 1}
    assert db.session.get(Event, event.id).price == "5 €"
