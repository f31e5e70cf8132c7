"""A scripted sync client (a phone's local copy) and the published state it must end with."""

from __future__ import annotations


def _comparable(feature: dict) -> dict:
    feature = {key: value for key, value in feature.items() if key != "collection"}
    feature["properties"] = {k: v for k, v in feature["properties"].items() if k != "open_now"}
    return feature


class SyncClient:
    """Applies every page (Features replace, tombstones delete) and keeps the last cursor."""

    def __init__(self, client, **params) -> None:
        self.client = client
        self.params = params
        self.items: dict[tuple[str, str], dict] = {}
        self.cursor: str | None = None
        self.received: list[dict] = []  # every Feature ever received
        self.tombstones: list[dict] = []
        self.pages: list[dict] = []

    def page(self, limit: int = 500) -> dict:
        """Ask for one page and apply it."""
        query = {**self.params, "limit": limit, **({"since": self.cursor} if self.cursor else {})}
        response = self.client.get("/api/v1/sync", query_string=query)
        assert response.status_code == 200, response.get_data(as_text=True)
        body = response.get_json()
        for feature in body["features"]:
            self.items[(feature["collection"], feature["id"])] = feature
            self.received.append(feature)
        for tombstone in body["removed"]:
            assert set(tombstone) == {"id", "type", "removed"} and tombstone["removed"] is True
            self.items.pop((tombstone["type"], tombstone["id"]), None)
            self.tombstones.append(tombstone)
        self.cursor = body["next_cursor"]
        self.pages.append(body)
        return body

    def sync(self, limit: int = 500, max_pages: int = 1000) -> int:
        """Page until has_more is false; the number of pages."""
        for count in range(1, max_pages + 1):
            if not self.page(limit)["has_more"]:
                return count
        raise AssertionError("sync did not finish")

    def copy(self, collection: str = "pois") -> dict[str, dict]:
        """The local copy of one collection, comparable with `published_pois`."""
        return {item_id: _comparable(f) for (name, item_id), f in self.items.items() if name == collection}


def published_pois(client, **params) -> dict[str, dict]:
    """Every published POI as the public API lists it (all pages), by id."""
    found: dict[str, dict] = {}
    cursor = None
    while True:
        query = {"limit": 100, **params, **({"cursor": cursor} if cursor else {})}
        body = client.get("/api/v1/pois", query_string=query).get_json()
        found.update((f["id"], _comparable(f)) for f in body["features"])
        following = [link for link in body["links"] if link["rel"] == "next"]
        if not following:
            return found
        cursor = following[0]["href"].split("cursor=")[1].split("&")[0]
