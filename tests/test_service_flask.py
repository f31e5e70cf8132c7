"""The service's Flask class: coroutine checks asked once per function, answers unchanged."""

from __future__ import annotations

import pytest

from urbanpulse.web.flask_app import ServiceFlask


class _View:
    def get(self):
        return "plain"

    async def post(self):
        return "async"


def test_the_service_runs_on_service_flask(app, client):
    assert isinstance(app, ServiceFlask)
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_plain_functions_and_bound_methods_are_returned_as_they_are(app):
    def hook():
        return None

    assert app.ensure_sync(hook) is hook
    first, second = _View().get, _View().get
    assert app.ensure_sync(first) is first
    assert app.ensure_sync(second) is second
    # Views are bound anew on each request: the memo holds the function once, not one entry per instance.
    assert app._coroutine_functions.get(_View.get) is False
    assert first not in app._coroutine_functions


def test_coroutine_functions_still_go_through_flask(app):
    method = _View().post
    # Without asgiref (Flask's "async" extra, not installed here) Flask refuses them; with it, it wraps them.
    try:
        wrapped = app.ensure_sync(method)
    except RuntimeError as error:
        assert "async" in str(error)
    else:
        assert wrapped is not method
    assert app._coroutine_functions[_View.post] is True


def test_unhashable_callables_are_asked_every_time(app):
    class Unhashable:
        __hash__ = None

        def __call__(self):
            return "called"

    callable_object = Unhashable()
    with pytest.raises(TypeError):
        hash(callable_object)
    assert app.ensure_sync(callable_object) is callable_object
