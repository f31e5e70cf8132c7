"""Accounts, password checks (argon2) and bearer tokens (JWT, HS256)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import jwt
import psycopg
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from urbanpulse.auth.models import ROLES, User
from urbanpulse.core import replicas
from urbanpulse.core.errors import Conflict, Forbidden, NotFound, Unauthorized, ValidationFailed
from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import utcnow

TOKEN_ISSUER = "urbanpulse"  # noqa: S105 (an issuer name, not a secret)
MIN_PASSWORD_LENGTH = 10
_hasher = PasswordHasher()
# Verified against when the email is unknown, so both paths cost one argon2 verification.
_DUMMY_HASH = _hasher.hash("not-a-real-password")


def normalise_email(email: str) -> str:
    """Emails are compared case-insensitively and without surrounding spaces."""
    return email.strip().lower()


def _check_password_rules(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise ValidationFailed.field("password", f"must be at least {MIN_PASSWORD_LENGTH} characters")


def _check_role(role: str) -> None:
    if role not in ROLES:
        raise ValidationFailed.field("role", f"must be one of {', '.join(ROLES)}")


def create_user(*, email: str, password: str, role: str = "editor") -> User:
    """Create an active account; the password is stored as an argon2 hash."""
    email = normalise_email(email)
    _check_role(role)
    _check_password_rules(password)
    taken = Conflict(f"an account with email {email} already exists")
    if db.session.scalar(select(User.id).where(User.email == email)):
        raise taken
    user = User(email=email, password_hash=_hasher.hash(password), role=role, is_active=True)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as error:
        # Registered at the same moment by someone else: the unique index decides, and says 409.
        db.session.rollback()
        if not isinstance(error.orig, psycopg.errors.UniqueViolation):
            raise
        raise taken from None
    return user


def list_users() -> list[User]:
    """Every account, by email."""
    return list(db.session.scalars(select(User).order_by(User.email)))


def get_user(*, user_id: uuid.UUID) -> User:
    """One account by id."""
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("no such user")
    return user


def update_user(
    *,
    user_id: uuid.UUID,
    role: str | None = None,
    is_active: bool | None = None,
    password: str | None = None,
    acting_user: User | None = None,
) -> User:
    """Change an account's role, active flag or password; the last active admin stays one (409)."""
    user = get_user(user_id=user_id)
    if acting_user is not None and acting_user.id == user.id and is_active is False:
        raise Conflict("an admin cannot deactivate their own account")
    _keep_an_active_admin(user, role=role, is_active=is_active)
    if role is not None:
        _check_role(role)
        user.role = role
    if is_active is not None:
        user.is_active = is_active
    if password is not None:
        _check_password_rules(password)
        user.password_hash = _hasher.hash(password)
    if password is not None or is_active is False:
        user.token_generation += 1  # every bearer token issued before is refused from now on
    db.session.commit()
    return user


def _keep_an_active_admin(user: User, *, role: str | None, is_active: bool | None) -> None:
    """Refuse to demote or deactivate the only active admin (nobody could manage accounts any more)."""
    if role in (None, "admin") and is_active in (None, True):
        return
    # Lock every active admin row in one order, so two admins demoting each other are serialised.
    admins = db.session.scalars(
        select(User)
        .where(User.role == "admin", User.is_active.is_(True))
        .order_by(User.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).all()
    if user in admins and len(admins) == 1:
        db.session.rollback()
        raise Conflict("the last active admin cannot be demoted or deactivated; make another admin first")


def authenticate(*, email: str, password: str) -> User:
    """Return the active user with these credentials, or raise Unauthorized (same message either way)."""
    # Emails are stored normalised, so the plain comparison uses the unique index.
    user = db.session.scalar(select(User).where(User.email == normalise_email(email)))
    try:
        _hasher.verify(user.password_hash if user else _DUMMY_HASH, password)
    except (VerificationError, InvalidHashError):
        raise Unauthorized("wrong email or password") from None
    if user is None or not user.is_active:
        raise Unauthorized("wrong email or password")
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = _hasher.hash(password)
        db.session.commit()
    return user


def issue_token(*, user: User, secret_key: bytes, lifetime_s: int) -> dict:
    """A signed bearer token for `user`, valid `lifetime_s` seconds."""
    now = utcnow()
    claims = {
        "iss": TOKEN_ISSUER,
        "sub": str(user.id),
        "role": user.role,
        "iat": now,
        "exp": now + timedelta(seconds=lifetime_s),
        "jti": uuid.uuid4().hex,
        "gen": user.token_generation,
    }
    token = jwt.encode(claims, secret_key, algorithm="HS256")
    return {"access_token": token, "token_type": "Bearer", "expires_in": lifetime_s}


def user_from_token(*, token: str, secret_key: bytes) -> User:
    """The active user a token was issued to; Unauthorized when expired, tampered or revoked.

    Revoked: the account's token generation moved on since (a password change or a deactivation); the
    check reads the same row as the active flag, so it costs no extra query.
    """
    try:
        claims = jwt.decode(
            token,
            secret_key,
            algorithms=["HS256"],
            issuer=TOKEN_ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "gen"]},
        )
    except jwt.ExpiredSignatureError:
        raise Unauthorized("the token has expired") from None
    except jwt.InvalidTokenError:
        raise Unauthorized("the token is invalid") from None
    try:
        user_id = uuid.UUID(claims["sub"])
    except (ValueError, TypeError):
        raise Unauthorized("the token is invalid") from None
    user = db.session.get(User, user_id)
    if (user is None or claims["gen"] != user.token_generation) and replicas.wanted():
        # A GET's replica may not have replayed a new account or a new password yet: the primary decides.
        user = db.session.execute(
            select(User).where(User.id == user_id).execution_options(populate_existing=True),
            bind_arguments={"bind": db.engine},
        ).scalar_one_or_none()
    if user is None or not user.is_active:
        raise Unauthorized("the account is unknown or disabled")
    if claims["gen"] != user.token_generation:
        raise Unauthorized("the token was revoked (password changed or account disabled); ask for a new one")
    return user


def require_role(user: User, roles: tuple[str, ...]) -> None:
    """Raise Forbidden unless `user` has one of `roles`."""
    if user.role not in roles:
        raise Forbidden(f"this action needs the role {' or '.join(roles)}")
