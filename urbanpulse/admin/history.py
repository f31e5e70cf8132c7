"""History entries as rows a person reads: newest first, local time, each changed field old -> new."""

from __future__ import annotations

import json

from urbanpulse.pois.hours import CITY_ZONE

MAX_VALUE_CHARS = 400


def _show(value) -> str:
    if value is None:
        return "—"
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, sort_keys=True)
    return text if len(text) <= MAX_VALUE_CHARS else text[: MAX_VALUE_CHARS - 1] + "…"


def history_rows(entries) -> list[dict]:
    """One dict per entry: version, action, who, when (Europe/Paris) and the changed fields."""
    rows = []
    for entry in reversed(entries):
        changes = entry.changes or {}
        rows.append(
            {
                "version": entry.version,
                "action": entry.action,
                "actor": entry.actor_label,
                "when": entry.created_at.astimezone(CITY_ZONE).strftime("%Y-%m-%d %H:%M:%S"),
                "changes": [
                    {"field": field, "old": _show(change.get("old")), "new": _show(change.get("new"))}
                    for field, change in sorted(changes.items())
                    if isinstance(change, dict)
                ],
            }
        )
    return rows
