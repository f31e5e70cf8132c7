"""Delta sync: a scripted client ends with exactly the published state, whatever happens between pages."""

from __future__ import annotations

import threading

import psycopg
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from tests.factories import make_poi, poi_feature
from tests.problem import assert_problem
from tests.sync.helpers import SyncClient, published_pois
from urbanpulse.core.config import to_libpq_url, with_database

NAMES = ["Beffroi", "Basilique", "Château", "Nausicaá", "Calvaire", "Porte des Dunes", "Colonne", "Phare"]


def make_many(count: int, **properties) -> list:
    return [
        make_poi(1.600 + i / 1000, 50.720 + i / 2000, name={"fr": f"{NAMES[i % len(NAMES)]} {i}"}, **properties)
        for i in range(count)
    ]


def api_create(client, headers, **properties) -> dict:
    response = client.post("/api/v1/pois", json=poi_feature(1.605, 50.726, **properties), headers=headers)
    assert response.status_code == 201, response.get_json()
    return {"id": response.get_json()["id"], "etag": response.headers["ETag"]}


def api_patch(client, headers, item: dict, **body) -> dict:
    response = client.patch(f"/api/v1/pois/{item['id']}", json=body, headers={**headers, "If-Match": item["etag"]})
    assert response.status_code == 200, response.get_json()
    return {"id": item["id"], "etag": response.headers["ETag"]}


def api_delete(client, headers, item: dict) -> None:
    response = client.delete(f"/api/v1/pois/{item['id']}", headers={**headers, "If-Match": item["etag"]})
    assert response.status_code == 204


def etag_of(client, headers, poi) -> dict:
    return {"id": str(poi.id), "etag": client.get(f"/api/v1/pois/{poi.id}", headers=headers).headers["ETag"]}


def never_sent_drafts(mirror: SyncClient) -> None:
    assert all(feature["properties"]["status"] == "published" for feature in mirror.received)


def test_full_snapshot_pages_hold_exactly_the_published_pois(client, editor_headers):
    published = make_many(7)
    draft = make_poi(1.61, 50.73, status="draft", name={"fr": "Brouillon secret"})
    make_poi(1.62, 50.73, status="archived", name={"fr": "Archivé"})
    api_delete(client, editor_headers, etag_of(client, editor_headers, make_poi(1.63, 50.73)))
    mirror = SyncClient(client)
    pages = mirror.sync(limit=3)
    assert pages == 3
    assert all(page["snapshot"] for page in mirror.pages)
    assert [len(page["features"]) for page in mirror.pages] == [3, 3, 1]
    assert mirror.copy() == published_pois(client)
    assert set(mirror.copy()) == {str(p.id) for p in published}
    assert len(mirror.received) == 7 and mirror.tombstones == []  # each item once, nothing to remove
    assert str(draft.id) not in mirror.copy()
    never_sent_drafts(mirror)
    first = mirror.received[0]
    assert first["type"] == "Feature" and first["collection"] == "pois" and "open_now" not in first["properties"]
    assert "created_by" not in first["properties"]


def test_a_second_sync_gets_creates_edits_and_tombstones_and_nothing_else(client, editor_headers):
    kept, edited, unpublished, archived, deleted = (etag_of(client, editor_headers, p) for p in make_many(5))
    mirror = SyncClient(client)
    mirror.sync()
    cursor = mirror.cursor
    created = api_create(client, editor_headers, name={"fr": "Nouveau lieu"})
    draft = api_create(client, editor_headers, name={"fr": "Brouillon"}, status="draft")
    draft = api_patch(client, editor_headers, draft, properties={"name": {"fr": "Brouillon revu"}})
    scrapped = api_create(client, editor_headers, name={"fr": "Jamais publié"}, status="draft")
    api_delete(client, editor_headers, scrapped)
    api_patch(
        client,
        editor_headers,
        edited,
        properties={"name": {"en": "Edited"}},
        geometry=poi_feature(1.59, 50.7)["geometry"],
    )
    api_patch(client, editor_headers, unpublished, properties={"status": "draft"})
    api_patch(client, editor_headers, archived, properties={"status": "archived"})
    api_delete(client, editor_headers, deleted)

    assert mirror.sync(limit=2) >= 2
    assert mirror.copy() == published_pois(client)
    changed = [f["id"] for page in mirror.pages[1:] for f in page["features"]]
    assert sorted(changed) == sorted([created["id"], edited["id"]])
    assert mirror.items[("pois", edited["id"])]["geometry"]["coordinates"] == [1.59, 50.7]
    gone = sorted(t["id"] for t in mirror.tombstones)
    assert gone == sorted([unpublished["id"], archived["id"], deleted["id"]])
    assert draft["id"] not in {f["id"] for f in mirror.received}
    assert scrapped["id"] not in gone  # never public: no trace of it, not even a tombstone
    assert kept["id"] in mirror.copy() and not mirror.pages[-1]["snapshot"]
    never_sent_drafts(mirror)

    api_patch(client, editor_headers, draft, properties={"status": "published"})
    mirror.sync()
    assert mirror.copy() == published_pois(client) and draft["id"] in mirror.copy()
    # Nothing changed since: an empty page, and the cursor can be kept as it is.
    quiet = mirror.page()
    assert quiet["features"] == [] and quiet["removed"] == [] and quiet["has_more"] is False
    assert mirror.cursor != cursor


