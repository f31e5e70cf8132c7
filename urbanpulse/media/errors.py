"""The media domain's own HTTP errors (the rest come from core.errors)."""

from __future__ import annotations

from urbanpulse.core.errors import DomainError


class UnsupportedMediaType(DomainError):
    """The body or one of its files is not of a type accepted here."""

    status, title, type_slug = 415, "Unsupported Media Type", "unsupported-media-type"


class PayloadTooLarge(DomainError):
    """An upload over MEDIA_MAX_UPLOAD_BYTES."""

    status, title, type_slug = 413, "Content Too Large", "upload-too-large"


class StorageUnavailable(DomainError):
    """The media store failed; nothing was written."""

    status, title, type_slug = 503, "Service Unavailable", "storage-unavailable"
