"""The routes blueprint class: the API blueprint plus multipart/form-data (file upload) arguments."""

from __future__ import annotations

from marshmallow import RAISE
from werkzeug.datastructures import CombinedMultiDict

from urbanpulse.web.api_base import ApiBlueprint
from urbanpulse.web.input_guard import GuardedParser


class MultipartParser(GuardedParser):
    """webargs' Flask parser plus a `multipart` location: form fields and files together."""

    __location_map__ = {**GuardedParser.__location_map__, "multipart": "load_multipart"}

    def load_multipart(self, req, schema):
        """Form fields and uploaded files of a multipart/form-data body."""
        return self._makeproxy(CombinedMultiDict([req.form, req.files]), schema)


class RoutesBlueprint(ApiBlueprint):
    """The API blueprint (unknown fields are 422s), also able to read and document multipart uploads."""

    ARGUMENTS_PARSER = MultipartParser(unknown=RAISE)
    DEFAULT_LOCATION_CONTENT_TYPE_MAPPING = {
        **ApiBlueprint.DEFAULT_LOCATION_CONTENT_TYPE_MAPPING,
        "multipart": "multipart/form-data",
    }
