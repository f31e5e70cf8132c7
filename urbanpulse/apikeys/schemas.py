"""Request and response bodies of the API-key endpoints (admins) and of /usage (key holders)."""

from marshmallow import Schema, fields, validate

from urbanpulse.apikeys.models import STATUSES
from urbanpulse.apikeys.service import GROUPS

MAX_QUOTA = 2_000_000_000
_ORIGINS = fields.List(
    fields.String(validate=validate.Length(min=8, max=300)),
    validate=validate.Length(max=50),
    metadata={"description": "Browser origins allowed (Origin, else Referer), e.g. https://partner.example"},
)
_CIDRS = fields.List(
    fields.String(validate=validate.Length(min=2, max=50)),
    validate=validate.Length(max=50),
    metadata={"description": "Server addresses allowed, as CIDR blocks (203.0.113.0/24, 2001:db8::/32)"},
)
_GROUPS = fields.List(
    fields.String(validate=validate.OneOf(GROUPS)),
    validate=validate.Length(max=len(GROUPS)),
    metadata={"description": "API groups the key may call (empty: all); /usage is always allowed"},
)


class ApiKeySchema(Schema):
    """A key as admins see it: never the key itself, only its prefix."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)
    owner_email = fields.String(required=True)
    prefix = fields.String(required=True, metadata={"description": "The key's first characters"})
    per_minute = fields.Integer(required=True)
    per_day = fields.Integer(required=True)
    allowed_origins = fields.List(fields.String(), required=True)
    allowed_cidrs = fields.Method("_cidrs", required=True, metadata={"type": "array", "items": {"type": "string"}})
    groups = fields.List(fields.String(), required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))
    created_at = fields.DateTime(required=True)
    last_used_at = fields.DateTime(allow_none=True)
    revoked_at = fields.DateTime(allow_none=True)

    def _cidrs(self, key) -> list[str]:
        return [str(network) for network in key.allowed_cidrs or ()]


class ApiKeyCreatedSchema(ApiKeySchema):
    """A new key, with the full key string: shown this once, never stored."""

    key = fields.String(required=True, metadata={"description": "The full key; store it now, it is not kept"})


class ApiKeyCreateSchema(Schema):
    """A new key for a third party."""

    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    owner_email = fields.Email(required=True, validate=validate.Length(max=254))
    per_minute = fields.Integer(required=True, validate=validate.Range(1, MAX_QUOTA))
    per_day = fields.Integer(required=True, validate=validate.Range(1, MAX_QUOTA))
    allowed_origins = _ORIGINS
    allowed_cidrs = _CIDRS
    groups = _GROUPS


class ApiKeyUpdateSchema(Schema):
    """Changes to a key; every field optional. Revoking is DELETE."""

    name = fields.String(validate=validate.Length(min=1, max=120))
    owner_email = fields.Email(validate=validate.Length(max=254))
    per_minute = fields.Integer(validate=validate.Range(1, MAX_QUOTA))
    per_day = fields.Integer(validate=validate.Range(1, MAX_QUOTA))
    allowed_origins = _ORIGINS
    allowed_cidrs = _CIDRS
    groups = _GROUPS
    status = fields.String(validate=validate.OneOf(("active", "suspended")))


class UsageDaySchema(Schema):
    """One day's counts of one API group."""

    day = fields.Date(required=True)
    group = fields.String(required=True)
    requests = fields.Integer(required=True)
    client_errors = fields.Integer(required=True, metadata={"description": "4xx answers other than 429"})
    throttled = fields.Integer(required=True, metadata={"description": "429 answers (quota spent)"})


class UsageKeySchema(Schema):
    """The key whose usage this is, and its quotas."""

    id = fields.UUID(required=True)
    name = fields.String(required=True)
    prefix = fields.String(required=True)
    per_minute = fields.Integer(required=True)
    per_day = fields.Integer(required=True)
    status = fields.String(required=True, validate=validate.OneOf(STATUSES))


class UsageSchema(Schema):
    """A key's quotas and its use over the last 30 days (UTC), per day and API group."""

    key = fields.Nested(UsageKeySchema, required=True)
    days = fields.List(fields.Nested(UsageDaySchema), required=True)
