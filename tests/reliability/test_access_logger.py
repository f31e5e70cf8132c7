"""gunicorn builds access lines only when WEB_ACCESS_LOG asks for them, even with our JSON logging config."""

from __future__ import annotations

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
    from urbanpulse.serving import gunicorn_conf

    assert gunicorn_conf.logger_class == "urbanpulse.serving.access_logger.AccessLogWhenAsked"
