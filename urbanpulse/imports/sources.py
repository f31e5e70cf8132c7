"""Reading an import's source: a local JSON file or a JSON answer over HTTP, either failing as a SourceError
(the command then exits non-zero and unpublishes nothing)."""

from __future__ import annotations

import json
from pathlib import Path

import requests

from urbanpulse.imports.engine import SourceError

TIMEOUT_S = 30


def json_file(source: str):
    """The JSON value of a local file."""
    path = Path(source)
    if not path.is_file():
        raise SourceError(f"no such file: {source}")
    try:
        return json.loads(path.read_bytes())
    except ValueError:
        raise SourceError(f"{source} is not valid JSON") from None


def json_answer(url: str, *, what: str, params: dict | None = None, headers: dict | None = None):
    """The JSON answer of a GET to `url`; `what` names the source in errors (never the URL: it may carry a key)."""
    try:
        response = requests.get(url, params=params, headers=headers, timeout=TIMEOUT_S)
    except requests.RequestException as error:
        raise SourceError(f"{what} could not be reached: {type(error).__name__}") from None
    return json_of(response, what=what)


def json_of(response: requests.Response, *, what: str):
    """The JSON body of a 200 answer; any other status, or a body that is not JSON, is a SourceError."""
    if response.status_code != 200:
        raise SourceError(f"{what} answered {response.status_code}")
    try:
        return response.json()
    except ValueError:
        raise SourceError(f"{what} answered something that is not JSON") from None
