"""The migration chain applies to an empty database and matches the models."""

import flask_migrate
import psycopg
from sqlalchemy import text

from tests.conftest import drop_database, recreate_database, run_token
from urbanpulse import create_app
from urbanpulse.core.config import with_database


def test_chain_applies_from_empty_and_has_no_drift(app_config, database_url, worker_id_str):
    name = f"urbanpulse_test_{run_token()}_{worker_id_str}_empty"
    recreate_database(database_url, name)
    url = with_database(database_url, name)
    try:
        app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
            from urbanpulse.core.extensions import db

            with db.engine.connect() as conn:
                assert conn.execute(text("SELECT postgis_version()")).scalar()
            flask_migrate.check()  # raises (SystemExit via alembic) when models and migrations differ
            flask_migrate.downgrade(revision="base")
            flask_migrate.upgrade(revision="heads")
            db.engine.dispose()
    finally:
        drop_database(database_url, name)


def test_check_detects_drift(app_config, database_url, worker_id_str):
    """A model change without a migration must make `check` fail (so the test above can fail)."""
    name = f"urbanpulse_test_{run_token()}_{worker_id_str}_drift"
    recreate_database(database_url, name)
    url = with_database(database_url, name)
    try:
        app = create_app({**app_config, "SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            flask_migrate.upgrade(revision="heads")
            with psycopg.connect(url.replace("+psycopg", ""), autocommit=True) as conn:
                conn.execute("ALTER TABLE users ADD COLUMN stray integer")
            from urbanpulse.core.extensions import db

            failed = False
            try:
                flask_migrate.check()
            except BaseException:
                failed = True
            db.engine.dispose()
        assert failed
    finally:
        drop_database(database_url, name)
