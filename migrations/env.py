"""Alembic environment: runs inside the Flask app (Flask-Migrate) with GeoAlchemy2's helpers."""

import logging
from logging.config import fileConfig

from alembic import context
from flask import current_app
from geoalchemy2 import alembic_helpers

import urbanpulse.runtime.models  # noqa: F401  (registers every table on the metadata)

config = context.config
if config.config_file_name and not logging.getLogger().handlers:
    fileConfig(config.config_file_name, disable_existing_loggers=False)

# PostGIS' own tables live in public beside ours; they are not part of our schema.
POSTGIS_TABLES = {
    "spatial_ref_sys",
    "geography_columns",
    "geometry_columns",
    "raster_columns",
    "raster_overviews",
}


def include_object(obj, name, type_, reflected, compare_to):
    """Skip PostGIS' tables and let GeoAlchemy2 hide the indexes it manages itself."""
    if type_ == "table" and name in POSTGIS_TABLES:
        return False
    return alembic_helpers.include_object(obj, name, type_, reflected, compare_to)


def process_revision_directives(context_, revision, directives):
    """Write nothing when autogenerate finds no change; otherwise let GeoAlchemy2 rewrite spatial ops."""
    if getattr(config.cmd_opts, "autogenerate", False) and directives[0].upgrade_ops.is_empty():
        directives[:] = []
        return
    alembic_helpers.writer.process_revision_directives(context_, revision, directives)


def run_migrations_online():
    """Run the migrations on the app's engine."""
    engine = current_app.extensions["migrate"].db.engine
    metadata = current_app.extensions["migrate"].db.metadata
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            include_object=include_object,
            process_revision_directives=process_revision_directives,
            render_item=alembic_helpers.render_item,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("offline migrations are not supported; run `flask db upgrade` against a database")
run_migrations_online()
