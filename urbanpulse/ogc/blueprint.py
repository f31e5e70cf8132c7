"""The /ogc blueprint, shared by the Features (api.py) and Tiles (tiles.py) views."""

from urbanpulse.web.api_base import ApiBlueprint

blp = ApiBlueprint(
    "ogc", __name__, url_prefix="/ogc", template_folder="templates", description="OGC API - Features and Tiles"
)
