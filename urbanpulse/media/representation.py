"""An item's images as served (the `media` list of POIs, routes and events) and as history records them."""

from __future__ import annotations

from urbanpulse.core.i18n import translated
from urbanpulse.media.models import Media
from urbanpulse.media.processing import CONTENT_TYPES

FILES_PATH = "/api/v1/media/files/"
FORMAT_NAMES = {"webp": "webp", "jpg": "jpeg"}


def file_url(key: str) -> str:
    """The (content-addressed, immutable) URL path of a served file."""
    return FILES_PATH + key


def served(row: Media) -> dict:
    """One image as every reader sees it, all languages: {id, width, height, alt, caption, credit, licence,
    cover, status, sizes: [{width, format, url}]}."""
    return {
        "id": str(row.id),
        "width": row.width,
        "height": row.height,
        "alt": dict(row.alt or {}),
        "caption": dict(row.caption or {}),
        "credit": row.credit,
        "licence": row.licence,
        "cover": bool(row.is_cover),
        "status": row.status,
        "sizes": [
            {"width": size["width"], "format": FORMAT_NAMES[size["ext"]], "url": file_url(size["key"])}
            for size in row.sizes or []
        ],
    }


def in_language(items: list | None, lang: str | None) -> list:
    """The served list with its texts in `lang` (fallback requested → en → fr); all languages when None."""
    if lang is None:
        return list(items or [])
    return [
        {**item, "alt": translated(item.get("alt"), lang), "caption": translated(item.get("caption"), lang)}
        for item in items or []
    ]


def cover_url(items: list | None, *, width: int = 320, fmt: str = "webp") -> str | None:
    """The URL of the cover's `width` size (or its smallest) in `fmt`, None when it has none yet."""
    cover = next((item for item in items or [] if item.get("cover")), None)
    sizes = [size for size in (cover or {}).get("sizes", []) if size["format"] == fmt]
    if not sizes:
        return None
    fitting = [size for size in sizes if size["width"] >= width]
    return min(fitting or sizes, key=lambda size: abs(size["width"] - width))["url"]


def history_state(rows: list[Media]) -> list[dict]:
    """What history compares: each image's texts, rights, order, cover and processing state."""
    return [
        {
            "id": str(row.id),
            "position": row.position,
            "cover": bool(row.is_cover),
            "alt": dict(row.alt or {}),
            "caption": dict(row.caption or {}),
            "credit": row.credit,
            "licence": row.licence,
            "status": row.status,
            "original": row.original_key,
        }
        for row in rows
    ]


def content_type_of(key: str) -> str:
    """The Content-Type of a served file from its extension."""
    return CONTENT_TYPES[key.rsplit(".", 1)[1]]


_COVER_SQL = (
    "(SELECT s->>'url' FROM jsonb_array_elements({column}) m, jsonb_array_elements(m->'sizes') s "
    "WHERE (m->>'cover')::boolean AND s->>'format' = 'webp' ORDER BY (s->>'width')::int LIMIT 1)"
)


def cover_url_sql(media_column: str) -> str:
    """SQL for `cover_url` of an item whose served list is `media_column` (the smallest WebP of its cover)."""
    return _COVER_SQL.format(column=media_column)  # a column name the caller writes, never input
