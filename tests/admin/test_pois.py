"""POI pages through the test client: the same validation, If-Match, history and cache invalidation as the API."""

from __future__ import annotations

import re

from tests.admin.helpers import csrf_token, form_values, hidden, post_form
from tests.factories import auth_headers, make_poi
from urbanpulse.core.extensions import db
from urbanpulse.editing.models import HistoryEntry
from urbanpulse.pois.models import Poi

FORM = {
    "name_fr": "Musée de la Marine",
    "name_en": "Navy Museum",
    "description_fr": "Maquettes de bateaux.",
    "category": "museum",
    "lon": "1.6012345",
    "lat": "50.7265432",
    "opening_hours": "Tu-Su 10:00-18:00",
    "status": "draft",
}


def _edit(client, poi_id, changes: dict, *, etag: str | None = None):
    """Load the edit page, change some fields, submit it (with the page's ETag unless `etag` is given)."""
    english = {"Accept-Language": "en"}
    page = client.get(f"/admin/pois/{poi_id}/", headers=english).get_data(as_text=True)
    data = {**form_values(page, "poi-form"), **changes}
    if etag:
        data["etag"] = etag
    return client.post(f"/admin/pois/{poi_id}/", data=data, headers=english)


def _error(html: str, field: str) -> str:
    match = re.search(rf'id="error-{field}"[^>]*>(.*?)</div>\s*</div>', html, flags=re.S)
    assert match, f"no error shown next to {field}"
    return re.sub(r"<[^>]+>", " ", match.group(1))


def test_creating_a_poi_goes_through_the_service_with_the_editor_as_author(editor_client, editor):
    response = post_form(editor_client, "/admin/pois/new", FORM)
    assert response.status_code == 302
    poi = db.session.scalar(db.select(Poi))
    assert response.headers["Location"] == f"/admin/pois/{poi.id}/"
    assert poi.name == {"fr": "Musée de la Marine", "en": "Navy Museum"}
    assert poi.description == {"fr": "Maquettes de bateaux."}
    assert poi.slug == "musee-de-la-marine" and poi.status == "draft" and poi.version == 1
    assert poi.created_by == editor.id and poi.updated_by == editor.id
    (entry,) = db.session.scalars(db.select(HistoryEntry).where(HistoryEntry.entity_id == poi.id))
    assert entry.action == "create" and entry.actor_label == editor.email and entry.actor_id == editor.id
    assert entry.changes["location"]["new"] == [1.6012345, 50.7265432]


