"""Who is writing: an account (API, back office) or a named system process (seed, import)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass


@dataclass(frozen=True)
class Actor:
    """The author of a write, recorded in history and on the item."""

    label: str
    user_id: uuid.UUID | None = None

    @classmethod
    def for_user(cls, user) -> Actor:
        """The actor for a logged-in account."""
        return cls(label=user.email, user_id=user.id)

    @classmethod
    def system(cls, name: str) -> Actor:
        """The actor for a system process such as `seed` or `import`."""
        return cls(label=name)


def authors(item) -> dict:
    """Who created and who last changed an item (account ids, None for system actors), as editors see it."""
    return {
        "created_by": str(item.created_by) if item.created_by else None,
        "updated_by": str(item.updated_by) if item.updated_by else None,
    }
