"""Request and response bodies of the auth and user-management endpoints."""

from marshmallow import Schema, fields, validate

from urbanpulse.auth.models import ROLES


class TokenRequestSchema(Schema):
    """Credentials exchanged for a bearer token."""

    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024), load_only=True)


class TokenResponseSchema(Schema):
    """A bearer token and its lifetime in seconds."""

    access_token = fields.String(required=True)
    token_type = fields.String(required=True, validate=validate.Equal("Bearer"))
    expires_in = fields.Integer(required=True)


class UserSchema(Schema):
    """An account as shown to admins."""

    id = fields.UUID(required=True)
    email = fields.Email(required=True)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    is_active = fields.Boolean(required=True)
    created_at = fields.DateTime(required=True)
    updated_at = fields.DateTime(required=True)


class UserCreateSchema(Schema):
    """A new account."""

    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=1024))
    role = fields.String(load_default="editor", validate=validate.OneOf(ROLES))


class UserUpdateSchema(Schema):
    """Changes to an account; every field optional."""

    role = fields.String(validate=validate.OneOf(ROLES))
    is_active = fields.Boolean()
    password = fields.String(load_only=True, validate=validate.Length(min=10, max=1024))
