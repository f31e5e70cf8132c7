"""Imports every domain's models so the metadata (Alembic, tests) sees all tables."""

from urbanpulse.apikeys.models import ApiKey, ApiKeyUsage  # noqa: F401
from urbanpulse.auth.models import User  # noqa: F401
from urbanpulse.cache.changelog import ChangeLogEntry  # noqa: F401
from urbanpulse.editing.models import HistoryEntry  # noqa: F401
from urbanpulse.events.models import Event  # noqa: F401
from urbanpulse.imports.models import ImportRecord, ImportRun  # noqa: F401
from urbanpulse.media.models import Media, MediaBlob  # noqa: F401
from urbanpulse.pois.models import Poi  # noqa: F401
from urbanpulse.routes.models import Route, RouteStop  # noqa: F401
