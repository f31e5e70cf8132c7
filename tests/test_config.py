import pytest

from urbanpulse import create_app
from urbanpulse.core.config import (
    config_for_environment,
    database_url_for_tests,
    to_libpq_url,
    to_sqlalchemy_url,
)


def test_urls_are_normalised_for_each_driver():
    assert to_sqlalchemy_url("postgresql://u@h/db") == "postgresql+psycopg://u@h/db"
    assert to_sqlalchemy_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert to_libpq_url("postgresql+psycopg://u@h:5/db") == "postgresql://u@h:5/db"
    assert database_url_for_tests("postgresql://u:p@h:5433/urbanpulse?sslmode=disable") == (
        "postgresql://u:p@h:5433/urbanpulse_test?sslmode=disable"
    )


def test_environment_picks_the_config_class(monkeypatch):
    monkeypatch.setenv("URBANPULSE_ENV", "production")
    assert config_for_environment().ENV_NAME == "production"
    monkeypatch.setenv("URBANPULSE_ENV", "nonsense")
    with pytest.raises(RuntimeError, match="URBANPULSE_ENV"):
        config_for_environment()


def test_production_refuses_a_missing_or_short_secret_key(app_config):
    for missing_or_short in (None, "", "x" * 31):
        with pytest.raises(RuntimeError, match="SECRET_KEY"):
            create_app({**app_config, "ENV_NAME": "production", "SECRET_KEY": missing_or_short})


def test_production_starts_with_a_real_secret_key(app_config):
    app = create_app({**app_config, "ENV_NAME": "production", "SECRET_KEY": "x" * 40})
    assert app.config["ENV_NAME"] == "production"
    assert not app.debug


def test_factory_overrides_win_over_environment(app_config):
    app = create_app({**app_config, "TOKEN_LIFETIME_S": 123, "CORS_ORIGINS": ["https://app.example"]})
    assert app.config["TOKEN_LIFETIME_S"] == 123
    assert app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_cors_only_for_configured_origins(app_config):
    app = create_app({**app_config, "CORS_ORIGINS": ["https://app.boulogne.test"]})
    client = app.test_client()
    allowed = client.get("/api/v1/auth/token", headers={"Origin": "https://app.boulogne.test"})
    assert allowed.headers.get("Access-Control-Allow-Origin") == "https://app.boulogne.test"
    other = client.get("/api/v1/auth/token", headers={"Origin": "https://evil.test"})
    assert "Access-Control-Allow-Origin" not in other.headers
