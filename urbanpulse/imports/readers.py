"""Opening a source by its name: what the CLI commands and the scheduled runs both read, the same way."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass

from flask import current_app

from urbanpulse.imports.engine import SourceError

SOURCE_KINDS = ("datatourisme", "openagenda", "tourinsoft")
DEFAULT_AREA = (1.40, 50.50, 1.95, 51.00)  # the Boulonnais, generously


def import_area() -> tuple[float, float, float, float]:
    """Where imported objects may lie (IMPORT_AREA_BBOX: west, south, east, north), else the Boulonnais."""
    return tuple(current_app.config.get("IMPORT_AREA_BBOX") or DEFAULT_AREA)


@dataclass(frozen=True)
class Opened:
    """A source ready to import: its objects, whether it is a complete snapshot, and where it was read (no key)."""

    objects: Iterable
    complete: bool
    location: str


def datatourisme_api_settings(endpoint: str | None = None):
    """How the DATAtourisme API is read: the DATATOURISME_API_* settings, `endpoint` replacing the configured one."""
    from urbanpulse.imports.datatourisme_api import DEFAULT_MAX_WAIT_S, MAX_PAGE_SIZE, Settings

    config = current_app.config
    try:
        return Settings(
            endpoint=endpoint or config.get("DATATOURISME_API_ENDPOINT") or "catalog",
            filters=config.get("DATATOURISME_API_FILTERS") or "",
            page_size=int(config.get("DATATOURISME_API_PAGE_SIZE") or MAX_PAGE_SIZE),
            fields=config.get("DATATOURISME_API_FIELDS") or "",
            lang=config.get("DATATOURISME_API_LANG") or "",
            max_wait_s=float(config.get("DATATOURISME_API_MAX_WAIT_S") or DEFAULT_MAX_WAIT_S),
        )
    except (TypeError, ValueError):
        raise SourceError("DATATOURISME_API_PAGE_SIZE and DATATOURISME_API_MAX_WAIT_S must be numbers") from None


def open_source(
    kind: str,
    location: str,
    *,
    partial: bool = False,
    since: str | None = None,
    api_key: str | None = None,
    mapping_file: str | None = None,
    endpoint: str | None = None,
) -> Opened:
    """The objects of `location` read as `kind`; SourceError when the source (or its mapping) cannot be read.
    `since` (an incremental read: a partial snapshot) applies to OpenAgenda and the DATAtourisme API."""
    shown = location.split("?")[0]  # never a key, should a URL carry one
    if kind == "datatourisme":
        from urbanpulse.imports import datatourisme, datatourisme_api

        if datatourisme_api.is_api(location):
            settings = datatourisme_api_settings(endpoint)
            key = api_key or os.environ.get("DATATOURISME_API_KEY")
            nodes = datatourisme_api.read(location, api_key=key, since=since, settings=settings)
            shown = datatourisme_api.endpoint_url(location, settings.endpoint)
            return Opened(datatourisme.candidates(nodes), not (since or partial), shown)
        if since:
            raise SourceError("--since reads the DATAtourisme API only: a flux is a whole snapshot (or --partial)")
        return Opened(datatourisme.candidates(datatourisme.read_source(location)), not partial, location)
    if kind == "openagenda":
        from urbanpulse.imports import openagenda

        key = api_key or os.environ.get("OPENAGENDA_API_KEY")
        events = openagenda.read_source(location, api_key=key, since=since)
        return Opened((openagenda.candidate(event) for event in events), not (since or partial), shown)
    if kind == "tourinsoft":
        from urbanpulse.imports import tourinsoft

        mapping_file = mapping_file or os.environ.get("TOURINSOFT_MAPPING")
        override = tourinsoft.read_mapping(mapping_file) if mapping_file else None
        mapping = tourinsoft.mapping_with(override)
        items = tourinsoft.read_source(location)
        return Opened((tourinsoft.candidate(item, mapping) for item in items), not partial, shown)
    raise SourceError(f"unknown source kind {kind!r} (one of {', '.join(SOURCE_KINDS)})")