def test_the_opening_hours_parser_message_is_shown_next_to_the_field(editor_client):
    response = post_form(editor_client, "/admin/pois/new", {**FORM, "opening_hours": "Tu-Su 10:00-25:99"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "invalid opening_hours" in _error(html, "opening_hours")
    assert 'value="Navy Museum"' in html  # what was typed stays in the form
    assert db.session.scalar(db.select(db.func.count()).select_from(Poi)) == 0


def test_each_service_error_lands_next_to_its_field(editor_client):
    response = post_form(
        editor_client,
        "/admin/pois/new",
        {**FORM, "name_fr": "", "website": "ftp://example.org", "tags": "Bad Tag", "lon": "", "lat": ""},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "required" in _error(html, "name_fr")
    assert "web address" in _error(html, "website")
    assert _error(html, "tags") and _error(html, "lon")
    # The French tab holds an error: it is open and marked.
    assert re.search(r'id="tab-text-fr"[^>]*>[^<]*<span class="badge badge-danger', html.replace("\n", ""))


def test_messages_and_labels_follow_the_interface_language(client, editor):
    from tests.admin.helpers import login

    login(client, editor, lang="fr")
    response = post_form(client, "/admin/pois/new", {**FORM, "name_fr": ""}, lang="fr")
    html = response.get_data(as_text=True)
    assert "Ce champ est obligatoire." in _error(html, "name_fr")
    assert "Horaires d&#39;ouverture" in html or "Horaires d'ouverture" in html


def test_editing_records_only_the_changed_fields_and_invalidates_the_cache(app, editor_client, client, editor):
    poi = make_poi(name={"fr": "Beffroi", "en": "Belfry"}, opening_hours="Mo-Su 09:00-17:00")
    nearby = {"lat": 50.7259, "lon": 1.6146, "radius": 100, "lang": "en"}
    before = client.get("/api/v1/pois/nearby", query_string=nearby).get_json()
    assert before["features"][0]["properties"]["name"] == "Belfry"  # now cached

    response = _edit(editor_client, poi.id, {"name_en": "The Belfry", "opening_hours": "Mo-Su 10:00-18:00"})
    assert response.status_code == 302
    db.session.expire_all()
    stored = db.session.get(Poi, poi.id)
    assert stored.version == 2 and stored.updated_by == editor.id
    entry = db.session.scalars(db.select(HistoryEntry).where(HistoryEntry.version == 2)).one()
    assert entry.action == "update" and entry.actor_label == editor.email
    assert set(entry.changes) == {"name", "opening_hours"}
    after = client.get("/api/v1/pois/nearby", query_string=nearby).get_json()
    assert after["features"][0]["properties"]["name"] == "The Belfry"


def test_moving_the_marker_moves_the_poi_for_the_nearby_search(editor_client, client):
    poi = make_poi(1.6146, 50.7259)
    assert _edit(editor_client, poi.id, {"lon": "1.6000000", "lat": "50.7300000"}).status_code == 302
    near_old = client.get("/api/v1/pois/nearby", query_string={"lat": 50.7259, "lon": 1.6146, "radius": 50})
    near_new = client.get("/api/v1/pois/nearby", query_string={"lat": 50.73, "lon": 1.6, "radius": 50})
    assert near_old.get_json()["features"] == []
    assert near_new.get_json()["features"][0]["id"] == str(poi.id)


def test_saving_an_unchanged_form_changes_nothing(editor_client):
    poi = make_poi(tags=["unesco", "heritage"], contact={"phone": "+33 3 21 10 88 10"}, address="Place Godefroy")
    assert _edit(editor_client, poi.id, {}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Poi, poi.id).version == 1


def test_blanking_a_language_removes_it_as_a_merge_patch_would(editor_client):
    poi = make_poi(name={"fr": "Beffroi", "en": "Belfry", "nl": "Belfort"})
    assert _edit(editor_client, poi.id, {"name_nl": ""}).status_code == 302
    db.session.expire_all()
    assert db.session.get(Poi, poi.id).name == {"fr": "Beffroi", "en": "Belfry"}


def test_a_stale_form_is_refused_with_the_conflict_message_and_nothing_is_overwritten(app, editor_client, client):
    poi = make_poi(opening_hours="Mo-Su 09:00-17:00")
    page = editor_client.get(f"/admin/pois/{poi.id}/").get_data(as_text=True)
    old_etag = hidden(page, "etag")
    api = client.patch(
        f"/api/v1/pois/{poi.id}",
        json={"properties": {"address": "Rue de la Paix"}},
        headers={**auth_headers(app, make_user_admin()), "If-Match": old_etag},
    )
    assert api.status_code == 200

    response = _edit(editor_client, poi.id, {"opening_hours": "Mo-Su 11:00-12:00"}, etag=old_etag)
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Someone changed this item since you opened it (now version 2)" in html
    assert 'value="Mo-Su 11:00-12:00"' in html  # the editor's typing is kept to copy from
    assert hidden(html, "etag") == old_etag  # a second click does not overwrite either
    db.session.expire_all()
    stored = db.session.get(Poi, poi.id)
    assert stored.version == 2 and stored.opening_hours == "Mo-Su 09:00-17:00" and stored.address == "Rue de la Paix"


def make_user_admin():
    """Another account (a colleague using the API)."""
    from tests.factories import make_user

    return make_user(role="admin")


def test_publish_unpublish_and_archive_change_what_the_public_sees(editor_client, client):
    poi = make_poi(status="draft")

    def status(target: str):
        page = editor_client.get(f"/admin/pois/{poi.id}/").get_data(as_text=True)
        return editor_client.post(
            f"/admin/pois/{poi.id}/status",
            data={"status": target, "etag": hidden(page, "etag"), "csrf_token": csrf_token(page)},
        )

    public = f"/api/v1/pois/{poi.id}"
    assert client.get(public).status_code == 404
    assert status("published").status_code == 302
    assert client.get(public).status_code == 200
    assert status("archived").status_code == 302
    assert client.get(public).status_code == 404
    assert status("draft").status_code == 302
    db.session.expire_all()
    stored = db.session.get(Poi, poi.id)
    assert stored.status == "draft" and stored.version == 4
    actions = [e.changes["status"]["new"] for e in db.session.scalars(db.select(HistoryEntry).order_by(HistoryEntry.id))
               if "status" in e.changes]  # fmt: skip
    assert actions[-3:] == ["published", "archived", "draft"]


def test_a_stale_status_change_is_refused(editor_client):
    poi = make_poi(status="draft")
    page = editor_client.get(f"/admin/pois/{poi.id}/").get_data(as_text=True)
    assert _edit(editor_client, poi.id, {"address": "Quai Gambetta"}).status_code == 302
    response = editor_client.post(
        f"/admin/pois/{poi.id}/status",
        data={"status": "published", "etag": hidden(page, "etag"), "csrf_token": csrf_token(page)},
        headers={"Accept-Language": "en"},
    )
    assert response.status_code == 409
    assert "Someone changed this item" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Poi, poi.id).status == "draft"


def test_the_list_searches_and_filters_every_status(editor_client):
    make_poi(name={"fr": "Église Saint-Nicolas"}, category="church", status="published")
    make_poi(name={"fr": "Basilique Notre-Dame"}, category="church", status="draft")
    make_poi(name={"fr": "Nausicaá"}, category="aquarium", status="archived")

    def names(**query) -> list[str]:
        html = editor_client.get("/admin/pois/", query_string=query).get_data(as_text=True)
        return re.findall(r'<tr data-id="[^"]+">\s*<td><a href="[^"]+">([^<]+)</a>', html)

    assert sorted(names()) == ["Basilique Notre-Dame", "Nausicaá", "Église Saint-Nicolas"]
    assert names(q="eglise saint nicola") == ["Église Saint-Nicolas"]
    assert names(q="nausikaa") == ["Nausicaá"]
    assert sorted(names(category="church")) == ["Basilique Notre-Dame", "Église Saint-Nicolas"]
    assert names(status="draft") == ["Basilique Notre-Dame"]
    assert names(category="church", status="archived") == []
    html = editor_client.get("/admin/pois/", query_string={"category": "church"}).get_data(as_text=True)
    markers = re.search(r'<script type="application/json" id="results-data"[^>]*>(.*?)</script>', html, re.S)
    assert markers.group(1).count('"lon"') == 2  # the map shows the filtered results


def test_the_history_page_lists_every_change_newest_first(editor_client, editor):
    poi = make_poi()
    _edit(editor_client, poi.id, {"address": "Place Godefroy de Bouillon"})
    html = editor_client.get(f"/admin/pois/{poi.id}/history").get_data(as_text=True)
    versions = re.findall(r"<tr>\s*<td>(\d+)</td>", html)
    assert versions == ["2", "1"]
    assert editor.email in html and "Place Godefroy de Bouillon" in html


def test_unknown_or_deleted_pois_are_404(app, editor_client, client, editor):
    poi = make_poi()
    assert editor_client.get("/admin/pois/00000000-0000-0000-0000-000000000000/").status_code == 404
    assert editor_client.get("/admin/pois/not-a-uuid/").status_code == 404
    etag = client.get(f"/api/v1/pois/{poi.id}").headers["ETag"]
    client.delete(f"/api/v1/pois/{poi.id}", headers={**auth_headers(app, editor), "If-Match": etag})
    assert editor_client.get(f"/admin/pois/{poi.id}/").status_code == 404
