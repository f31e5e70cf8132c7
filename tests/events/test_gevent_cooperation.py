"""Under gevent (the gunicorn worker class), a PostgreSQL query must not block other greenlets."""

import subprocess
import sys

import pytest

from urbanpulse.core.config import to_libpq_url

pytestmark = pytest.mark.slow

SCRIPT = """
from gevent import monkey
monkey.patch_all()
import sys
import gevent
import psycopg
import psycopg.waiting

order = []

def slow_query():
    with psycopg.connect(sys.argv[1]) as conn:
        conn.execute("SELECT pg_sleep(1)")
    order.append("query done")

def other_work():
    order.append("other greenlet ran")

query = gevent.spawn(slow_query)
with psycopg.connect(sys.argv[1], autocommit=True) as watcher:  # until the query is running on PostgreSQL
    running = (
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' "
        "AND query = 'SELECT pg_sleep(1)'"
    )
    while not watcher.execute(running).fetchone()[0] and not query.dead:
        gevent.sleep(0.01)
other = gevent.spawn(other_work)
gevent.joinall([query, other], timeout=30)
print(psycopg.waiting.wait.__name__, "|".join(order))
"""


def test_psycopg_yields_to_other_greenlets_while_waiting(database_url):
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, to_libpq_url(database_url)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    wait_function, order = result.stdout.strip().split(" ", 1)
    assert wait_function != "wait_c"  # the C wait would block the whole worker
    assert order == "other greenlet ran|query done"
