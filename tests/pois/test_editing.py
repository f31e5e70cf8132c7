"""Creating, editing and deleting POIs: auth, If-Match, history, validation, no partial writes."""

import uuid
from concurrent.futures import ThreadPoolExecutor

import pytest

from tests.factories import make_poi, poi_feature
from tests.problem import assert_problem


def create(client, headers, **properties):
    return client.post("/api/v1/pois", json=poi_feature(**properties), headers=headers)


def count_pois(app) -> int:
    from sqlalchemy import text

    from urbanpulse.core.extensions import db

    return db.session.execute(text("SELECT count(*) FROM pois")).scalar_one()


def test_create_returns_201_with_location_and_etag(client, editor_headers):
    response = create(client, editor_headers, tags=["unesco", "haute-ville"], opening_hours="Tu-Su 10:00-18:00")
    assert response.status_code == 201
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/pois/{body['id']}")
    assert response.headers["ETag"]
    assert body["geometry"] == {"type": "Point", "coordinates": [1.6146, 50.7259]}
    assert body["properties"]["slug"] == "beffroi-de-boulogne"
    assert body["properties"]["version"] == 1
    fetched = client.get(response.headers["Location"], headers=editor_headers)
    assert fetched.get_json()["properties"]["tags"] == ["unesco", "haute-ville"]


def test_writes_need_an_editor_token(client):
    assert_problem(create(client, {}), 401)
    poi_id = uuid.uuid4()
    assert_problem(client.patch(f"/api/v1/pois/{poi_id}", json={"properties": {}}), 401)
    assert_problem(client.delete(f"/api/v1/pois/{poi_id}"), 401)
    assert_problem(client.get(f"/api/v1/pois/{poi_id}/history"), 401)


def test_duplicate_slug_is_409_and_generated_slugs_are_unique(client, editor_headers):
    first = create(client, editor_headers).get_json()
    second = create(client, editor_headers).get_json()
    assert second["properties"]["slug"] == "beffroi-de-boulogne-2"
    assert_problem(create(client, editor_headers, slug=first["properties"]["slug"]), 409, "properties.slug")


def test_drafts_are_404_to_the_public_and_visible_to_editors(client, editor_headers):
    draft = create(client, editor_headers, status="draft").get_json()
    assert_problem(client.get(f"/api/v1/pois/{draft['id']}"), 404)
    assert client.get(f"/api/v1/pois/{draft['id']}", headers=editor_headers).status_code == 200
    archived = create(client, editor_headers, status="archived").get_json()
    assert_problem(client.get(f"/api/v1/pois/{archived['id']}"), 404)


def test_patch_needs_if_match_428_and_stale_is_412(client, editor_headers):
    created = create(client, editor_headers)
    url = f"/api/v1/pois/{created.get_json()['id']}"
    change = {"properties": {"address": "Place Godefroy-de-Bouillon"}}
    assert_problem(client.patch(url, json=change, headers=editor_headers), 428)
    assert_problem(client.patch(url, json=change, headers={**editor_headers, "If-Match": "*"}), 428)
    first = client.patch(url, json=change, headers={**editor_headers, "If-Match": created.headers["ETag"]})
    assert first.status_code == 200 and first.get_json()["properties"]["version"] == 2
    stale = client.patch(
        url,
        json={"properties": {"address": "ailleurs"}},
        headers={**editor_headers, "If-Match": created.headers["ETag"]},
    )
    assert_problem(stale, 412)
    assert client.get(url).get_json()["properties"]["address"] == "Place Godefroy-de-Bouillon"


def test_etag_from_a_language_view_is_accepted_by_if_match(client, editor_headers):
    created = create(client, editor_headers).get_json()
    url = f"/api/v1/pois/{created['id']}"
    etag = client.get(url, query_string={"lang": "de"}).headers["ETag"]
    response = client.patch(
        url, json={"properties": {"tags": ["belfry"]}}, headers={**editor_headers, "If-Match": etag}
    )
    assert response.status_code == 200


