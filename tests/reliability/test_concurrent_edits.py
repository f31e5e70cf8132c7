"""Concurrent editors against the real gunicorn service (production configuration, several workers).

Lost updates are impossible: 20 simultaneous PATCHes carrying the same ETag give exactly one 200 and nineteen
412s, for a POI, a route and an event; the history records exactly one change, the winner's. Items created at
once with the same name each get their own slug.
"""

from __future__ import annotations

import threading
from collections import Counter

import pytest
import requests

from tests.events.helpers import make_event
from tests.factories import DEFAULT_PASSWORD, make_poi, make_user, poi_feature
from tests.reliability.gunicorn import Service
from tests.routes.factories import make_route, route_feature, walk

pytestmark = pytest.mark.slow
CONTENDERS = 20


@pytest.fixture(scope="module")
def service(database_url, redis_url):
    running = Service(database_url=database_url, redis_url=redis_url, workers=3).start()
    yield running
    running.stop()


def token(service: Service) -> dict:
    editor = make_user(role="editor")
    answer = requests.post(
        f"{service.base}/api/v1/auth/token", json={"email": editor.email, "password": DEFAULT_PASSWORD}, timeout=10
    )
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['access_token']}"}


def race(url: str, headers: dict, bodies: list[dict]) -> list[requests.Response]:
    """PATCH `url` with every body at once, all with the ETag read before."""
    etag = requests.get(url, headers=headers, timeout=10).headers["ETag"]
    start = threading.Barrier(len(bodies))
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def contend(body: dict) -> None:
        with requests.Session() as session:
            session.get(f"{url.split('/api/')[0]}/healthz", timeout=10)  # connection open before the start
            start.wait(timeout=30)
            response = session.patch(url, json=body, headers={**headers, "If-Match": etag}, timeout=30)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=contend, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return answers


@pytest.mark.parametrize("kind", ["pois", "routes", "events"])
def test_one_etag_one_winner(app, service, kind):
    headers = token(service)
    item = {"pois": make_poi, "routes": lambda: make_route(walk()), "events": make_event}[kind]()
    url = f"{service.base}/api/v1/{kind}/{item.id}"
    field = {"pois": "address", "routes": "source", "events": "organiser"}[kind]
    bodies = [{"properties": {field: f"Contender {i}"}} for i in range(CONTENDERS)]

    answers = race(url, headers, bodies)

    assert Counter(a.status_code for a in answers) == {200: 1, 412: CONTENDERS - 1}
    assert all(a.headers["Content-Type"] == "application/problem+json" for a in answers if a.status_code == 412)
    winner = next(a for a in answers if a.status_code == 200).json()["properties"]
    assert winner["version"] == 2
    current = requests.get(url, headers=headers, timeout=10).json()["properties"]
    assert current[field] == winner[field] and current["version"] == 2
    history = requests.get(f"{url}/history", headers=headers, timeout=10).json()
    assert [entry["action"] for entry in history] == ["create", "update"]
    assert history[1]["changes"][field]["new"] == winner[field]


def create_at_once(service: Service, path: str, headers: dict, bodies: list[dict]) -> list[requests.Response]:
    """POST every body to `path` at the same moment."""
    start = threading.Barrier(len(bodies))
    answers: list[requests.Response] = []
    lock = threading.Lock()

    def create(body: dict) -> None:
        with requests.Session() as session:
            session.get(f"{service.base}/healthz", timeout=10)
            start.wait(timeout=30)
            response = session.post(f"{service.base}{path}", json=body, headers=headers, timeout=30)
        with lock:
            answers.append(response)

    threads = [threading.Thread(target=create, args=(body,)) for body in bodies]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads)
    return answers


@pytest.mark.parametrize("kind", ["pois", "routes"])
def test_items_created_at_once_with_the_same_name_all_get_their_own_slug(app, service, kind):
    # The slug is derived from the French name; a client that did not choose one must never get a 409 (or a
    # 500 from the unique index) because another editor's item with the same name was created meanwhile.
    headers = token(service)
    body = poi_feature(name={"fr": "Même nom"}) if kind == "pois" else route_feature(walk(), name={"fr": "Même nom"})
    answers = create_at_once(service, f"/api/v1/{kind}", headers, [body] * CONTENDERS)
    assert Counter(a.status_code for a in answers) == {201: CONTENDERS}, [
        a.text for a in answers if a.status_code != 201
    ]
    slugs = {a.json()["properties"]["slug"] for a in answers}
    assert len(slugs) == CONTENDERS and "meme-nom" in slugs
    # Two editors choosing the same slug at once: one wins, the other is told why (409), never a 500.
    chosen = {**body, "properties": {**body["properties"], "slug": "le-meme-slug"}}
    answers = create_at_once(service, f"/api/v1/{kind}", headers, [chosen] * 6)
    assert Counter(a.status_code for a in answers) == {201: 1, 409: 5}
