"""Delta sync pages: a full snapshot first (without `since`), then every change after the cursor.

A client that applies each page in turn (Features replace, tombstones delete) and keeps `next_cursor` ends
with exactly the published state once `has_more` is false. Why nothing is missed:

- Snapshot pages list the public items by (type, id); the horizon `h` taken on the first page lies above
  every change that any of those pages could fail to see, and the delta phase that follows replays every
  history row from `h` on, so an item changed while the snapshot was being paged is sent again.
- Delta pages walk the history in (txid, id) order, but only below the horizon (see `horizon.py`): a
  transaction still running when a page is made cannot later add a row behind its cursor.
- Each changed item is sent in its state at the time of the page, never older than the change that made
  it due; a later change has a later history row, hence a later page.

Drafts are never sent: a page only ever reads the public view. A tombstone is sent for an item that is no
longer public if it was ever published (a client may hold it); drafts that never were leave no trace.
"""

from __future__ import annotations

import uuid
from collections import OrderedDict

from urbanpulse.core.errors import ValidationFailed
from urbanpulse.sync import cursor as cursors
from urbanpulse.sync.adapters import SyncType, by_name
from urbanpulse.sync.cursor import Cursor
from urbanpulse.sync.horizon import Position, changes_after, horizon

DEFAULT_LIMIT = 500
MAX_LIMIT = 2000


def _types(requested: list[str] | None, state: Cursor | None) -> list[SyncType]:
    """The selected types in sync order: those of the cursor, else those requested, else all."""
    installed = by_name()
    if state is not None:
        if requested and set(requested) != set(state.types):
            raise ValidationFailed.field(
                "types",
                f"this cursor was issued for types={','.join(state.types)}; start a full sync for other types",
                location="query",
            )
        unknown = [name for name in state.types if name not in installed]
        if unknown:
            raise ValidationFailed.field("since", f"this cursor names types no longer served: {unknown}", "query")
        requested = list(state.types)
    wanted = set(requested or installed)
    return [sync_type for name, sync_type in installed.items() if name in wanted]


def _check_lang(lang: str | None, state: Cursor | None) -> None:
    if state is not None and state.lang != lang:
        issued = f"lang={state.lang}" if state.lang else "no lang (all languages)"
        raise ValidationFailed.field(
            "lang", f"this cursor was issued for {issued}; start a full sync to change language", location="query"
        )


class _Page:
    """The items of one page, each once, in the order of their last change."""

    def __init__(self, lang: str | None) -> None:
        self.lang = lang
        self.items: OrderedDict[tuple[str, uuid.UUID], dict | None] = OrderedDict()

    def __len__(self) -> int:
        return len(self.items)

    def put(self, name: str, item_id: uuid.UUID, feature: dict | None) -> None:
        """Add (or move to the end) an item: its Feature, or None for a tombstone."""
        key = (name, item_id)
        self.items.pop(key, None)
        self.items[key] = feature

    def body(self) -> dict:
        """The GeoJSON FeatureCollection with the tombstones beside it."""
        features = [feature for feature in self.items.values() if feature is not None]
        removed = [{"id": str(i), "type": name, "removed": True} for (name, i), f in self.items.items() if f is None]
        return {"type": "FeatureCollection", "features": features, "removed": removed}


def _snapshot(page: _Page, state: Cursor, types: list[SyncType], limit: int) -> Cursor:
    """Fill `page` with public items from the snapshot position; the cursor after them."""
    index, after = state.after
    while index < len(types) and len(page) < limit:
        rows = types[index].snapshot_page(after, limit - len(page), page.lang)
        for item_id, feature in rows:
            page.put(types[index].name, item_id, feature)
            after = item_id
        if len(page) < limit:
            index, after = index + 1, None
    if index < len(types):
        return Cursor(state.types, state.lang, horizon=state.horizon, after=(index, after))
    return Cursor(state.types, state.lang, position=Position(state.horizon, 0))


def _due_changes(position: Position, below: int, entities: list[str], limit: int) -> tuple[list, Position, bool]:
    """Distinct (entity, id) changed after `position`, at most `limit`; (them, position reached, more wait)."""
    due: OrderedDict[tuple[str, uuid.UUID], None] = OrderedDict()
    batch = max(limit * 2, 200)
    while True:
        rows = changes_after(position, below, entities, batch)
        for row in rows:
            key = (row.entity_type, row.entity_id)
            if key not in due and len(due) >= limit:
                return list(due), position, True
            due.pop(key, None)
            due[key] = None
            position = Position(row.txid, row.id)
        if len(rows) < batch:
            # Everything below the horizon is read: later pages may start right at it.
            return list(due), max(position, Position(below, 0)), False


def _delta(page: _Page, state: Cursor, types: list[SyncType], limit: int, below: int) -> tuple[Cursor, bool]:
    """Fill `page` with the items changed after the cursor; (next cursor, whether more changes wait)."""
    by_entity = {t.entity: t for t in types}
    entities = sorted(set(by_entity) | {entity for t in types for entity in t.dependents})
    due, position, more = _due_changes(state.position, below, entities, limit)
    order = [(entity, item_id) for entity, item_id in due if entity in by_entity]
    for dependent in types:
        for entity, find in dependent.dependents.items():
            changed = [item_id for e, item_id in due if e == entity]
            if changed:
                order.extend((dependent.entity, item_id) for item_id in find(changed))
    _resolve(page, order, by_entity)
    return Cursor(state.types, state.lang, position=position), more


def _resolve(page: _Page, order: list[tuple[str, uuid.UUID]], by_entity: dict[str, SyncType]) -> None:
    """Put each item's current public Feature, or its tombstone, into the page (in `order`)."""
    wanted: dict[str, list[uuid.UUID]] = {}
    for entity, item_id in order:
        wanted.setdefault(entity, []).append(item_id)
    found: dict[str, dict] = {}
    gone: dict[str, set] = {}
    for entity, ids in wanted.items():
        found[entity] = by_entity[entity].public_features(ids, page.lang)
        gone[entity] = by_entity[entity].ever_public([i for i in ids if i not in found[entity]])
    for entity, item_id in order:
        if item_id in found[entity]:
            page.put(by_entity[entity].name, item_id, found[entity][item_id])
        elif item_id in gone[entity]:
            page.put(by_entity[entity].name, item_id, None)


def sync_page(*, since: str | None, types: list[str] | None, lang: str | None, limit: int = DEFAULT_LIMIT) -> dict:
    """One page of changes after `since` (or of the full snapshot without it), with `next_cursor`."""
    state = cursors.decode(since) if since else None
    _check_lang(lang, state)
    selected = _types(types, state)
    below = horizon()
    if state is None:
        state = Cursor(tuple(t.name for t in selected), lang, horizon=below)
    page = _Page(lang)
    snapshot = state.in_snapshot
    if state.in_snapshot:
        state = _snapshot(page, state, selected, limit)
    if state.in_snapshot or len(page) >= limit:
        more = True
    else:
        state, more = _delta(page, state, selected, limit - len(page), below)
    body = page.body()
    body.update(numberReturned=len(page), next_cursor=cursors.encode(state), has_more=more, snapshot=snapshot)
    return body
