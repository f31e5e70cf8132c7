"""Where the bytes live: one small interface, a local folder or PostgreSQL (shared by every instance).

Keys are content addresses (`<sha256>` or `<sha256>.<ext>`), so a put is idempotent and a file never
changes under its name. The PostgreSQL store writes in the caller's transaction: the blob and the row
that names it commit or roll back together.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from pathlib import Path
from typing import Protocol

from flask import current_app
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert

from urbanpulse.core.extensions import db
from urbanpulse.media.models import MediaBlob

KEY = re.compile(r"^(orig/)?[0-9a-f]{64}(\.(webp|jpg))?$")


class StorageError(Exception):
    """The store could not keep or give back a file."""


class MediaStore(Protocol):
    """What the media service needs from a store."""

    transactional: bool

    def put(self, key: str, data: bytes) -> bool:
        """Keep `data` under `key`; True when it was not there before."""

    def get(self, key: str) -> bytes:
        """The bytes under `key`; KeyError when missing."""

    def delete(self, key: str) -> None:
        """Forget `key` (nothing when missing)."""


def _checked(key: str) -> str:
    if not KEY.match(key):
        raise ValueError(f"not a media key: {key!r}")
    return key


class LocalStore:
    """Files under a folder (`MEDIA_ROOT`), two levels of sub-folders by hash; one machine only."""

    transactional = False

    def __init__(self, root: str | os.PathLike):
        self.root = Path(root)

    def path(self, key: str) -> Path:
        """The file of `key`."""
        name = _checked(key)
        digest = name.removeprefix("orig/")
        return self.root / ("orig" if name.startswith("orig/") else "pub") / digest[:2] / digest[2:4] / digest

    def put(self, key: str, data: bytes) -> bool:
        """Write to a temporary file beside the target, then rename: readers never see half a file."""
        target = self.path(key)
        if target.is_file():
            return False
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(data)
                os.replace(tmp, target)
            finally:
                if os.path.exists(tmp):
                    os.unlink(tmp)
        except OSError as error:
            raise StorageError(f"could not write {key}: {error}") from error
        return True

    def get(self, key: str) -> bytes:
        """The file's bytes."""
        try:
            return self.path(key).read_bytes()
        except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
            raise KeyError(key) from None
        except OSError as error:
            raise StorageError(f"could not read {key}: {error}") from error

    def delete(self, key: str) -> None:
        """Remove the file."""
        with contextlib.suppress(IsADirectoryError):
            self.path(key).unlink(missing_ok=True)


class PostgresStore:
    """Rows of media_blobs (bytea) in the app's database, in the current transaction."""

    transactional = True

    def put(self, key: str, data: bytes) -> bool:
        """Insert unless present."""
        inserted = db.session.execute(
            insert(MediaBlob)
            .values(key=_checked(key), data=data, size=len(data))
            .on_conflict_do_nothing()
            .returning(MediaBlob.key)
        )
        return inserted.first() is not None

    def get(self, key: str) -> bytes:
        """The blob's bytes."""
        data = db.session.scalar(select(MediaBlob.data).where(MediaBlob.key == _checked(key)))
        if data is None:
            raise KeyError(key)
        return bytes(data)

    def delete(self, key: str) -> None:
        """Delete the row."""
        db.session.execute(delete(MediaBlob).where(MediaBlob.key == _checked(key)))

    def count(self) -> int:
        """How many blobs are stored (tests, operators)."""
        return db.session.scalar(select(func.count()).select_from(MediaBlob))


def current_store() -> MediaStore:
    """The app's store, as MEDIA_STORE says (`local` or `postgres`)."""
    kind = current_app.config["MEDIA_STORE"]
    if kind == "postgres":
        return PostgresStore()
    if kind == "local":
        return LocalStore(current_app.config["MEDIA_ROOT"])
    raise RuntimeError(f"MEDIA_STORE must be 'local' or 'postgres', not {kind!r}")
