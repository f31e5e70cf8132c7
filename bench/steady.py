"""Steady state before `make bench` measures: a freshly loaded table is vacuumed (hint bits, visibility map),
analysed and read into shared buffers (pg_prewarm), then each case warms up until two turns agree."""

from __future__ import annotations

from collections.abc import Callable

import psycopg

AGREEMENT = 0.15  # two turns within 15 % of each other
MAX_WARMUP_TURNS = 8
TABLES = ("pois", "routes", "route_stops", "events", "history")


def settle_database(libpq_url: str, say: Callable[[str], None]) -> None:
    """VACUUM (ANALYZE) the content tables and load them and their indexes into shared buffers."""
    with psycopg.connect(libpq_url, autocommit=True) as conn:
        for table in TABLES:
            conn.execute(f"VACUUM (ANALYZE) {table}")
        conn.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        pages = conn.execute(
            """SELECT coalesce(sum(pg_prewarm(c.oid)), 0) FROM pg_class c
               WHERE c.relname = ANY(%s) OR c.oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = ANY(
                     SELECT oid FROM pg_class WHERE relname = ANY(%s)))""",
            (list(TABLES), list(TABLES)),
        ).fetchone()[0]
    say(f"database settled: vacuumed, analysed, {pages} pages prewarmed")


def agree(values: list[float]) -> bool:
    """Whether the values lie within AGREEMENT of each other (max over min)."""
    return bool(values) and min(values) > 0 and max(values) / min(values) - 1 <= AGREEMENT


def warm_until_stable(run: Callable[[int], dict], seconds: int, say: Callable[[str], None]) -> list[float]:
    """Warm-up turns until two in a row agree (at most MAX_WARMUP_TURNS); their rates, for the report."""
    rates: list[float] = []
    for _ in range(MAX_WARMUP_TURNS):
        rates.append(run(seconds)["rps"])
        say(f"  warm-up turn: {rates[-1]:.0f} req/s")
        if len(rates) >= 2 and agree(rates[-2:]):
            return rates
        if len(rates) >= 2 and not any(rates):
            say("  no answer in two warm-up turns: measuring as it is")
            return rates
    say(f"  not steady after {MAX_WARMUP_TURNS} warm-up turns: {rates}")
    return rates
