"""HTTP layer of API keys: admins manage keys (bearer token); a key holder reads their own key's usage."""

from flask import g
from flask.views import MethodView

from urbanpulse.apikeys import service, usage
from urbanpulse.apikeys.schemas import (
    ApiKeyCreatedSchema,
    ApiKeyCreateSchema,
    ApiKeySchema,
    ApiKeyUpdateSchema,
    UsageSchema,
)
from urbanpulse.auth.guard import ADMINS, optional_user, protected
from urbanpulse.core.errors import Unauthorized
from urbanpulse.web.api_base import ApiBlueprint

API_KEY_SECURITY = [{"apiKey": []}]

admin_blp = ApiBlueprint(
    "apikeys", __name__, url_prefix="/api/v1/admin/api-keys", description="Third parties' API keys (admin only)"
)
usage_blp = ApiBlueprint("usage", __name__, url_prefix="/api/v1", description="A key holder's own usage")


@admin_blp.route("")
class ApiKeysView(MethodView):
    @protected(admin_blp, ADMINS)
    @admin_blp.response(200, ApiKeySchema(many=True))
    def get(self):
        """List the keys (never the keys themselves: their prefixes)."""
        return service.list_keys()

    @protected(admin_blp, ADMINS)
    @admin_blp.arguments(ApiKeyCreateSchema)
    @admin_blp.response(201, ApiKeyCreatedSchema)
    def post(self, body):
        """Create a key; the full key is in this answer only."""
        record, key = service.create_key(**body, created_by=optional_user().id)
        record.key = key  # for this answer only: not a column
        return record


@admin_blp.route("/<uuid:key_id>")
class ApiKeyView(MethodView):
    @protected(admin_blp, ADMINS)
    @admin_blp.response(200, ApiKeySchema)
    @admin_blp.answers(404)
    def get(self, key_id):
        """One key."""
        return service.get_key(key_id=key_id)

    @protected(admin_blp, ADMINS)
    @admin_blp.arguments(ApiKeyUpdateSchema)
    @admin_blp.response(200, ApiKeySchema)
    @admin_blp.answers(404, 409)
    def patch(self, body, key_id):
        """Rename a key, change its quotas or restrictions, suspend or reactivate it (within a second)."""
        return service.update_key(key_id=key_id, **body)

    @protected(admin_blp, ADMINS)
    @admin_blp.response(204)
    @admin_blp.answers(404)
    def delete(self, key_id):
        """Revoke a key for good (refused within a second); its usage history stays."""
        service.revoke_key(key_id=key_id)


@admin_blp.route("/<uuid:key_id>/usage")
class ApiKeyUsageView(MethodView):
    @protected(admin_blp, ADMINS)
    @admin_blp.response(200, UsageSchema)
    @admin_blp.answers(404)
    def get(self, key_id):
        """A key's usage over the last 30 days, per day and API group."""
        record = service.get_key(key_id=key_id)
        return {"key": record, "days": usage.daily_usage(key_id=record.id)}


@usage_blp.route("/usage")
class UsageView(MethodView):
    @usage_blp.response(200, UsageSchema)
    @usage_blp.answers(401, 403)
    @usage_blp.doc(security=API_KEY_SECURITY)
    def get(self):
        """Your key's quotas and usage over the last 30 days (send the key as X-API-Key)."""
        if g.get("api_key") is None:
            raise Unauthorized(
                "send your API key as X-API-Key", headers={"WWW-Authenticate": 'ApiKey realm="urbanpulse"'}
            )
        record = service.get_key(key_id=g.api_key.id)
        return {"key": record, "days": usage.daily_usage(key_id=record.id)}
