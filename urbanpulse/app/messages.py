"""The app's own texts: one JSON catalogue per language (messages/<lang>.json), French being complete."""

from __future__ import annotations

import functools
import json
from pathlib import Path

from urbanpulse.core.i18n import LANGUAGES, REQUIRED_LANGUAGE

CATALOGUES = Path(__file__).resolve().parent / "messages"


@functools.cache
def catalogue(lang: str) -> dict[str, str]:
    """Every text of the app in `lang`, missing ones taken from English then French."""
    merged: dict[str, str] = {}
    for code in (REQUIRED_LANGUAGE, "en", lang):
        if code in LANGUAGES:
            merged.update(json.loads((CATALOGUES / f"{code}.json").read_text(encoding="utf-8")))
    return merged
