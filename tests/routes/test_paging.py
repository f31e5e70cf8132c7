"""Route listing pages by keyset on (created_at, id): slugs renamed, routes created and deleted between pages."""

from tests.paging import cursor_of, ids, pages
from tests.problem import assert_problem
from tests.routes.factories import ORIGIN, make_route, offset, walk
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import item_etag
from urbanpulse.routes import service
from urbanpulse.routes.models import Route


def route(slug: str, **properties):
    return make_route(walk(offset(*ORIGIN, 0, 100 * len(slug)), ((90, 500),)), slug=slug, **properties)


def test_paging_sees_every_lasting_route_once_while_slugs_change_and_routes_come_and_go(client, app):
    lasting = [route(f"balade-{letter}", theme="maritime") for letter in "fmbqxa"]
    doomed = [route(f"ephemere-{letter}", theme="maritime") for letter in "kc"]
    system = Actor.system("test")

    def change(number):
        renamed = lasting[-number]  # a route not served yet moves to the front of the alphabet, or the back
        service.update_route(
            route_id=renamed.id,
            if_match=item_etag(renamed.id, db.session.get(Route, renamed.id).version),
            actor=system,
            properties={"slug": f"{'a' if number % 2 else 'z'}-renommee-{number}"},
        )
        if number <= len(doomed):
            service.delete_route(
                route_id=doomed[number - 1].id, if_match=item_etag(doomed[number - 1].id, 1), actor=system
            )
        route(f"nouvelle-{number}", theme="maritime")

    seen = ids(pages(client, "/api/v1/routes", {"theme": "maritime", "limit": 2}, between=change))
    assert len(seen) == len(set(seen))
    assert {str(r.id) for r in lasting} <= set(seen)
    assert seen[: len(lasting)] == [str(r.id) for r in lasting]  # oldest first, whatever the slugs became


def test_a_route_cursor_replayed_with_other_filters_is_a_400(client, app):
    for letter in "abc":
        route(f"balade-{letter}", theme="maritime", kind="walk")
    body = client.get("/api/v1/routes", query_string={"theme": "maritime", "limit": 1}).get_json()
    cursor = cursor_of(body)
    again = client.get("/api/v1/routes", query_string={"theme": "maritime", "limit": 5, "lang": "de", "cursor": cursor})
    assert again.status_code == 200 and again.get_json()["numberReturned"] == 2
    for other in ({"theme": "nature"}, {"theme": "maritime", "kind": "walk"}, {}):
        assert_problem(client.get("/api/v1/routes", query_string={**other, "cursor": cursor}), 400, "cursor")
