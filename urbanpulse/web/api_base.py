"""The flask-smorest Api, with its errors (raised and documented) as application/problem+json."""

import http

from apispec import BasePlugin
from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from marshmallow import INCLUDE, RAISE, Schema, fields

from urbanpulse.core.errors import PROBLEM_MIMETYPE, http_exception_to_problem
from urbanpulse.web.input_guard import GuardedParser


class FieldErrorSchema(Schema):
    """One failing input field."""

    field = fields.String(required=True, metadata={"description": "Dotted path of the field"})
    in_ = fields.String(data_key="in", metadata={"description": "query, json, headers, path..."})
    messages = fields.List(fields.String(), required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem document; extension members (e.g. readiness `checks`) may follow."""

    class Meta:
        unknown = INCLUDE

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String(allow_none=True)
    request_id = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))


IF_MATCH = {
    "in": "header",
    "name": "If-Match",
    "required": True,
    "schema": {"type": "string"},
    "description": "The ETag of the version you last read (428 without it, 412 when it is no longer current)",
}
IF_NONE_MATCH = {
    "in": "header",
    "name": "If-None-Match",
    "required": False,
    "schema": {"type": "string"},
    "description": "ETags of the copies you hold: 304 with no body when one is still current",
}


def item_links(path: str, id_name: str) -> dict:
    """OpenAPI links from a response holding an item (its `id`, its `ETag`) to the item's PATCH and DELETE."""
    pointer = "#/paths/" + path.replace("~", "~0").replace("/", "~1")
    parameters = {id_name: "$response.body#/id", "header.If-Match": "$response.header.ETag"}
    return {
        "Update": {"operationRef": f"{pointer}/patch", "parameters": parameters},
        "Delete": {"operationRef": f"{pointer}/delete", "parameters": parameters},
    }


def _response_name(status: int) -> str:
    return http.HTTPStatus(status).name


def _nullable_refs(node) -> None:
    """Rewrite apispec's OpenAPI 3.0 nullable reference, `anyOf: [{type: object, nullable}, {$ref}]` (which
    lets any object through), as `allOf: [{$ref}]` with `nullable`, so the referenced schema still applies."""
    if isinstance(node, list):
        for item in node:
            _nullable_refs(item)
        return
    if not isinstance(node, dict):
        return
    any_of = node.get("anyOf")
    if isinstance(any_of, list) and len(any_of) == 2 and any_of[0] == {"type": "object", "nullable": True}:
        node.pop("anyOf")
        node.update(allOf=[any_of[1]], nullable=True)
    for value in node.values():
        _nullable_refs(value)


# Public reads take an optional third party's API key (urbanpulse.apikeys): /docs then sends it once authorised.
OPTIONAL_API_KEY = [{}, {"apiKey": []}]


class CommonResponsesPlugin(BasePlugin):
    """Documents what every operation may meet, beside what its view declares.

    Rate limits (429) on /api/v1, the database being unreachable (503), bodies over MAX_BODY_BYTES (413);
    If-Match on operations answering 428, If-None-Match on those answering 304; on reads of /api/v1 that
    declare no credentials, an optional API key (401 when unknown or revoked, 403 when refused).
    """

    def schema_helper(self, name, definition, **kwargs):
        """Keep nested schemas checked when they may be null."""
        _nullable_refs(definition)

    def operation_helper(self, path=None, operations=None, **kwargs):
        """Complete each operation of `path`."""
        for method, operation in (operations or {}).items():
            responses = operation.setdefault("responses", {})
            if path.startswith("/api/") and method == "get" and "security" not in operation:
                operation["security"] = OPTIONAL_API_KEY
                for status in (401, 403):
                    responses.setdefault(status, _response_name(status))
            statuses = {str(status) for status in responses}
            if "428" in statuses:
                operation.setdefault("parameters", []).append(dict(IF_MATCH))
            if "304" in statuses:
                operation.setdefault("parameters", []).append(dict(IF_NONE_MATCH))
            extra = [503] if path != "/healthz" else []
            if path.startswith("/api/"):
                extra.append(429)
            if "requestBody" in operation:
                extra.append(413)
            for status in extra:
                if str(status) not in statuses:
                    responses[status] = _response_name(status)


class ProblemApi(Api):
    """flask-smorest's Api whose HTTP errors are RFC 9457 problem documents."""

    ERROR_SCHEMA = ProblemSchema

    def _init_spec(self, *, extra_plugins=None, **options):
        super()._init_spec(extra_plugins=[*(extra_plugins or ()), CommonResponsesPlugin()], **options)

    def handle_http_exception(self, error):
        """Render every HTTPException (404, 405, 422...) as problem+json."""
        return http_exception_to_problem(error)

    def _register_responses(self):
        """Document every error response as application/problem+json."""
        for status in http.HTTPStatus:
            response = {"description": status.phrase}
            if not (100 <= status < 200) and status not in (204, 304):
                response["schema"] = self.ERROR_SCHEMA
            prepare_response(response, self.spec, PROBLEM_MIMETYPE)
            self.spec.components.response(status.name, response, lazy=True)
        response = {"description": "Error (problem+json)", "schema": self.ERROR_SCHEMA}
        prepare_response(response, self.spec, PROBLEM_MIMETYPE)
        self.spec.components.response("DEFAULT_ERROR", response, lazy=True)


class ApiBlueprint(Blueprint):
    """flask-smorest's Blueprint; unknown query parameters and body fields are 422s naming them."""

    ARGUMENTS_PARSER = GuardedParser(unknown=RAISE)

    def arguments(self, schema, **kwargs):
        """flask-smorest's `arguments`, with a schema class instantiated once rather than on every request."""
        return super().arguments(schema() if isinstance(schema, type) else schema, **kwargs)

    def answers(self, *statuses: int):
        """Document the standard responses `statuses` (e.g. 304, 401, 404) a view may give besides its own."""

        def decorator(view):
            for status in statuses:
                view = self.alt_response(status, response=_response_name(status))(view)
            return view

        return decorator

    def links_to_item(self, status: int, path: str, id_name: str):
        """Document that the `status` response (an item and its ETag) leads to the item's PATCH and DELETE."""
        return self.doc(responses={status: {"links": item_links(path, id_name)}})


api = ProblemApi()
