"""What a committed change retires among the cached answers.

Cached entries are tagged with the generations of the regions (and domains) they were computed from; the
change relay (`cache.relay`) bumps those of every committed change, in every worker's view at once.
"""

from __future__ import annotations

from collections.abc import Iterable

from urbanpulse.cache.changelog import Change
from urbanpulse.cache.keys import domain_generation_key, epoch_key, region_generation_key, region_of
from urbanpulse.core.metrics import CACHE_INVALIDATIONS

# Domains whose answers are cached per region of the map (the nearby cache), not only domain-wide.
REGIONAL_DOMAINS = ("pois",)


class CachedAnswers:
    """Relay consumer: retire the answers a change may alter (its domain, and near its old and new positions)."""

    def changed(self, changes: Iterable[Change], effects) -> None:
        """Queue the bumps of the domain and region generations the changes touch."""
        for change in changes:
            if not change.touches(None):
                continue
            effects.bump(domain_generation_key(change.domain))
            CACHE_INVALIDATIONS.labels(change.domain).inc()
            if change.domain not in REGIONAL_DOMAINS:
                continue
            for geometry in (change.old_geom, change.new_geom):
                if geometry is not None:
                    point = geometry.representative_point()
                    effects.bump(region_generation_key(change.domain, region_of(point.x, point.y)))

    def retire_all(self, effects, *, announce: bool) -> None:
        """Queue the bump of the epoch: every cached answer is retired."""
        effects.bump(epoch_key())
