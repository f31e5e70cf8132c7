"""Errors gunicorn answers itself, before the app sees a request (a request line over LIMIT_REQUEST_LINE bytes,
too many or too large header fields, a malformed request), written as application/problem+json like every
other error of the service, instead of gunicorn's HTML page."""

from __future__ import annotations

import json

import gunicorn.util

# gunicorn's own ceilings (it refuses anything larger): the longest request line, and one header field.
LIMIT_REQUEST_LINE = 8190
LIMIT_REQUEST_FIELD_SIZE = 8190
LIMIT_REQUEST_FIELDS = 100
PROBLEM_TYPES = {400: "bad-request", 403: "forbidden", 414: "uri-too-long", 417: "expectation-failed",
                 431: "request-header-fields-too-large", 500: "internal-error"}  # fmt: skip
DETAILS = {
    414: f"The request line (method, path and query) is longer than {LIMIT_REQUEST_LINE} bytes; send fewer "
    "or shorter query parameters.",
    431: f"A header field is longer than {LIMIT_REQUEST_FIELD_SIZE} bytes, or there are more than "
    f"{LIMIT_REQUEST_FIELDS} of them.",
}


def problem_bytes(status: int, reason: str, message: str) -> bytes:
    """The whole HTTP/1.1 response: status line, headers and an RFC 9457 problem body; the connection closes."""
    body = json.dumps(
        {
            "type": f"/problems/{PROBLEM_TYPES.get(status, 'bad-request')}",
            "title": reason,
            "status": status,
            "detail": DETAILS.get(status) or message or reason,
        }
    ).encode()
    head = (
        f"HTTP/1.1 {status} {reason}\r\nConnection: close\r\nContent-Type: application/problem+json\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    )
    return head.encode("latin-1") + body


def write_problem(sock, status_int: int, reason: str, mesg: str) -> None:
    """gunicorn.util.write_error's replacement (same signature)."""
    gunicorn.util.write_nonblock(sock, problem_bytes(status_int, reason, mesg))


def install() -> None:
    """Make gunicorn write its own errors as problems (workers look `util.write_error` up at each error)."""
    gunicorn.util.write_error = write_problem
