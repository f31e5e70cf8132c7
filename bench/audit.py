"""`make audit`: Lighthouse (npm, in audit/) with Debian's chromium on the app's main pages, mobile profile, and
the bytes a phone transfers on its first and on a repeat visit (Playwright, counted by the browser).

Serves the seeded database of `make run` with the production gunicorn configuration on AUDIT_PORT (8791).
Writes audit/results/latest.json and prints a summary; screenshots go to tests/artifacts/audit-*.png.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import requests

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import service
from urbanpulse.core.config import DEFAULT_DATABASE_URL, DEFAULT_REDIS_URL, to_libpq_url
from urbanpulse.runtime.roles import runtime_url

ROOT = Path(__file__).resolve().parent.parent
AUDIT = ROOT / "audit"
RESULTS = AUDIT / "results"
ARTIFACTS = ROOT / "tests" / "artifacts"
PORT = int(os.environ.get("AUDIT_PORT", 8791))
BASE = f"http://127.0.0.1:{PORT}"
CHROMIUM = "/usr/bin/chromium"
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
TARGETS = {"performance": 90, "accessibility": 95, "best-practices": 95, "seo": 95}
# A repeat visit comes back after the pages' max-age (30 s) and the sync interval (60 s): it revalidates and syncs.
REPEAT_AFTER_S = int(os.environ.get("AUDIT_REPEAT_AFTER_S", 65))
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "device_scale_factor": 2}


def say(message: str) -> None:
    """Progress on stderr."""
    print(f"==> {message}", file=sys.stderr, flush=True)


def install_lighthouse() -> Path:
    """Lighthouse from npm, pinned by audit/package-lock.json."""
    binary = AUDIT / "node_modules" / ".bin" / "lighthouse"
    if not binary.exists():
        say("installing Lighthouse (npm ci in audit/)")
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=AUDIT, check=True)
    return binary


def pages() -> dict[str, str]:
    """Around me, a place page and a walk page of the seeded data."""
    place = requests.get(f"{BASE}/api/v1/pois", params={"limit": 1, "q": "beffroi"}, timeout=10).json()
    route = requests.get(f"{BASE}/api/v1/routes", params={"limit": 1}, timeout=10).json()
    return {
        "around_me": f"{BASE}/?lang=en",
        "place": f"{BASE}/places/{place['features'][0]['id']}?lang=en",
        "walk": f"{BASE}/walks/{route['features'][0]['id']}?lang=en",
    }


def lighthouse(binary: Path, url: str, name: str) -> dict:
    """Scores (0-100) of one page, mobile form factor with Lighthouse's simulated throttling."""
    output = RESULTS / f"lighthouse-{name}.json"
    subprocess.run(
        [
            str(binary), url, "--quiet", "--output=json", f"--output-path={output}",
            f"--only-categories={','.join(CATEGORIES)}", f"--chrome-path={CHROMIUM}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu",
        ],
        check=True,
        timeout=300,
        env={**os.environ, "CHROME_PATH": CHROMIUM},
    )  # fmt: skip
    report = json.loads(output.read_text())
    scores = {key: round(report["categories"][key]["score"] * 100) for key in CATEGORIES}
    scores["total_byte_weight"] = report["audits"]["total-byte-weight"]["numericValue"]
    return scores


def transferred(url: str, name: str) -> dict:
    """Bytes over the network on a first visit (service worker and content download included) and a repeat.

    Counted per finished request in the browser context, which sees the service worker's own fetches too;
    answers the service worker gave from its caches cross no network and are not counted.
    """
    from playwright.sync_api import sync_playwright

    # Playwright reports the service worker's own network requests only with this switch.
    os.environ["PW_EXPERIMENTAL_SERVICE_WORKER_NETWORK_EVENTS"] = "1"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--headless=new"])
        context = browser.new_context(**PHONE, locale="en-GB", service_workers="allow")
        counted = {"bytes": 0}

        def finished(request) -> None:
            response = request.response()
            if response is None or response.from_service_worker:
                return
            sizes = request.sizes()
            counted["bytes"] += sizes["responseBodySize"] + sizes["responseHeadersSize"]

        context.on("requestfinished", finished)
        page = context.new_page()
        page.goto(url, wait_until="networkidle")
        page.wait_for_timeout(2000)  # the service worker's pre-cache and the content bundle
        first = counted["bytes"]
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(ARTIFACTS / f"audit-{name}.png"), full_page=True)
        page.goto("about:blank")
        time.sleep(REPEAT_AFTER_S)
        counted["bytes"] = 0
        page.goto(url, wait_until="networkidle")
        page.wait_for_timeout(1000)
        repeat = counted["bytes"]
        browser.close()
    return {"first_visit_bytes": first, "repeat_visit_bytes": repeat}


def main() -> int:
    """Serve the seeded data, audit the pages, write and print the results."""
    RESULTS.mkdir(parents=True, exist_ok=True)
    binary = install_lighthouse()
    admin_url = os.environ.get("DATABASE_URL") or DEFAULT_DATABASE_URL
    app_url = os.environ.get("DATABASE_URL") or runtime_url(to_libpq_url(admin_url))
    redis_url = os.environ.get("REDIS_URL") or DEFAULT_REDIS_URL
    settings = {"DATABASE_URL": app_url, "REDIS_URL": redis_url, "PORT": str(PORT), "MAP_BASEMAP_URL": ""}
    process = service.start(settings, base_url=BASE)
    try:
        results = {}
        for name, url in pages().items():
            say(f"Lighthouse on {name}")
            results[name] = {"url": url, **lighthouse(binary, url, name), **transferred(url, name)}
    finally:
        os.killpg(process.pid, 15)
    report = {"at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "targets": TARGETS, "pages": results}
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))
    print(f"{'page':<12}" + "".join(f"{key:>16}" for key in (*CATEGORIES, "first KB", "repeat KB")))
    for name, row in results.items():
        scores = "".join(f"{row[key]:>16}" for key in CATEGORIES)
        print(f"{name:<12}{scores}{row['first_visit_bytes'] / 1024:>16.1f}{row['repeat_visit_bytes'] / 1024:>16.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
