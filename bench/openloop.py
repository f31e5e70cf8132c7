"""Open-loop runs for `make bench`: requests at a fixed arrival rate whatever the answers (npm's loadtest in
--rps mode, bench/node/openloop.mjs), so tails are measured as users meet them, not as a closed loop hides them.

Each case's turn is followed by the same generator at the same rate against the floor server
(bench/node/floor.mjs, the smallest answer Node gives): what the generator and the machine add to any tail.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

NODE_DIR = Path(__file__).resolve().parent / "node"


def ensure_generator(apt_install) -> None:
    """Node.js (Debian) and loadtest (npm, pinned by bench/node/package-lock.json)."""
    if shutil.which("npm") is None:
        apt_install("nodejs", "npm")
    if not (NODE_DIR / "node_modules" / "loadtest").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=NODE_DIR, check=True)


def run(port: int, rate: float | str, seconds: int, workload: str, path: str = "") -> dict:
    """One open-loop run at `rate` requests per second: achieved rate, errors, p50/p90/p99/p99.9/max in ms."""
    rate_arg = rate if isinstance(rate, str) else str(max(1, round(rate)))
    command = ["node", "openloop.mjs", f"http://127.0.0.1:{port}", rate_arg, str(seconds), workload]
    if path:
        command.append(path)
    done = subprocess.run(command, cwd=NODE_DIR, capture_output=True, text=True, timeout=seconds + 120)
    line = next((line for line in done.stdout.splitlines() if line.startswith("OPENLOOP_JSON ")), None)
    if line is None:
        raise RuntimeError(f"open-loop run failed: {done.stderr[-2000:]}")
    return json.loads(line.removeprefix("OPENLOOP_JSON "))


def capacity(port: int, seconds: int, workload: str, path: str = "", *, connections: int) -> dict:
    """The same requests from the same generator in a closed loop of `connections`: its achieved rate is the
    capacity the open loop's rate is a share of (wrk's is higher: it leaves the service more of the cores)."""
    return run(port, f"closed:{connections}", seconds, workload, path)


def start_floor(port: int) -> subprocess.Popen:
    """The floor server on `port`, once it listens."""
    process = subprocess.Popen(["node", "floor.mjs", str(port)], cwd=NODE_DIR, stdout=subprocess.PIPE, text=True)
    if not process.stdout.readline().startswith("FLOOR_READY"):
        process.kill()
        raise RuntimeError("the floor server did not start")
    return process
