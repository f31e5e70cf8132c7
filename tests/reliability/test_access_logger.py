"""gunicorn builds access lines only when WEB_ACCESS_LOG asks for them, even with our JSON logging config."""

from __future__ import annotations

import subprocess
import sys

# In a child process: building a gunicorn logger reconfigures `logging`, and importing the configuration sets
# PROMETHEUS_MULTIPROC_DIR and gunicorn's error pages, none of which the other tests of this worker may inherit.
CHECK = """
from gunicorn.config import Config
from urbanpulse.serving import gunicorn_conf
from urbanpulse.serving.access_logger import AccessLogWhenAsked


def logger(accesslog):
    config = Config()
    config.set("accesslog", accesslog)
    config.set("logconfig_dict", {"version": 1, "disable_existing_loggers": False})
    return AccessLogWhenAsked(config)


print(gunicorn_conf.logger_class, logger(None).access_log_enabled, logger("-").access_log_enabled)
"""


def test_access_lines_are_built_only_when_asked_for_by_the_production_configuration():
    done = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, timeout=60, check=True)
    assert done.stdout.split() == ["urbanpulse.serving.access_logger.AccessLogWhenAsked", "False", "True"]
