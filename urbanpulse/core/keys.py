"""The install's secret: SECRET_KEY, or one generated once into the instance folder; and the keys derived from it.

Nothing published signs anything: without SECRET_KEY each install gets its own random key (a file of mode
0600, created atomically so workers starting together agree on it); production refuses to start without one.
Bearer tokens, back-office sessions and CSRF tokens each get their own key, derived with HKDF-SHA256
(RFC 5869) under a distinct label, so a key recovered from one of them opens none of the others.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
import tempfile
from pathlib import Path

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

KEY_FILE_NAME = "secret_key"
MIN_SECRET_KEY_LENGTH = 32
DERIVED_KEY_BYTES = 32
# Keys that were once published in this repository (the old development default): refused everywhere.
PUBLISHED_SECRET_KEYS = frozenset({"dev-only-insecure-secret-key-change-me"})
# One HKDF label per use; changing a label invalidates every token or cookie signed with its key.
LABELS = {
    "TOKEN_SIGNING_KEY": b"urbanpulse bearer-token v1",
    "SESSION_SIGNING_KEY": b"urbanpulse admin-session v1",
    "WTF_CSRF_SECRET_KEY": b"urbanpulse admin-csrf v1",
}


def derive_key(secret: str, label: bytes) -> bytes:
    """A 256-bit key for one use (`label`), derived from the install's secret with HKDF-SHA256."""
    return HKDF(algorithm=hashes.SHA256(), length=DERIVED_KEY_BYTES, salt=None, info=label).derive(secret.encode())


def _read_key_file(path: Path) -> str:
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise RuntimeError(f"{path} is readable by others (mode {mode:o}); run: chmod 600 {path}")
    key = path.read_text(encoding="utf-8").strip()
    if len(key) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError(f"{path} holds no usable key; delete it to generate a new one, or set SECRET_KEY")
    return key


def create_private_file_once(path: Path, text: str) -> None:
    """Create `path` holding `text`, readable by its owner only, unless it exists: written in full under a
    private temporary name, then linked into place; link() never replaces a file, so processes racing here all
    end up with the one that was linked first, and no reader ever sees it half written."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):
            os.link(temporary, path)
    finally:
        os.unlink(temporary)


def instance_secret_key(folder: Path) -> str:
    """The install's generated key in `folder`, created on first use (0600, atomic: the first writer wins)."""
    path = folder / KEY_FILE_NAME
    if not path.exists():
        create_private_file_once(path, secrets.token_urlsafe(48) + "\n")
    return _read_key_file(path)


def configure_keys(config: dict, *, instance_path: str, production: bool) -> None:
    """Settle SECRET_KEY (refused when published, missing or short in production) and derive the use keys."""
    secret = config.get("SECRET_KEY") or None
    if secret in PUBLISHED_SECRET_KEYS:
        raise RuntimeError("SECRET_KEY is a value published in the repository; set a random one or unset it")
    if secret is None:
        if production:
            raise RuntimeError("production mode needs SECRET_KEY set to a random value of at least 32 characters")
        secret = instance_secret_key(Path(instance_path))
    elif production and len(secret) < MIN_SECRET_KEY_LENGTH:
        raise RuntimeError("production mode needs SECRET_KEY set to a random value of at least 32 characters")
    config["SECRET_KEY"] = secret
    for name, label in LABELS.items():
        config[name] = derive_key(secret, label)
