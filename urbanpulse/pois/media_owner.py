"""POIs carry photos: how urbanpulse.media reaches them."""

from urbanpulse.media.owners import Owner
from urbanpulse.pois import service
from urbanpulse.pois.models import Poi

OWNER = Owner(
    kind="pois",
    entity_type=service.ENTITY,
    model=Poi,
    missing=service.MISSING,
    is_public=lambda poi: poi.status == "published" and poi.deleted_at is None,
    committed=service.media_changed,
)
