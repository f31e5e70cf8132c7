"""URL slugs of editable items: made from names, unique per item type, claimed one writer at a time."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterable

from sqlalchemy import Text, and_, bindparam, func, or_, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from urbanpulse.core.errors import Conflict
from urbanpulse.core.extensions import db
from urbanpulse.core.textsearch import normalise
from urbanpulse.editing import unit


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

    def _key(self, slug: str) -> str:
        return f"{self.entity_type}-slug:{slug}"

    def _lock(self, slug: str) -> None:
        # Held until this transaction ends: editors creating items of the same name at once get "x", "x-2"...
        # in turn, and two asking for the same slug get a 409, instead of both passing the check (unique index: 500).
        db.session.execute(text("SELECT pg_advisory_xact_lock(hashtext(:key))"), {"key": self._key(slug)})

    def _known(self) -> dict[str, set[str]]:
        """The batch's memo of this type: {base: the slugs `base` and `base-...` in use}, for bases it locked."""
        return unit.memo().setdefault(("slugs", self.entity_type), {})

    def reserve(self, names: Iterable[str]) -> None:
        """Inside a batch, ahead of creating items named `names`: lock their slugs until the transaction ends and
        read which forms of them are taken, in two statements for all, so that `free_for` needs no round trip.
        (Two statements, not one: under READ COMMITTED a read in the locking statement would use a snapshot taken
        before the locks were granted.)"""
        if not unit.in_batch():
            return
        known = self._known()
        bases = {slugify(name, fallback=self.fallback) for name in names} - set(known)
        if not bases:
            return
        # One order for every writer, so that two batches locking many slugs cannot deadlock each other.
        keys = sorted(self._key(base) for base in bases)
        locking = "SELECT count(pg_advisory_xact_lock(hashtext(key))) FROM unnest(CAST(:keys AS text[])) AS key"
        db.session.execute(text(locking), {"keys": keys})
        # The same byte range per base as `free_for`, read by a subquery per base: an index scan each, whatever the
        # plan (a join of the bases with the table may scan the whole table once per base under a generic plan).
        given = func.unnest(bindparam("bases", sorted(bases), type_=ARRAY(Text)))
        given = given.table_valued("base").render_derived("b")
        slug = self.model.slug
        in_range = and_(slug.op("~>=~")(given.c.base), slug.op("~<~")(given.c.base.concat(".").self_group()))
        same_name = select(func.array_agg(slug)).where(in_range).correlate(given).scalar_subquery()
        for base, slugs in db.session.execute(select(given.c.base, same_name)):
            known[base] = {taken for taken in slugs or () if taken == base or taken.startswith(f"{base}-")}

    def _claimed(self, slug: str) -> None:
        """Count `slug` as used in the memo's bases it belongs to (until the item that claimed it is undone)."""
        known = self._known()
        if not known:
            return
        bases = [slug] + [slug[:i] for i, char in enumerate(slug) if char == "-"]
        added = [known[base] for base in bases if base in known and slug not in known[base]]
        for taken in added:
            taken.add(slug)
        if added:

            def undo() -> None:
                for taken in added:
                    taken.discard(slug)

            unit.on_undo(undo)

    def free_for(self, name: str) -> str:
        """The slug of `name`, else the first of `slug-2`, `slug-3`... that no item uses."""
        base = slugify(name, fallback=self.fallback)
        taken = self._known().get(base)
        if taken is None:
            self._lock(base)
            # The slugs starting with `base-` (not `base`: "lieu-1" must not read "lieu-10", "lieu-100"...), as a
            # byte range ('.' follows '-') that the text_pattern_ops index serves even in a prepared statement's
            # generic plan, where `LIKE $1` could not use it.
            slug = self.model.slug
            same_name = or_(slug == base, and_(slug.op("~>=~")(f"{base}-"), slug.op("~<~")(f"{base}.")))
            taken = set(db.session.scalars(select(self.model.slug).where(same_name)))
        if base not in taken:
            self._claimed(base)
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
        if except_id is None:
            self._claimed(slug)
        else:
            self._known().clear()  # a renamed item frees its old slug: the batch reads slugs afresh from here on
