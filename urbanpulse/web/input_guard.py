"""Input the database cannot store or Python cannot decode is a client error, never a 500.

PostgreSQL text and JSONB refuse NUL characters, and UTF-8 cannot encode unpaired UTF-16 surrogates
(JSON lets a client send both as `\\u0000` and `\\ud800`): such strings are 422s naming their field. JSON
nested deeper than the decoder's recursion limit, or holding integers of thousands of digits, is an
invalid JSON body (400) like any other.
"""

from __future__ import annotations

import json
import re

from marshmallow import ValidationError
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import MultiDict

# The API key's query parameter (urbanpulse.apikeys) is read by the key check, not by each view's arguments.
CREDENTIAL_PARAMETERS = ("key",)

UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
MESSAGE = "must not contain NUL characters or unpaired UTF-16 surrogates"


def _bad(value) -> bool:
    return isinstance(value, str) and UNSTORABLE.search(value) is not None


def unstorable_paths(data) -> list[list[str]]:
    """Paths of the strings (values or keys) in `data` that PostgreSQL cannot store; iterative (any depth)."""
    found: list[list[str]] = []
    pending: list[tuple[list[str], object]] = [([], data)]
    while pending:
        path, value = pending.pop()
        if _bad(value):
            found.append(path)
        elif isinstance(value, dict):
            for key, child in value.items():
                if _bad(key):
                    found.append([*path, "_key"])
                else:
                    pending.append(([*path, str(key)], child))
        elif isinstance(value, list | tuple):
            pending.extend(([*path, str(index)], child) for index, child in enumerate(value))
    return found


def _multidict_paths(data) -> list[list[str]]:
    found = []
    for key in data:
        if _bad(key) or any(_bad(value) for value in data.getlist(key)):
            found.append(["_key" if _bad(key) else key])
    return found


def _nested(paths: list[list[str]]) -> dict:
    messages: dict = {}
    for path in paths:
        node = messages
        for key in (path or ["_schema"])[:-1]:
            node = node.setdefault(key, {})
            if not isinstance(node, dict):  # a parent already named
                break
        else:
            node[(path or ["_schema"])[-1]] = [MESSAGE]
    return messages


class GuardedParser(FlaskParser):
    """webargs' Flask parser, refusing unstorable strings (422) and undecodable JSON (400)."""

    def _raw_load_json(self, req):
        try:
            return super()._raw_load_json(req)
        except json.JSONDecodeError:
            raise
        except (RecursionError, ValueError) as error:
            # Too deeply nested, or an integer past Python's digit limit: not JSON this API can read.
            raise json.JSONDecodeError(f"unreadable JSON ({type(error).__name__})", "<body>", 0) from None

    def load_querystring(self, req, schema):
        """The query parameters, less the API key (so views declaring theirs strictly do not refuse it)."""
        args = req.args
        if any(name in args for name in CREDENTIAL_PARAMETERS):
            args = MultiDict([(k, v) for k, v in args.items(multi=True) if k not in CREDENTIAL_PARAMETERS])
        return self._makeproxy(args, schema)

    def pre_load(self, location_data, *, schema, req, location):
        """Refuse NUL characters and lone surrogates anywhere in the arguments, naming each field."""
        data = getattr(location_data, "data", location_data)  # webargs wraps MultiDicts in a proxy
        paths = _multidict_paths(data) if hasattr(data, "getlist") else unstorable_paths(data)
        if paths:
            raise ValidationError(_nested(paths))
        return location_data