def test_changes_while_the_snapshot_is_paged_are_caught_up(client, editor_headers):
    items = [etag_of(client, editor_headers, p) for p in make_many(6)]
    mirror = SyncClient(client)
    first = mirror.page(limit=2)
    sent = [f["id"] for f in first["features"]]
    by_id = {item["id"]: item for item in items}
    later = [item for item in items if item["id"] not in sent]
    api_patch(client, editor_headers, by_id[sent[0]], properties={"name": {"fr": "Déjà envoyé puis modifié"}})
    api_delete(client, editor_headers, by_id[sent[1]])
    api_patch(client, editor_headers, later[-1], properties={"name": {"fr": "Pas encore envoyé, modifié"}})
    api_delete(client, editor_headers, later[0])
    api_create(client, editor_headers, name={"fr": "Créé pendant la copie"})
    mirror.sync(limit=2)
    assert mirror.copy() == published_pois(client)
    assert mirror.items[("pois", sent[0])]["properties"]["name"]["fr"] == "Déjà envoyé puis modifié"
    assert {t["id"] for t in mirror.tombstones} >= {sent[1]}


def test_a_write_committed_during_paging_is_not_missed(app, client, editor_headers):
    """A transaction writes its history row first but commits last: the cursor must wait for it."""
    from urbanpulse.core.extensions import db
    from urbanpulse.editing.actor import Actor
    from urbanpulse.editing.etags import item_etag
    from urbanpulse.editing.models import HistoryEntry
    from urbanpulse.pois import service

    first, second = make_many(2)
    mirror = SyncClient(client)
    mirror.sync()
    flushed, release = threading.Event(), threading.Event()

    def hold_before_commit(session, _context):
        if threading.current_thread() is writer and any(isinstance(o, HistoryEntry) for o in session.new):
            flushed.set()
            release.wait(30)

    def write():
        with app.app_context():
            service.update_poi(
                poi_id=first.id,
                if_match=item_etag(first.id, first.version),
                actor=Actor.system("slow-import"),
                properties={"name": {"fr": "Écrit tôt, validé tard"}},
            )

    event.listen(Session, "after_flush", hold_before_commit)
    writer = threading.Thread(target=write)
    try:
        writer.start()
        assert flushed.wait(10), "the writer never reached its history insert"
        quick = api_patch(
            client, editor_headers, etag_of(client, editor_headers, second), properties={"address": "Quai"}
        )
        added = api_create(client, editor_headers, name={"fr": "Ajouté pendant l'import"})
        held = mirror.page()
        # The running transaction holds the horizon: nothing after it is handed out yet, so the cursor
        # cannot pass the history row it has already written.
        assert held["features"] == [] and held["removed"] == [] and held["has_more"] is False
    finally:
        release.set()
        writer.join(30)
        event.remove(Session, "after_flush", hold_before_commit)
    rows = db.session.execute(
        text("SELECT entity_id::text AS item, txid, id FROM history WHERE action = 'update' ORDER BY history.id")
    ).all()
    slow, fast = rows
    assert slow.item == str(first.id) and fast.item == quick["id"]
    assert slow.id < fast.id and slow.txid < fast.txid  # written first, committed last
    mirror.sync()
    assert mirror.copy() == published_pois(client)
    assert mirror.items[("pois", str(first.id))]["properties"]["name"]["fr"] == "Écrit tôt, validé tard"
    assert mirror.items[("pois", quick["id"])]["properties"]["address"] == "Quai"
    assert ("pois", added["id"]) in mirror.items


def test_transactions_of_other_databases_do_not_hold_sync_back(client, database_url):
    mirror = SyncClient(client)
    mirror.sync()
    with psycopg.connect(to_libpq_url(with_database(database_url, "postgres"))) as neighbour:
        neighbour.execute("SELECT pg_current_xact_id()")  # a running transaction with an id, elsewhere
        poi = make_poi(name={"fr": "Pendant une transaction voisine"})
        mirror.sync()
        assert str(poi.id) in mirror.copy()
    with psycopg.connect(to_libpq_url(database_url)) as local:
        local.execute("SELECT pg_current_xact_id()")  # one here: it may still write history
        held = make_poi(name={"fr": "Après une transaction locale"})
        mirror.sync()
        assert str(held.id) not in mirror.copy()
        local.rollback()
    mirror.sync()
    assert str(held.id) in mirror.copy()


def test_lang_flattens_and_binds_the_cursor(client):
    make_poi(name={"fr": "Beffroi", "de": "Belfried"})
    mirror = SyncClient(client, lang="de")
    mirror.sync()
    (feature,) = mirror.items.values()
    assert feature["properties"]["name"] == "Belfried" and feature["properties"]["lang"] == "de"
    response = client.get("/api/v1/sync", query_string={"since": mirror.cursor, "lang": "en"})
    assert_problem(response, 422, "lang")
    response = client.get("/api/v1/sync", query_string={"since": mirror.cursor})
    assert_problem(response, 422, "lang")


def test_bad_arguments_are_422_naming_them(client):
    assert_problem(client.get("/api/v1/sync", query_string={"since": "not-a-cursor"}), 422, "since")
    assert_problem(client.get("/api/v1/sync", query_string={"since": "eyJ2IjoxfQ"}), 422, "since")
    assert_problem(client.get("/api/v1/sync", query_string={"types": "pois,ufos"}), 422, "types.1")
    assert_problem(client.get("/api/v1/sync", query_string={"limit": 0}), 422, "limit")
    assert_problem(client.get("/api/v1/sync", query_string={"lang": "xx"}), 422, "lang")
    assert_problem(client.get("/api/v1/sync", query_string={"bbox": "1,2,3,4"}), 422, "bbox")


def test_sync_ignores_credentials_and_never_sends_drafts_to_editors(client, editor_headers):
    make_poi(status="draft", name={"fr": "Brouillon"})
    body = client.get("/api/v1/sync", headers=editor_headers).get_json()
    assert body["features"] == [] and body["removed"] == []
    assert client.get("/api/v1/sync").headers["Cache-Control"] == "no-cache"
