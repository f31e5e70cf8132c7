"""Who is logged in to the back office: the account id in the signed session cookie, re-checked on each request."""

from __future__ import annotations

import hashlib
import uuid

from flask import g, session

from urbanpulse.auth.guard import EDITORS
from urbanpulse.auth.models import User
from urbanpulse.core.extensions import db

USER_KEY = "admin_user_id"
FINGERPRINT_KEY = "admin_auth"


def _fingerprint(user: User) -> str:
    # Changing the password ends every session opened before (the role and active flag are read on each request).
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def log_in(user: User) -> None:
    """Start a fresh session for `user` (a new cookie, so a session id planted before login is useless)."""
    lang = session.get("ui_lang")
    session.clear()
    if lang:
        session["ui_lang"] = lang
    session.permanent = True
    session[USER_KEY] = str(user.id)
    session[FINGERPRINT_KEY] = _fingerprint(user)
    g.admin_user = user


def log_out() -> None:
    """End the session (the interface language is kept)."""
    lang = session.get("ui_lang")
    session.clear()
    if lang:
        session["ui_lang"] = lang
    g.admin_user = None


def current_user() -> User | None:
    """The logged-in account if it still exists, is active, may edit and its password is unchanged."""
    if "admin_user" in g:
        return g.admin_user
    user = None
    raw = session.get(USER_KEY)
    if raw:
        try:
            candidate = db.session.get(User, uuid.UUID(raw))
        except ValueError:
            candidate = None
        if (
            candidate is not None
            and candidate.is_active
            and candidate.role in EDITORS
            and session.get(FINGERPRINT_KEY) == _fingerprint(candidate)
        ):
            user = candidate
    g.admin_user = user
    return user


def is_admin() -> bool:
    """Whether the logged-in account may manage accounts."""
    user = current_user()
    return user is not None and user.role == "admin"
