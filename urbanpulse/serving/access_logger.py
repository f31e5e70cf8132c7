"""gunicorn's logger, building an access line only when one is asked for (WEB_ACCESS_LOG).

gunicorn treats any `logconfig_dict` as a request for access lines, so with our JSON logging it formatted
every request's line and then dropped it below the access logger's level: 4.7 % of a worker's samples on
`/healthz` (py-spy, issue 19). (A `logger_class` of our own also means that gunicorn's statsd logger is not
chosen by `statsd_host`: the service's metrics are Prometheus's.)
"""

from __future__ import annotations

from gunicorn import glogging


class AccessLogWhenAsked(glogging.Logger):
    """Access lines only when `accesslog` is set (gunicorn_conf does for WEB_ACCESS_LOG=1), or sent to syslog."""

    def _compute_access_log_enabled(self) -> bool:
        to_syslog = self.cfg.syslog and not self.cfg.disable_redirect_access_to_syslog
        return bool(self.cfg.accesslog or to_syslog)
