"""/healthz (process alive) and /readyz (dependencies)."""

from flask.views import MethodView
from marshmallow import Schema, fields, validate

from urbanpulse.core.errors import problem_response
from urbanpulse.core.operator import is_operator
from urbanpulse.health import service
from urbanpulse.web.api_base import ApiBlueprint

blp = ApiBlueprint("health", __name__, url_prefix="", description="Liveness and readiness")


class CheckSchema(Schema):
    """One dependency's state."""

    status = fields.String(required=True, validate=validate.OneOf(("ok", "down", "outdated")))
    detail = fields.String(metadata={"description": "why it is not ok"})
    serving = fields.Integer(metadata={"description": "replicas: how many answer (checked when the primary is down)"})
    configured = fields.Integer(metadata={"description": "replicas: how many are configured"})


class HealthSchema(Schema):
    """Overall status and, for readiness, each dependency's."""

    status = fields.String(
        required=True,
        validate=validate.OneOf(("ok", "degraded")),
        metadata={
            "description": "degraded: Redis is down (answers come from PostgreSQL), or the primary is down and "
            "replicas serve the reads (writes get 503)"
        },
    )
    checks = fields.Dict(
        keys=fields.String(),
        values=fields.Nested(CheckSchema),
        metadata={"description": "readyz, with the operator token (METRICS_TOKEN) only"},
    )


@blp.route("/healthz")
class HealthView(MethodView):
    @blp.response(200, HealthSchema)
    def get(self):
        """The process is alive."""
        return {"status": "ok"}


@blp.route("/readyz")
class ReadyView(MethodView):
    @blp.response(200, HealthSchema)
    @blp.alt_response(503, response="SERVICE_UNAVAILABLE")
    def get(self):
        """PostgreSQL reachable and migrated, or with the primary down a read replica (degraded: reads only);
        else 503. Redis down is reported as degraded.

        Each dependency's state and why it fails (revisions, error classes) only with the operator token.
        """
        ready, report = service.readiness()
        operator = is_operator()
        if ready:
            return report if operator else {"status": report["status"]}
        detail, extra = "not ready", None
        if operator:
            failing = ", ".join(f"{name}: {c['status']}" for name, c in report["checks"].items() if c["status"] != "ok")
            detail, extra = f"not ready ({failing})", {"checks": report["checks"]}
        return problem_response(
            503, "Service Unavailable", detail, type_slug="not-ready", headers={"Retry-After": "5"}, extra=extra
        )
