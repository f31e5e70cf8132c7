"""The /map page and its static files; the browser library comes from npm via scripts/frontend.sh."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint as FlaskBlueprint
from flask import current_app, render_template
from flask_smorest import Blueprint

from urbanpulse.core.i18n import LANGUAGES
from urbanpulse.pois.categories import CATEGORY_LABELS
from urbanpulse.tiles.layers import by_name

STATIC = Path(__file__).resolve().parent / "static"
VENDOR_FILES = ("maplibre-gl.mjs", "maplibre-gl-worker.mjs", "maplibre-gl.css")
DEFAULT_BASEMAP = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
DEFAULT_ATTRIBUTION = "© OpenStreetMap contributors"
CENTRE = (1.6067, 50.7262)  # Boulogne-sur-Mer, between the port and the old town

# A flask-smorest blueprint so it registers with the others (domains.api_blueprints); its page is added with
# Flask's own add_url_rule so it stays out of the OpenAPI document (it is HTML, not part of the API).
bp = Blueprint(
    "mapview",
    __name__,
    static_folder=str(STATIC),
    static_url_path="/map/static",
    template_folder="templates",
    description="The /map page (HTML; not part of the API)",
)


def basemap() -> dict:
    """The raster basemap: MAP_BASEMAP_URL (empty for none) and its attribution (MAP_BASEMAP_ATTRIBUTION)."""
    url = current_app.config.get("MAP_BASEMAP_URL", DEFAULT_BASEMAP)
    attribution = current_app.config.get("MAP_BASEMAP_ATTRIBUTION", DEFAULT_ATTRIBUTION)
    return {"url": url or None, "attribution": attribution}


def vendor_missing() -> list[str]:
    """The MapLibre files scripts/frontend.sh has not installed yet."""
    return [name for name in VENDOR_FILES if not (STATIC / "vendor" / name).is_file()]


def map_page():
    """The map of the vector tiles."""
    missing = vendor_missing()
    config = {
        "centre": CENTRE,
        "zoom": 13,
        "tiles": "/api/v1/tiles/{z}/{x}/{y}.mvt",
        "layers": list(by_name()),
        "languages": list(LANGUAGES),
        "categories": {key: labels for key, labels in CATEGORY_LABELS.items()},
        "basemap": basemap(),
    }
    html = render_template("mapview/map.html", config=config, missing=missing)
    return html, 503 if missing else 200, {"Cache-Control": "no-cache"}


FlaskBlueprint.add_url_rule(bp, "/map", "map_page", map_page)
