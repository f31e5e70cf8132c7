"""The machine's processes as /proc shows them, for the benches that measure the service's own processes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


def stat_fields(pid: int | str) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command name (state, ppid, pgrp, session, ...); None once gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return None


def processes() -> Iterator[tuple[int, list[str]]]:
    """(pid, stat fields) of every process alive now."""
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = stat_fields(entry.name)
            if fields is not None:
                yield int(entry.name), fields
