"""Swagger UI's files served by the app itself, so /docs works without internet."""

from flask import Blueprint, send_from_directory
from swagger_ui_bundle import swagger_ui_path

docs_assets = Blueprint("docs_assets", __name__)


@docs_assets.route("/docs/assets/<path:filename>")
def swagger_ui_asset(filename: str):
    """One Swagger UI asset (JS, CSS, icons)."""
    return send_from_directory(swagger_ui_path, filename, max_age=86400)
