"""gunicorn builds access lines only when WEB_ACCESS_LOG asks for them, even with our JSON logging config."""

from __future__ import annotations

import subprocess
import sys

from gunicorn.config import Config

from urbanpulse.serving.access_logger import AccessLogWhenAsked


def _logger(accesslog: str | None) -> AccessLogWhenAsked:
    config = Config()
    config.set("accesslog", accesslog)
    config.set("logconfig_dict", {"version": 1, "disable_existing_loggers": False})
    return AccessLogWhenAsked(config)


def test_access_lines_are_built_only_when_asked_for():
    assert _logger(None).access_log_enabled is False
    assert _logger("-").access_log_enabled is True


def test_the_production_configuration_uses_it():
    # In a child process: importing the configuration sets process-wide state (PROMETHEUS_MULTIPROC_DIR, gunicorn's
    # error pages) that the other tests of this worker must not inherit.
    read = "from urbanpulse.serving import gunicorn_conf as c; print(c.logger_class)"
    done = subprocess.run([sys.executable, "-c", read], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.strip() == "urbanpulse.serving.access_logger.AccessLogWhenAsked"
