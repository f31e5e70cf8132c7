"""Spread connections evenly over gunicorn's gevent workers.

Every worker waits on the same listening socket and the first one awake takes the connection, so a burst
of keep-alive clients lands unevenly (seen: 1/5/3/7 connections over 4 workers). A gevent worker serves
its connections in turns, so the clients of a crowded worker wait several times longer than the others.

Here the master keeps a table in shared memory with, for each worker, its open connections and a
heartbeat. A worker stops accepting while it holds more connections than the least loaded live worker;
it looks again every few milliseconds, and whenever one of its own connections closes. A worker whose
heartbeat is late (stuck, or stopped) does not count, so it can never stop the others from accepting.
"""

from __future__ import annotations

import mmap
import time
from functools import partial

import gevent
import numpy as np
from gevent.pool import Pool
from gevent.server import StreamServer
from gunicorn.sock import ssl_context
from gunicorn.workers.ggevent import GeventWorker

SLOTS = 256
PID, CONNECTIONS, HEARTBEAT_MS = range(3)
STALE_AFTER_MS = 2000
RECHECK_S = 0.02
_table: np.ndarray | None = None


def _now_ms() -> int:
    return time.monotonic_ns() // 1_000_000  # CLOCK_MONOTONIC: one clock for every process of the machine


def create_table() -> None:
    """In the master, before any worker is forked: the shared table (anonymous shared memory)."""
    global _table
    if _table is None:
        memory = mmap.mmap(-1, SLOTS * 3 * 8)
        _table = np.frombuffer(memory, dtype=np.int64).reshape(SLOTS, 3)


def assign_slot(worker) -> None:
    """In the master, before forking `worker`: give it a free row of the table (or none if all are taken)."""
    worker.balance_slot = None
    if _table is None:
        return
    free = np.flatnonzero(_table[:, PID] == 0)
    if free.size:
        slot = int(free[0])
        _table[slot] = (-1, 0, _now_ms())  # reserved until the worker writes its pid
        worker.balance_slot = slot


def release_slot(worker) -> None:
    """In the master, when `worker` has exited: free its row."""
    slot = getattr(worker, "balance_slot", None)
    if _table is not None and slot is not None:
        _table[slot] = (0, 0, 0)


class BalancedPool(Pool):
    """A connection pool that also reports itself full while its worker holds more than its share."""

    def __init__(self, size: int, slot: int, pid: int) -> None:
        super().__init__(size)
        self.slot = slot
        _table[slot] = (pid, 0, _now_ms())

    def add(self, greenlet, *args, **kwargs) -> None:
        """Track a connection's greenlet and publish the new count."""
        super().add(greenlet, *args, **kwargs)
        self.publish()

    def discard(self, greenlet) -> None:
        """Forget a finished connection's greenlet and publish the new count."""
        super().discard(greenlet)
        self.publish()

    def publish(self) -> None:
        """Write this worker's connection count and heartbeat to the shared table."""
        _table[self.slot, CONNECTIONS] = len(self)
        _table[self.slot, HEARTBEAT_MS] = _now_ms()

    def full(self) -> bool:
        """True at the size limit, or while another live worker holds fewer connections than this one."""
        return super().full() or self.more_than_share()

    def more_than_share(self) -> bool:
        """Whether some other worker with a recent heartbeat has fewer open connections."""
        others = np.ones(SLOTS, dtype=bool)
        others[self.slot] = False
        live = others & (_table[:, PID] > 0) & (_now_ms() - _table[:, HEARTBEAT_MS] < STALE_AFTER_MS)
        return bool(live.any()) and len(self) > int(_table[live, CONNECTIONS].min())


class BalancedGeventWorker(GeventWorker):
    """gunicorn's gevent worker, accepting connections only while it holds no more than the fewest."""

    def run(self) -> None:
        """Serve until told to stop, re-checking the balance every RECHECK_S; then drain like gunicorn."""
        slot = getattr(self, "balance_slot", None)
        if _table is None or slot is None:
            super().run()
            return
        ssl_args = {"ssl_context": ssl_context(self.cfg)} if self.cfg.is_ssl else {}
        pool = BalancedPool(self.worker_connections, slot, self.pid)  # one count per worker, whatever it listens on
        servers = []
        for listener in self.sockets:
            listener.setblocking(1)
            server = StreamServer(listener, handle=partial(self.handle, listener), spawn=pool, **ssl_args)
            server.max_accept = 1
            server.start()
            servers.append(server)
        last_notify = 0.0
        while self.alive:
            pool.publish()
            if not pool.full():
                for server in servers:
                    server.start_accepting()  # idempotent; accept() pauses itself again when over the share
            if time.monotonic() - last_notify >= 1.0:
                self.notify()
                last_notify = time.monotonic()
            gevent.sleep(RECHECK_S)
        self._drain(servers, pool)

    def _drain(self, servers: list, pool: BalancedPool) -> None:
        # As gunicorn's own gevent worker: stop accepting, let requests finish until graceful_timeout.
        for server in servers:
            server.close()
        deadline = time.time() + self.cfg.graceful_timeout
        while time.time() <= deadline:
            if pool.free_count() == pool.size:
                return
            self.notify()
            gevent.sleep(1.0)
        self.log.warning("Worker graceful timeout (pid:%s)", self.pid)
        for server in servers:
            server.stop(timeout=1)
