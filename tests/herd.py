"""Thundering-herd helpers for cache tests: count the computations, ask many times at once."""

from __future__ import annotations

import threading
import time


def counting_slowly(calls: list, original):
    """`original`, recording each call in `calls` and slowed down to widen the race window."""

    def counted(*args, **kwargs):
        calls.append(1)
        time.sleep(0.1)
        return original(*args, **kwargs)

    return counted


def ask_at_once(app, count: int, ask) -> list:
    """The results of `ask(client)` from `count` threads released together, each with its own test client."""
    results, barrier = [], threading.Barrier(count)

    def run():
        with app.test_client() as own:
            barrier.wait()
            results.append(ask(own))

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    return results
