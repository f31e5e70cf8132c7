"""A client that counts: steady reads and writes through HAProxy's service port, from threads, recording every
outcome with its time (for the failure windows) and every acknowledged write (for the writes found afterwards)."""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

import requests

SERVICE = "http://127.0.0.1:28000"


@dataclass
class Outcomes:
    """What the load saw."""

    reads: int = 0
    failed_reads: list = field(default_factory=list)  # (time, what)
    writes: int = 0
    failed_writes: list = field(default_factory=list)
    acknowledged: list = field(default_factory=list)  # ids of POIs whose creation got a 2xx
    write_ok_times: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def longest_failure_s(self, failures: list, *, every_s: float) -> float:
        """The longest run of consecutive failure times (gaps under 3 intervals), in seconds."""
        times = sorted(t for t, _ in failures)
        longest, start = 0.0, None
        for previous, current in zip([None, *times], times, strict=False):
            if previous is None or current - previous > 3 * every_s:
                start = current
            longest = max(longest, current - start + every_s)
        return longest

    def resumed_after(self, moment: float) -> float | None:
        """Seconds from `moment` to the first successful write after the last failed one (None: not yet)."""
        with self.lock:
            failures = [t for t, _ in self.failed_writes if t >= moment]
            last_failure = max(failures, default=moment)
            after = [t for t in self.write_ok_times if t > last_failure]
        return min(after) - moment if after else None

    def summary(self) -> dict:
        """The counts, as the closing note reports them."""
        return {
            "reads": self.reads,
            "failed_reads": len(self.failed_reads),
            "writes": self.writes,
            "failed_writes": len(self.failed_writes),
            "acknowledged_writes": len(self.acknowledged),
        }


class Load:
    """Reads every `read_every_s` and writes every `write_every_s` (0: no writes), until stopped; as the editor
    of `token`, or anonymously (None: reads only)."""

    def __init__(self, token: str | None, *, read_every_s: float = 0.05, write_every_s: float = 0.2, readers: int = 2):
        self.token, self.read_every_s, self.write_every_s = token, read_every_s, write_every_s
        self.outcomes = Outcomes()
        self.stop_event = threading.Event()
        self.threads = [threading.Thread(target=self._reads, daemon=True) for _ in range(readers)]
        if write_every_s:
            self.threads.append(threading.Thread(target=self._writes, daemon=True))

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop_event.set()
        for thread in self.threads:
            thread.join(30)

    def _headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _reads(self) -> None:
        session = requests.Session()
        while not self.stop_event.is_set():
            started = time.monotonic()
            try:
                answer = session.get(f"{SERVICE}/api/v1/pois?limit=5&lang=en", headers=self._headers(), timeout=10)
                failure = None if answer.status_code == 200 else f"{answer.status_code}"
            except requests.RequestException as error:
                failure = type(error).__name__
            with self.outcomes.lock:
                self.outcomes.reads += 1
                if failure:
                    self.outcomes.failed_reads.append((started, failure))
            self.stop_event.wait(max(0.0, self.read_every_s - (time.monotonic() - started)))

    def _writes(self) -> None:
        session = requests.Session()
        while not self.stop_event.is_set():
            started = time.monotonic()
            name = f"Test de panne {uuid.uuid4().hex[:12]}"
            body = {"type": "Feature", "geometry": {"type": "Point", "coordinates": [1.6146, 50.7259]},
                    "properties": {"category": "monument", "name": {"fr": name}}}  # fmt: skip
            try:
                answer = session.post(f"{SERVICE}/api/v1/pois", json=body, headers=self._headers(), timeout=10)
                failure = None if answer.status_code == 201 else f"{answer.status_code}"
                created = answer.json()["id"] if failure is None else None
            except (requests.RequestException, ValueError, KeyError) as error:
                failure, created = type(error).__name__, None
            with self.outcomes.lock:
                self.outcomes.writes += 1
                if failure:
                    self.outcomes.failed_writes.append((started, failure))
                else:
                    self.outcomes.acknowledged.append(created)
                    self.outcomes.write_ok_times.append(started)
            self.stop_event.wait(max(0.0, self.write_every_s - (time.monotonic() - started)))
