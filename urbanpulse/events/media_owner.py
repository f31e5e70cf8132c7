"""Events carry photos: how urbanpulse.media reaches them."""

from urbanpulse.events import service
from urbanpulse.events.models import Event
from urbanpulse.media.owners import Owner

OWNER = Owner(
    kind="events",
    entity_type=service.ENTITY,
    model=Event,
    missing=service.MISSING,
    is_public=service.is_public,
    committed=service.media_changed,
)
