"""Accent- and case-insensitive text normalisation shared by indexing and querying."""

from __future__ import annotations

import re
import unicodedata

_LIGATURES = str.maketrans({"œ": "oe", "Œ": "oe", "æ": "ae", "Æ": "ae", "ß": "ss", "\u2019": "'"})
_SPACES = re.compile(r"[^\w']+|_")


def normalise(text: str) -> str:
    """Lower-case, strip accents and ligatures, collapse punctuation to single spaces."""
    text = unicodedata.normalize("NFKD", text.translate(_LIGATURES))
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    return _SPACES.sub(" ", text.lower()).replace("'", " ").strip()


def search_document(*parts) -> str:
    """One normalised string from translation objects, strings and lists (for the trigram index)."""
    words: list[str] = []
    for part in parts:
        if not part:
            continue
        if isinstance(part, dict):
            words.extend(str(v) for v in part.values() if v)
        elif isinstance(part, list | tuple):
            words.extend(str(v) for v in part if v)
        else:
            words.append(str(part))
    return normalise(" ".join(dict.fromkeys(words)))
