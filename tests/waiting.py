"""Waiting for a condition by polling it (never a fixed sleep standing for "long enough")."""

from __future__ import annotations

import time
from collections.abc import Callable


def wait_until(
    condition: Callable[[], object], *, timeout_s: float = 30, every_s: float = 0.05, what: str = ""
) -> None:
    """Return as soon as `condition()` is true; fail the test after `timeout_s`."""
    deadline = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what or condition}")
        time.sleep(every_s)
