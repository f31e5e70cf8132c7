"""The flask-smorest Api, with its errors (raised and documented) as application/problem+json."""

import http

from flask_smorest import Api, Blueprint
from flask_smorest.utils import prepare_response
from marshmallow import RAISE, Schema, fields
from webargs.flaskparser import FlaskParser

from urbanpulse.errors import PROBLEM_MIMETYPE, http_exception_to_problem


class FieldErrorSchema(Schema):
    """One failing input field."""

    field = fields.String(required=True, metadata={"description": "Dotted path of the field"})
    in_ = fields.String(data_key="in", metadata={"description": "query, json, headers, path..."})
    messages = fields.List(fields.String(), required=True)


class ProblemSchema(Schema):
    """RFC 9457 problem document."""

    type = fields.String(required=True)
    title = fields.String(required=True)
    status = fields.Integer(required=True)
    detail = fields.String()
    instance = fields.String(allow_none=True)
    request_id = fields.String()
    errors = fields.List(fields.Nested(FieldErrorSchema))


class ProblemApi(Api):
    """flask-smorest's Api whose HTTP errors are RFC 9457 problem documents."""

    ERROR_SCHEMA = ProblemSchema

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

    ARGUMENTS_PARSER = FlaskParser(unknown=RAISE)
