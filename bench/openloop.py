"""Open-loop runs for `make bench`: requests at a fixed arrival rate whatever the answers (npm's loadtest in
--rps mode, bench/node/openloop.mjs), so tails are measured as users meet them, not as a closed loop hides them."""

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


def run(port: int, rate: float, seconds: int, workload: str, path: str = "") -> dict:
    """One open-loop run at `rate` requests per second: achieved rate, errors, p50/p90/p99/p99.9/max in ms."""
    command = ["node", "openloop.mjs", f"http://127.0.0.1:{port}", str(max(1, round(rate))), str(seconds), workload]
    if path:
        command.append(path)
    done = subprocess.run(command, cwd=NODE_DIR, capture_output=True, text=True, timeout=seconds + 120)
    line = next((line for line in done.stdout.splitlines() if line.startswith("OPENLOOP_JSON ")), None)
    if line is None:
        raise RuntimeError(f"open-loop run failed: {done.stderr[-2000:]}")
    return json.loads(line.removeprefix("OPENLOOP_JSON "))
