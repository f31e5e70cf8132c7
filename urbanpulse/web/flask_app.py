"""The Flask class the service runs on."""

from __future__ import annotations

from inspect import iscoroutinefunction

from flask import Flask

# Past this many distinct functions (never reached by the service's hooks and views), the memo starts over.
_MEMO_LIMIT = 10_000


class ServiceFlask(Flask):
    """Flask, asking once per function whether it is a coroutine function.

    Flask's `ensure_sync` inspects every before/after/teardown hook and view on every request (about 30 here),
    about 6 % of the time /healthz spends in the app (issue 19). The answer never changes for a function, so it
    is remembered, by the plain function behind a bound method (views are bound anew on each request).
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Per app: the hooks are closures over their app, which a memo shared by every app would keep alive.
        self._coroutine_functions: dict = {}

    def ensure_sync(self, func):
        """`func` itself when it is a plain function, else Flask's wrapper for it."""
        key = getattr(func, "__func__", func)
        try:
            is_coroutine = self._coroutine_functions.get(key)
        except TypeError:  # an unhashable callable: ask Flask every time
            return super().ensure_sync(func)
        if is_coroutine is None:
            if len(self._coroutine_functions) >= _MEMO_LIMIT:
                self._coroutine_functions.clear()
            is_coroutine = self._coroutine_functions[key] = iscoroutinefunction(func)
        return super().ensure_sync(func) if is_coroutine else func
