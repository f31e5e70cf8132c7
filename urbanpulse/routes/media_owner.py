"""Routes carry photos: how urbanpulse.media reaches them."""

from urbanpulse.media.owners import Owner
from urbanpulse.routes import service
from urbanpulse.routes.models import Route

OWNER = Owner(
    kind="routes",
    entity_type=service.ENTITY,
    model=Route,
    missing=service.MISSING,
    is_public=lambda route: route.status == "published" and route.deleted_at is None,
    committed=service.media_changed,
)