def test_patch_merges_translations_and_moves_the_point(client, editor_headers):
    created = create(client, editor_headers)
    url = f"/api/v1/pois/{created.get_json()['id']}"
    response = client.patch(
        url,
        json={
            "geometry": {"type": "Point", "coordinates": [1.6150, 50.7262]},
            "properties": {"name": {"en": "The Belfry", "de": "Belfried"}, "description": {"en": None}},
        },
        headers={**editor_headers, "If-Match": created.headers["ETag"]},
    )
    assert response.status_code == 200, response.get_json()
    props = response.get_json()["properties"]
    assert props["name"] == {"fr": "Beffroi de Boulogne", "en": "The Belfry", "de": "Belfried"}
    assert props["description"] == {"fr": "Beffroi classé à l'UNESCO."}
    assert response.get_json()["geometry"]["coordinates"] == [1.615, 50.7262]


def test_history_lists_each_change_with_old_and_new_values(client, editor, editor_headers):
    created = create(client, editor_headers)
    url = f"/api/v1/pois/{created.get_json()['id']}"
    etag = created.headers["ETag"]
    etag = client.patch(
        url,
        json={"properties": {"opening_hours": "Mo-Su 09:00-19:00"}},
        headers={**editor_headers, "If-Match": etag},
    ).headers["ETag"]
    # A PATCH that changes nothing adds no entry and keeps the version.
    same = client.patch(
        url,
        json={"properties": {"opening_hours": "Mo-Su 09:00-19:00"}},
        headers={**editor_headers, "If-Match": etag},
    )
    assert same.get_json()["properties"]["version"] == 2
    assert client.delete(url, headers={**editor_headers, "If-Match": etag}).status_code == 204
    entries = client.get(f"{url}/history", headers=editor_headers).get_json()
    assert [e["action"] for e in entries] == ["create", "update", "delete"]
    assert [e["version"] for e in entries] == [1, 2, 3]
    assert entries[1]["changes"] == {"opening_hours": {"old": None, "new": "Mo-Su 09:00-19:00"}}
    assert entries[1]["actor"] == editor.email and entries[1]["actor_id"] == str(editor.id)


def test_delete_is_soft_and_hides_the_poi_everywhere(client, editor_headers):
    created = create(client, editor_headers)
    poi_id = created.get_json()["id"]
    assert_problem(client.delete(f"/api/v1/pois/{poi_id}", headers=editor_headers), 428)
    assert (
        client.delete(
            f"/api/v1/pois/{poi_id}", headers={**editor_headers, "If-Match": created.headers["ETag"]}
        ).status_code
        == 204
    )
    assert_problem(client.get(f"/api/v1/pois/{poi_id}"), 404)
    assert_problem(client.get(f"/api/v1/pois/{poi_id}", headers=editor_headers), 404)
    listing = client.get("/api/v1/pois", query_string={"bbox": "1.5,50.6,1.7,50.8"}).get_json()
    assert listing["numberMatched"] == 0
    assert len(client.get(f"/api/v1/pois/{poi_id}/history", headers=editor_headers).get_json()) == 2


def test_concurrent_patches_with_one_etag_exactly_one_wins(app, client, editor_headers):
    created = create(client, editor_headers)
    url = f"/api/v1/pois/{created.get_json()['id']}"
    etag = created.headers["ETag"]

    def patch(i):
        with app.test_client() as own_client:
            return own_client.patch(
                url,
                json={"properties": {"address": f"adresse {i}"}},
                headers={**editor_headers, "If-Match": etag},
            ).status_code

    with ThreadPoolExecutor(max_workers=10) as pool:
        statuses = list(pool.map(patch, range(10)))
    assert sorted(statuses) == [200] + [412] * 9
    entries = client.get(f"{url}/history", headers=editor_headers).get_json()
    assert [e["action"] for e in entries] == ["create", "update"]


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda f: f["properties"]["name"].pop("fr"), "properties.name.fr"),
        (lambda f: f["properties"].update(category="spaceport"), "properties.category"),
        (lambda f: f["properties"].update(opening_hours="Mo-Fx 10:00"), "properties.opening_hours"),
        (lambda f: f["properties"].update(colour="blue"), "properties.colour"),
        (lambda f: f.update(geometry={"type": "LineString", "coordinates": [[1, 50], [2, 51]]}), "geometry"),
        (lambda f: f.update(geometry={"type": "Point", "coordinates": [200, 50]}), "geometry"),
        (lambda f: f.update(geometry={"type": "Point", "coordinates": [1.6, 95]}), "geometry"),
        (lambda f: f.update(geometry={"type": "Point", "coordinates": ["1.6", 50.7]}), "geometry"),
        (lambda f: f.update(geometry={"type": "Point", "coordinates": [1.6]}), "geometry"),
        (lambda f: f.pop("geometry"), "geometry"),
        (lambda f: f.update(type="FeatureCollection"), "type"),
        (lambda f: f.update(extra=1), "extra"),
        (lambda f: f["properties"].update(status="secret"), "properties.status"),
        (lambda f: f["properties"].update(tags=["Not A Tag!"]), "properties.tags.0"),
        (
            lambda f: f["properties"].update(contact={"website": "javascript:alert(1)"}),
            "properties.contact.website",
        ),
        (
            lambda f: f["properties"].update(accessibility={"wheelchair": "maybe"}),
            "properties.accessibility.wheelchair",
        ),
        (lambda f: f["properties"].update(media=[{"alt": {"fr": "x"}}]), "properties.media"),
        (lambda f: f["properties"].update(slug="Bad Slug"), "properties.slug"),
    ],
)
def test_invalid_bodies_are_422_naming_the_field_and_write_nothing(app, client, editor_headers, mutate, field):
    feature = poi_feature()
    mutate(feature)
    response = client.post("/api/v1/pois", json=feature, headers=editor_headers)
    assert_problem(response, 422, field)
    assert count_pois(app) == 0


