"""gunicorn's logger, building an access line only when one is asked for (WEB_ACCESS_LOG).

gunicorn treats any `logconfig_dict` as a request for access lines, so with our JSON logging it formatted
every request's line and then dropped it below the access logger's level: about 4 % of a worker's CPU
on `/healthz` (py-spy, issue 19).
"""

from __future__ import annotations

from gunicorn import glogging


class AccessLogWhenAsked(glogging.Logger):
    """Access lines only when `accesslog` is set, as gunicorn_conf does for WEB_ACCESS_LOG=1."""

    def _compute_access_log_enabled(self) -> bool:
        return bool(self.cfg.accesslog)
