"""Signed-cookie sessions only where they are used: the back office (/admin). API calls never open one."""

from __future__ import annotations

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import URLSafeTimedSerializer

SESSIONLESS_PREFIXES = ("/api/", "/healthz", "/readyz", "/metrics")


class BackOfficeSessionInterface(SecureCookieSessionInterface):
    """Flask's cookie session, skipped (a read-only null session) on API and probe paths.

    The public API authenticates with bearer tokens; building the signer and reading a cookie on each of
    its requests is work for nothing on the hottest paths. Cookies are signed with the session's own key
    (SESSION_SIGNING_KEY, derived from SECRET_KEY), not with SECRET_KEY itself.
    """

    def get_signing_serializer(self, app) -> URLSafeTimedSerializer:
        """Flask's serializer, keyed with the session key."""
        return URLSafeTimedSerializer(
            app.config["SESSION_SIGNING_KEY"],
            salt=self.salt,
            serializer=self.serializer,
            signer_kwargs={"key_derivation": self.key_derivation, "digest_method": self.digest_method},
        )

    def open_session(self, app, request):
        """The null session on session-less paths, the signed cookie session elsewhere."""
        if request.path.startswith(SESSIONLESS_PREFIXES):
            return self.make_null_session(app)
        return super().open_session(app, request)