def test_malformed_opening_hours_error_carries_the_parser_message(client, editor_headers):
    body = assert_problem(create(client, editor_headers, opening_hours="Mo-Fx 10:00"), 422)
    message = body["errors"][0]["messages"][0]
    assert "opening_hours" in message and "expected" in message


def test_patch_validation_errors_write_nothing(client, editor_headers):
    created = create(client, editor_headers)
    url = f"/api/v1/pois/{created.get_json()['id']}"
    headers = {**editor_headers, "If-Match": created.headers["ETag"]}
    assert_problem(
        client.patch(url, json={"properties": {"name": {"fr": None}}}, headers=headers),
        422,
        "properties.name.fr",
    )
    assert_problem(
        client.patch(url, json={"properties": {"category": "nope", "address": "x"}}, headers=headers),
        422,
        "properties.category",
    )
    after = client.get(url).get_json()["properties"]
    assert after["version"] == 1 and after["address"] is None


def test_hostile_strings_are_stored_verbatim(client, editor_headers):
    hostile = "<script>alert('x')</script> ' OR 1=1; DROP TABLE pois; --"
    created = create(client, editor_headers, name={"fr": hostile}, address=hostile)
    assert created.status_code == 201
    fetched = client.get(f"/api/v1/pois/{created.get_json()['id']}").get_json()["properties"]
    assert fetched["name"]["fr"] == hostile and fetched["address"] == hostile


def test_editor_sees_authors_public_does_not(client, editor, editor_headers):
    created = create(client, editor_headers).get_json()
    public = client.get(f"/api/v1/pois/{created['id']}").get_json()["properties"]
    assert "created_by" not in public
    private = client.get(f"/api/v1/pois/{created['id']}", headers=editor_headers).get_json()["properties"]
    assert private["created_by"] == str(editor.id)


def test_service_path_is_the_same_for_cli_and_seed(app):
    poi = make_poi(name={"fr": "Nausicaá"}, category="aquarium")
    from urbanpulse.editing.history import entries_for

    assert [e.action for e in entries_for(entity_type="poi", entity_id=poi.id)] == ["create"]
    from urbanpulse.core.errors import ValidationFailed
    from urbanpulse.editing.actor import Actor
    from urbanpulse.pois.service import create_poi_from_feature

    with pytest.raises(ValidationFailed) as error:
        create_poi_from_feature(poi_feature(category="nope"), actor=Actor.system("test"))
    assert error.value.errors[0]["field"] == "properties.category"


def test_if_match_accepts_the_etag_of_a_compressed_representation(client, editor_headers):
    created = create(client, editor_headers, description={"fr": "x" * 2000})
    url = f"/api/v1/pois/{created.get_json()['id']}"
    compressed = client.get(url, headers={**editor_headers, "Accept-Encoding": "gzip"})
    assert compressed.headers["Content-Encoding"] == "gzip"
    etag = compressed.headers["ETag"]
    response = client.patch(url, json={"properties": {"tags": ["x"]}}, headers={**editor_headers, "If-Match": etag})
    assert response.status_code == 200, (etag, response.get_json())
