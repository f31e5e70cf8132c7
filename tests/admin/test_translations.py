"""Every text of the back office's interface has its French version."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from urbanpulse.admin import events_forms, forms_common, i18n, pois_views, routes_views
from urbanpulse.admin.messages_fr import FRENCH
from urbanpulse.apikeys.models import STATUSES as KEY_STATUSES
from urbanpulse.auth.models import ROLES
from urbanpulse.events.categories import EVENT_STATUSES, PUBLICATION_STATES
from urbanpulse.pois.models import POI_STATUSES

PACKAGE = Path(i18n.__file__).parent
CALLS = ("gettext", "MenuName", "service_message")


def texts_in_templates() -> set[str]:
    found = set()
    for template in PACKAGE.rglob("*.html"):
        found |= {m.group(2) for m in re.finditer(r"""\b_\(\s*(['"])(.+?)\1""", template.read_text())}
    return found


def texts_in_code() -> set[str]:
    found = set()
    for module in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(module.read_text())):
            if not isinstance(node, ast.Call) or not node.args or not isinstance(node.args[0], ast.Constant):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", "")
            if name in CALLS or (name.endswith("Field") and isinstance(node.args[0].value, str)):
                found.add(node.args[0].value)
            if name == "add_translation_fields":
                found.add(node.args[2].value)
    return found


def texts_in_vocabularies() -> set[str]:
    return {
        *events_forms.MODE_NAMES.values(),
        *events_forms.WEEKDAY_NAMES.values(),
        *events_forms.STATUS_ACTIONS.values(),
        *pois_views.STATUS_ACTIONS.values(),
        *routes_views.STATUS_ACTIONS.values(),
        *forms_common.LANGUAGE_NAMES.values(),
        *i18n.GENERIC_MESSAGES.values(),
        *(text for _, text in i18n.LENGTH_MESSAGES),
        *POI_STATUSES,
        *EVENT_STATUSES,
        *PUBLICATION_STATES,
        *ROLES,
        *KEY_STATUSES,
        "create",
        "update",
        "delete",
    }


def test_every_interface_text_has_a_french_translation():
    texts = texts_in_templates() | texts_in_code() | texts_in_vocabularies()
    assert len(texts) > 150
    missing = sorted(text for text in texts if text not in FRENCH)
    assert missing == []


def test_french_texts_keep_their_placeholders():
    for english, french in FRENCH.items():
        assert set(re.findall(r"\{\w*\}", english)) == set(re.findall(r"\{\w*\}", french)), english
