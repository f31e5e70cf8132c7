"""Bearer-token checks for views: who is calling, and may they?"""

from __future__ import annotations

import functools

from flask import current_app, g, request

from urbanpulse.auth import service
from urbanpulse.auth.models import User
from urbanpulse.core.errors import Unauthorized

EDITORS = ("editor", "admin")
ADMINS = ("admin",)
BEARER_SECURITY = [{"bearerAuth": []}]


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if not header:
        return None
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized("the Authorization header must be 'Bearer <token>'")
    return token.strip()


def optional_user() -> User | None:
    """The caller's account when a valid token is sent, None for anonymous calls (bad tokens are 401)."""
    if "current_user" in g:
        return g.current_user
    token = _bearer_token()
    user = None
    if token is not None:
        user = service.user_from_token(token=token, secret_key=current_app.config["TOKEN_SIGNING_KEY"])
    g.current_user = user
    g.current_user_id = str(user.id) if user is not None else None
    return user


def is_editor() -> bool:
    """Whether the caller is an editor or admin (who may see drafts)."""
    user = optional_user()
    return user is not None and user.role in EDITORS


def roles_required(*roles: str):
    """Decorate a view so it needs a bearer token of one of `roles` (401 without, 403 with the wrong one)."""

    def decorator(view):
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = optional_user()
            if user is None:
                raise Unauthorized("this action needs a bearer token")
            service.require_role(user, roles)
            return view(*args, **kwargs)

        return wrapper

    return decorator


def protected(blp, roles: tuple[str, ...] = EDITORS):
    """Require a bearer token of `roles` on a view and say so in the OpenAPI document."""

    def decorator(view):
        view = roles_required(*roles)(view)
        view = blp.alt_response(401, response="UNAUTHORIZED")(view)
        view = blp.alt_response(403, response="FORBIDDEN")(view)
        return blp.doc(security=BEARER_SECURITY)(view)

    return decorator


def register_request_hooks(app) -> None:
    """Forget the previous request's caller (an app context may outlive one request, e.g. in tests)."""

    @app.before_request
    def _forget_caller() -> None:
        g.pop("current_user", None)
        g.pop("current_user_id", None)
