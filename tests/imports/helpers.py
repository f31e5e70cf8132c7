"""Shared helpers of the import tests."""

from __future__ import annotations

import json
from contextlib import contextmanager


@contextmanager
def configured(app, sources: list[dict]):
    """IMPORT_SOURCES set to `sources` for the block."""
    saved = app.config["IMPORT_SOURCES"]
    app.config["IMPORT_SOURCES"] = json.dumps(sources)
    try:
        yield
    finally:
        app.config["IMPORT_SOURCES"] = saved
