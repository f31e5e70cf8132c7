"""Load the Boulogne seed data (files under seeds/) through the domain services; idempotent."""

from __future__ import annotations

from pathlib import Path

SEEDS_DIR = Path(__file__).resolve().parents[2] / "seeds"
SEED_ACTOR = "seed"


def load_seed(seeds_dir: Path = SEEDS_DIR) -> dict:
    """Create or update every seeded item; returns counts per domain (created/updated/unchanged)."""
    from urbanpulse.editing.actor import Actor

    actor = Actor.system(SEED_ACTOR)
    from urbanpulse.runtime.domains import seed_loaders

    return {name: loader(seeds_dir, actor=actor) for name, loader in seed_loaders()}
