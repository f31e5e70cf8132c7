"""URL slugs of editable items: made from names, unique per item type, claimed one writer at a time."""

from __future__ import annotations

import re
import uuid

from sqlalchemy import and_, or_, select, text

from urbanpulse.core.errors import Conflict
from urbanpulse.core.extensions import db
from urbanpulse.core.textsearch import normalise


def slugify(name: str, *, fallback: str) -> str:
    """A URL slug from a name: 'Église Saint-Nicolas' -> 'eglise-saint-nicolas' (`fallback` when none is left)."""
    slug = re.sub(r"[^a-z0-9]+", "-", normalise(name)).strip("-")
    return slug[:100] or fallback


class Slugs:
    """The slugs of one item type (`model`, with `id` and `slug` columns), deleted items' slugs included."""

    def __init__(self, model, *, entity_type: str, fallback: str):
        self.model = model
        self.entity_type = entity_type
        self.fallback = fallback

    def _lock(self, slug: str) -> None:
        # Held until this transaction ends: editors creating items of the same name at once get "x", "x-2"...
        # in turn, and two asking for the same slug get a 409, instead of both passing the check (unique index: 500).
        key = f"{self.entity_type}-slug:{slug}"
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": key})

    def free_for(self, name: str) -> str:
        """The slug of `name`, else the first of `slug-2`, `slug-3`... that no item uses."""
        base = slugify(name, fallback=self.fallback)
        self._lock(base)
        # The slugs starting with `base-` (not `base`: "lieu-1" must not read "lieu-10", "lieu-100"...), as a byte
        # range ('.' follows '-') that the text_pattern_ops index serves even in a prepared statement's generic
        # plan, where `LIKE $1` could not use it.
        slug = self.model.slug
        same_name = or_(slug == base, and_(slug.op("~>=~")(f"{base}-"), slug.op("~<~")(f"{base}.")))
        taken = set(db.session.scalars(select(self.model.slug).where(same_name)))
        if base not in taken:
            return base
        n = 2
        while f"{base}-{n}" in taken:
            n += 1
        # An editor may be asking for this very slug by hand (under its own lock): wait for them, then check.
        self.check_free(f"{base}-{n}")
        return f"{base}-{n}"

    def claim(self, slug: str | None, name: str) -> str:
        """The slug of a new item: `slug` when given and free (else 409), or the free one of `name`; both stay
        locked until the transaction ends."""
        if slug:
            self.check_free(slug)
            return slug
        return self.free_for(name)

    def check_free(self, slug: str, *, except_id: uuid.UUID | None = None) -> None:
        """409 naming `properties.slug` when an item other than `except_id` uses `slug`."""
        self._lock(slug)
        owner = db.session.scalar(select(self.model.id).where(self.model.slug == slug))
        if owner is not None and owner != except_id:
            raise Conflict(
                f"slug {slug!r} is already used",
                errors=[{"field": "properties.slug", "in": "json", "messages": ["already used"]}],
            )
