"""Errors gunicorn answers before the app (an over-long request line, too large or too many header fields,
a malformed request) are application/problem+json like every other error, on the real gunicorn."""

from __future__ import annotations

import json
import socket

import pytest

from tests.reliability.gunicorn import Service
from urbanpulse.serving.http_errors import LIMIT_REQUEST_FIELD_SIZE, LIMIT_REQUEST_LINE


@pytest.fixture(scope="module")
def service(database_url, redis_url):
    running = Service(database_url=database_url, redis_url=redis_url, workers=1).start()
    yield running
    running.stop()


def raw(service, request: bytes) -> tuple[int, dict, bytes]:
    """Send bytes as they are (no client library would send these) and read the whole answer."""
    with socket.create_connection(("127.0.0.1", service.port), timeout=10) as sock:
        sock.sendall(request)
        data = b""
        while chunk := sock.recv(65536):
            data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers, body


def assert_problem_answer(answer, status: int) -> dict:
    code, headers, body = answer
    assert code == status, body
    assert headers["Content-Type"] == "application/problem+json"
    problem = json.loads(body)
    assert problem["status"] == status and problem["title"] and problem["detail"] and problem["type"]
    assert b"<html" not in body
    return problem


def test_a_request_line_over_the_limit_is_a_414_problem(service):
    path = "/api/v1/sync?since=" + "a" * LIMIT_REQUEST_LINE
    problem = assert_problem_answer(raw(service, f"GET {path} HTTP/1.1\r\nHost: x\r\n\r\n".encode()), 414)
    assert str(LIMIT_REQUEST_LINE) in problem["detail"]


def test_a_request_line_just_under_the_limit_reaches_the_app(service):
    path = "/api/v1/pois?q=" + "a" * (LIMIT_REQUEST_LINE - 200)
    code, headers, _ = raw(service, f"GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".encode())
    assert code == 422 and headers["Content-Type"] == "application/problem+json"  # the app's own validation


def test_a_header_field_over_the_limit_is_a_431_problem(service):
    header = "X-Big: " + "b" * (LIMIT_REQUEST_FIELD_SIZE + 10)
    assert_problem_answer(raw(service, f"GET /healthz HTTP/1.1\r\nHost: x\r\n{header}\r\n\r\n".encode()), 431)


def test_too_many_header_fields_is_a_431_problem(service):
    headers = "".join(f"X-H{i}: v\r\n" for i in range(150))
    assert_problem_answer(raw(service, f"GET /healthz HTTP/1.1\r\nHost: x\r\n{headers}\r\n".encode()), 431)


def test_a_malformed_request_is_a_400_problem(service):
    assert_problem_answer(raw(service, b"NOT A REQUEST\r\n\r\n"), 400)
