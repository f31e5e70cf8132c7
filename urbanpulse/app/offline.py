"""The app's service worker script: Workbox from the app's own static folder, and what it pre-caches."""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

STATIC = Path(__file__).resolve().parent / "static"
# The app shell: what every page needs, cached at install so the app opens with no network.
SHELL_FILES = (
    "app.css",
    "icon.svg",
    "offline.js",
    "data.js",
    "around.js",
    "place_offline.js",
    "walk.js",
    "whats_on.js",
    "share.js",
    "download.js",
    "favourites.js",
    "vendor/idb.js",
)


@functools.cache
def revision(name: str) -> str:
    """A short hash of a static file, so the service worker refreshes exactly the files that changed."""
    return hashlib.sha256((STATIC / name).read_bytes()).hexdigest()[:16]


def shell_manifest(static_url) -> list[dict]:
    """Workbox precache entries {url, revision} of the shell files (`static_url(name)` gives their URL)."""
    return [{"url": static_url(name), "revision": revision(name)} for name in SHELL_FILES]
