"""Strong ETags derived from an item's id and version, and the If-Match rules for writes."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable

from urbanpulse.core.errors import PreconditionFailed, PreconditionRequired
from urbanpulse.web.http import body_digest

# Flask-Compress marks compressed representations with a ":gzip"/":br" suffix inside the quotes.
_ETAG_ITEM = re.compile(r'^(?:W/)?"([0-9a-f-]{36})\.(\d+)(?:\.[a-z0-9.]+)?(?::[a-z]+)?"$')


def item_etag(item_id: uuid.UUID, version: int, variant: str | None = None) -> str:
    """`"<id>.<version>[.<variant>]"`; the variant (e.g. a language) keeps each representation distinct."""
    suffix = f".{variant}" if variant else ""
    return f'"{item_id}.{version}{suffix}"'


def representation_etag(item_id: uuid.UUID, version: int, *, lang: str | None, editor: bool, extra: str = "") -> str:
    """The ETag of one representation of an item: its language, the editor's view, anything `extra` it shows."""
    variant = ".".join(filter(None, (lang, "ed" if editor else None, extra)))
    return item_etag(item_id, version, variant or None)


def body_bound_etag(item_id: uuid.UUID, version: int, *, lang: str | None, editor: bool) -> Callable[[bytes], str]:
    """The ETag maker of a representation that also depends on the clock (`open_now`, `next_occurrence`).

    Its ETag is the representation's plus a digest of the body it is given, so an If-None-Match never gets a
    304 for an answer that says something else; it still names the item's id and version for If-Match.
    """
    return lambda body: representation_etag(item_id, version, lang=lang, editor=editor, extra=body_digest(body))


def parse_if_match(header: str | None) -> list[tuple[str, int]]:
    """The (id, version) pairs named by an If-Match header; 428 when absent or `*`."""
    if not header or not header.strip():
        raise PreconditionRequired("this write needs an If-Match header with the ETag you last read")
    if header.strip() == "*":
        raise PreconditionRequired("If-Match: * is not accepted; send the ETag you last read")
    pairs = []
    for token in header.split(","):
        match = _ETAG_ITEM.match(token.strip())
        if match:
            pairs.append((match.group(1), int(match.group(2))))
    return pairs


def check_if_match(header: str | None, *, item_id: uuid.UUID, version: int) -> None:
    """Raise 428 without If-Match, 412 unless it names the item's current version."""
    pairs = parse_if_match(header)
    if (str(item_id), version) not in pairs:
        raise PreconditionFailed(
            f"the item has changed since you read it (current version {version}); reload and retry",
        )
