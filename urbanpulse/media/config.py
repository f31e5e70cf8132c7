"""Media settings, read from the environment (README, Configuration) unless the app config sets them."""

from __future__ import annotations

import os

MB = 1024 * 1024


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


def defaults() -> dict:
    """The media settings with their environment values or defaults."""
    return {
        "MEDIA_STORE": os.environ.get("MEDIA_STORE", "local"),
        "MEDIA_ROOT": os.environ.get("MEDIA_ROOT", ""),
        "MEDIA_MAX_UPLOAD_BYTES": _int("MEDIA_MAX_UPLOAD_BYTES", 25 * MB),
        "MEDIA_MAX_PIXELS": _int("MEDIA_MAX_PIXELS", 60_000_000),
        "MEDIA_MAX_FILES": _int("MEDIA_MAX_FILES", 10),
        "MEDIA_MAX_PER_ITEM": _int("MEDIA_MAX_PER_ITEM", 30),
        "MEDIA_QUEUE": os.environ.get("MEDIA_QUEUE", "media"),
        "MEDIA_JOB_ATTEMPTS": _int("MEDIA_JOB_ATTEMPTS", 3),
        "MEDIA_STUCK_AFTER_S": _int("MEDIA_STUCK_AFTER_S", 120),
        # Upstream images of imports are fetched from public addresses only, unless this is set (tests).
        "IMPORT_IMAGES_ALLOW_PRIVATE_HOSTS": os.environ.get("IMPORT_IMAGES_ALLOW_PRIVATE_HOSTS", "") in ("1", "true"),
    }


def init_app(app) -> None:
    """Fill in every media setting the app config does not set."""
    for key, value in defaults().items():
        app.config.setdefault(key, value)
    if not app.config["MEDIA_ROOT"]:
        app.config["MEDIA_ROOT"] = os.path.join(app.instance_path, "media")
