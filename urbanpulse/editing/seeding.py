"""The seed loop every slugged domain shares: create what is missing, refresh only what a system actor wrote."""

from __future__ import annotations

from pathlib import Path


def refreshed(item, update) -> str:
    """Run `update(if_match=...)` on a seeded item as of its current version: "updated" when that made a new
    version, else "unchanged"."""
    from urbanpulse.editing.etags import item_etag

    version = item.version
    return "updated" if update(if_match=item_etag(item.id, version)).version != version else "unchanged"


def load_features(path: Path, *, model, actor, create, update) -> dict:
    """The seed loop every slugged domain shares: `create(feature, actor=)` what is missing, refresh with
    `update(item, feature, if_match=, actor=)` what only a system actor wrote, never touch editors' changes."""
    import json
    from collections import Counter
    from functools import partial

    from sqlalchemy import select

    from urbanpulse.core.extensions import db

    if not path.exists():
        return {"missing": path.name}
    counts: Counter = Counter()
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        existing = db.session.scalar(select(model).where(model.slug == feature["properties"]["slug"]))
        if existing is None:
            create(feature, actor=actor)
            counts["created"] += 1
        elif existing.updated_by is not None or existing.deleted_at is not None:
            counts["kept (edited by the tourism office)"] += 1
        else:
            counts[refreshed(existing, partial(update, existing, feature, actor=actor))] += 1
    return dict(counts)
