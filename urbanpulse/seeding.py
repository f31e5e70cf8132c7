"""Load the Boulogne seed data (files under seeds/) through the domain services; idempotent."""

from __future__ import annotations

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parent.parent / "seeds"
SEED_ACTOR = "seed"


def load_seed(seeds_dir: Path = SEEDS_DIR) -> dict:
    """Create or update every seeded item; returns counts per domain (created/updated/unchanged)."""
    from urbanpulse.editing.actor import Actor

    actor = Actor.system(SEED_ACTOR)
    from urbanpulse.domains import seed_loaders

    return {name: loader(seeds_dir, actor=actor) for name, loader in seed_loaders()}


def load_features(path: Path, *, model, create, refresh) -> dict:
    """The seed loop every slugged domain shares: create what is missing, refresh what only a system
    actor wrote (`refresh(item, feature)` returns "updated"/"unchanged"), never touch editors' changes."""
    import json
    from collections import Counter

    from sqlalchemy import select

    from urbanpulse.extensions import db

    if not path.exists():
        return {"missing": path.name}
    counts: Counter = Counter()
    for feature in json.loads(path.read_text(encoding="utf-8"))["features"]:
        existing = db.session.scalar(select(model).where(model.slug == feature["properties"]["slug"]))
        if existing is None:
            create(feature)
            counts["created"] += 1
        elif existing.updated_by is not None or existing.deleted_at is not None:
            counts["kept (edited by the tourism office)"] += 1
        else:
            counts[refresh(existing, feature)] += 1
    return dict(counts)
