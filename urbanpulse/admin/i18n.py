"""The back office's interface language: French by default, English on request (session switch or browser)."""

from __future__ import annotations

import re

from flask import request, session

from urbanpulse.admin.messages_fr import FRENCH
from urbanpulse.core.i18n import pick

UI_LANGUAGES = ("fr", "en")
DEFAULT_UI_LANGUAGE = "fr"
SESSION_KEY = "ui_lang"

# marshmallow's generic messages, as the services return them, said plainly to an editor.
GENERIC_MESSAGES = {
    "Missing data for required field.": "This field is required.",
    "Field may not be null.": "This text cannot be removed; change it instead.",
    "Shorter than minimum length 1.": "This field cannot be empty.",
    "Not a valid URL.": "Not a valid web address (it must start with http:// or https://).",
    "Not a valid email address.": "Not a valid email address.",
    "String does not match expected pattern.": "Invalid format.",
}


def ui_lang() -> str:
    """The interface language of this request: the session's choice, else the browser's, else French."""
    chosen = session.get(SESSION_KEY)
    if chosen in UI_LANGUAGES:
        return chosen
    best = request.accept_languages.best_match(UI_LANGUAGES) if request else None
    return best or DEFAULT_UI_LANGUAGE


def gettext(text: str, **values) -> str:
    """`text` (written in English) in the interface language, with `{name}` placeholders filled."""
    if ui_lang() == "fr":
        text = FRENCH.get(text, text)
    return text.format(**values) if values else text


# marshmallow's length messages with their numbers, said plainly.
LENGTH_MESSAGES = (
    (re.compile(r"^Shorter than minimum length ([2-9]|\d\d+)\.$"), "At least {0} characters."),
    (re.compile(r"^Longer than maximum length (\d+)\.$"), "At most {0} characters."),
    (re.compile(r"^Length must be between (\d+) and (\d+)\.$"), "Between {0} and {1} characters."),
)


def service_message(message: str) -> str:
    """A validation message from a service, translated when it is one of the generic ones."""
    for pattern, text in LENGTH_MESSAGES:
        match = pattern.match(message)
        if match:
            return gettext(text).format(*match.groups())
    return gettext(GENERIC_MESSAGES.get(message, message))


def label(labels: dict | None, default: str = "") -> str:
    """A vocabulary label ({"fr", "en", ...}) in the interface language."""
    return pick(labels, ui_lang())[0] or default


def translated(value: dict | None) -> str:
    """A stored translation object in the interface language (falling back like the API does)."""
    return pick(value, ui_lang())[0] or ""
