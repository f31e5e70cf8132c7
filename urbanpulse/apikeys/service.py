"""Keys: made (shown once), listed, changed, suspended and revoked; stored as a prefix and a SHA-256 hash."""

from __future__ import annotations

import hashlib
import ipaddress
import re
import secrets
import string
import uuid
from urllib.parse import urlsplit

from sqlalchemy import select

from urbanpulse.apikeys.models import ApiKey
from urbanpulse.auth.service import normalise_email
from urbanpulse.core.errors import Conflict, NotFound, ValidationFailed
from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import utcnow

# Recognisable by secret scanners (GitHub's, gitleaks): a fixed prefix, then 43 base62 characters (256 bits).
KEY_PREFIX = "upb_live_"
KEY_BODY_LENGTH = 43
KEY_PATTERN = re.compile(rf"^{KEY_PREFIX}[0-9A-Za-z]{{{KEY_BODY_LENGTH}}}$")
SHOWN_PREFIX_LENGTH = len(KEY_PREFIX) + 6
_BASE62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
# The API groups a key may be limited to (blueprint names); `usage` is always allowed to a valid key.
GROUPS = ("pois", "routes", "events", "media", "sync", "tiles", "ogc")
EDITABLE = ("name", "owner_email", "per_minute", "per_day", "allowed_origins", "allowed_cidrs", "groups")


def generate_key() -> str:
    """A new random key: `upb_live_` and 256 random bits in base62."""
    number = int.from_bytes(secrets.token_bytes(32), "big")
    digits = []
    for _ in range(KEY_BODY_LENGTH):
        number, digit = divmod(number, 62)
        digits.append(_BASE62[digit])
    return KEY_PREFIX + "".join(digits)


def hash_key(key: str) -> str:
    """SHA-256 (hex) of a key. A fast hash is right here: the key is 256 random bits, not a password."""
    return hashlib.sha256(key.encode()).hexdigest()


def well_formed(key: str) -> bool:
    """Whether `key` looks like one of ours (checked before any database look-up)."""
    return KEY_PATTERN.match(key) is not None


def normalise_origin(origin: str) -> str:
    """`https://Partner.example:443/` -> `https://partner.example`: scheme, host and non-default port."""
    parts = urlsplit(origin.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(origin)
    default_port = {"http": 80, "https": 443}[parts.scheme]
    port = f":{parts.port}" if parts.port and parts.port != default_port else ""
    return f"{parts.scheme}://{parts.hostname.lower()}{port}"


def _origins(values) -> list[str]:
    try:
        return sorted({normalise_origin(value) for value in values or ()})
    except ValueError as error:
        raise ValidationFailed.field("allowed_origins", f"not an http(s) origin: {error}") from None


def _cidrs(values) -> list:
    try:
        return sorted({ipaddress.ip_network(value.strip(), strict=False) for value in values or ()}, key=str)
    except ValueError as error:
        raise ValidationFailed.field("allowed_cidrs", str(error)) from None


def _groups(values) -> list[str]:
    unknown = sorted(set(values or ()) - set(GROUPS))
    if unknown:
        raise ValidationFailed.field("groups", f"unknown groups {', '.join(unknown)}; known: {', '.join(GROUPS)}")
    return sorted(set(values or ()))


def _name(value: str) -> str:
    if not value.strip():
        raise ValidationFailed.field("name", "must not be empty")
    return value.strip()


def _quota(field: str, value: int) -> int:
    if not isinstance(value, int) or value < 1:
        raise ValidationFailed.field(field, "must be a positive integer")
    return value


def create_key(
    *,
    name: str,
    owner_email: str,
    per_minute: int,
    per_day: int,
    allowed_origins=(),
    allowed_cidrs=(),
    groups=(),
    created_by: uuid.UUID | None = None,
) -> tuple[ApiKey, str]:
    """Create an active key; returns it and the full key string, which is never stored nor shown again."""
    key = generate_key()
    record = ApiKey(
        name=_name(name),
        owner_email=normalise_email(owner_email),
        prefix=key[:SHOWN_PREFIX_LENGTH],
        hash=hash_key(key),
        per_minute=_quota("per_minute", per_minute),
        per_day=_quota("per_day", per_day),
        allowed_origins=_origins(allowed_origins),
        allowed_cidrs=_cidrs(allowed_cidrs),
        groups=_groups(groups),
        status="active",
        created_by=created_by,
    )
    db.session.add(record)
    db.session.commit()
    return record, key


def list_keys() -> list[ApiKey]:
    """Every key, newest first (revoked ones too: their usage stays readable)."""
    return list(db.session.scalars(select(ApiKey).order_by(ApiKey.created_at.desc(), ApiKey.name)))


def get_key(*, key_id: uuid.UUID) -> ApiKey:
    """One key by id."""
    record = db.session.get(ApiKey, key_id)
    if record is None:
        raise NotFound("no such API key")
    return record


def find_key(*, reference: str) -> ApiKey:
    """A key by id or by its shown prefix (the CLI's way of naming one)."""
    try:
        return get_key(key_id=uuid.UUID(reference))
    except ValueError:
        pass
    found = list(db.session.scalars(select(ApiKey).where(ApiKey.prefix == reference)))
    if len(found) != 1:
        raise NotFound(f"no single API key with id or prefix {reference}")
    return found[0]


def update_key(*, key_id: uuid.UUID, status: str | None = None, **changes) -> ApiKey:
    """Rename a key, change its owner, quotas or restrictions, or suspend / reactivate it."""
    record = get_key(key_id=key_id)
    checks = {
        "name": _name,
        "owner_email": normalise_email,
        "per_minute": lambda value: _quota("per_minute", value),
        "per_day": lambda value: _quota("per_day", value),
        "allowed_origins": _origins,
        "allowed_cidrs": _cidrs,
        "groups": _groups,
    }
    for field, value in changes.items():
        if field not in EDITABLE:
            raise ValidationFailed.field(field, "cannot be changed")
        if value is not None:
            setattr(record, field, checks[field](value))
    if status is not None:
        if status not in ("active", "suspended"):
            raise ValidationFailed.field("status", "must be active or suspended (revoke with DELETE)")
        if record.status == "revoked":
            raise Conflict("a revoked key stays revoked; create a new one")
        record.status = status
    db.session.commit()
    return record


def suspend_key(*, key_id: uuid.UUID) -> ApiKey:
    """Suspend a key (403 until reactivated); every worker refuses it within API_KEY_CACHE_TTL_S."""
    return update_key(key_id=key_id, status="suspended")


def revoke_key(*, key_id: uuid.UUID) -> ApiKey:
    """Revoke a key for good (401 from then on); its usage history stays."""
    record = get_key(key_id=key_id)
    if record.status != "revoked":
        record.status = "revoked"
        record.revoked_at = utcnow()
        db.session.commit()
    return record
