"""The DATAtourisme API (v1) read page by page: the objects of one endpoint (`/catalog`, `/placeOfInterest` or
`/entertainmentAndEvent`) as the flux reader's candidates take them (compact JSON: `uri`, `type`, language maps
as `{"fr": [...]}` or `{"@fr": "..."}`, read by urbanpulse.imports.jsonld).

The key goes in the `X-API-Key` header only, never in a URL, a message or the report. Pages are followed by the
answer's `meta.next` (only on the configured base's origin, any key or token parameter stripped), else by `page`
numbers up to `meta.total_pages`; page numbers reach only the first 10,000 results, so a read that would need
more stops as a SourceError rather than pass for a complete snapshot. `page_size` is at most 100 (what the API
accepts today; the issue's "pages of 250" are not possible). `since` reads what changed from that date
(`lastUpdate[gte]`, joined to the configured filters with ` AND `).

Rate limits (about 10 requests a second, 1,000 an hour): requests are spaced by 0.1 s; a 429 is waited out and
retried when its `Retry-After` (else `x-ratelimit-reset`) is at most `max_wait_s`, else the read stops with a
SourceError saying when the quota resets. 5xx answers and network failures are retried a few times with backoff;
every request has a time-out.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit, urlunsplit

import requests

from urbanpulse.imports.engine import SourceError
from urbanpulse.imports.sources import json_of

DEFAULT_BASE = "https://api.datatourisme.fr/v1"
ENDPOINTS = ("catalog", "placeOfInterest", "entertainmentAndEvent")
MAX_PAGE_SIZE = 100  # what the API accepts today
PAGE_NUMBER_LIMIT = 10_000  # results reachable through `page` numbers
MAX_PAGES = 2_000  # stops a chain of pages that never ends
TIMEOUT_S = (10, 60)  # connect, read
MIN_INTERVAL_S = 0.1  # about 10 requests a second
SERVER_RETRIES = 3  # after the first try, on 5xx and network failures
BACKOFF_S = 2.0  # then 4, 8 s
RATE_LIMIT_RETRIES = 5
DEFAULT_MAX_WAIT_S = 60
SECRET_PARAMETERS = ("key", "apikey", "api_key", "x-api-key", "token", "access_token", "auth")
WHAT = "the DATAtourisme API"
LOOPBACK = ("127.0.0.1", "localhost", "::1")

sleep = time.sleep  # tests replace it
clock = time.monotonic


@dataclass(frozen=True)
class Settings:
    """How to read the API (the app's DATATOURISME_API_* settings)."""

    endpoint: str = "catalog"
    filters: str = ""
    page_size: int = MAX_PAGE_SIZE
    fields: str = ""
    lang: str = ""
    max_wait_s: float = DEFAULT_MAX_WAIT_S


def is_api(source: str) -> bool:
    """Whether SOURCE names the API (`api`, or its base URL) rather than a flux."""
    return source == "api" or source.startswith(("https://", "http://"))


def endpoint_url(source: str, endpoint: str) -> str:
    """The endpoint's URL: `api` is the public base; a URL is a base, or already an endpoint's URL. Plain http
    only to this machine (the key must not cross a network in clear)."""
    base = DEFAULT_BASE if source == "api" else source.split("?")[0].split("#")[0].rstrip("/")
    parts = urlsplit(base)
    if parts.scheme != "https" and not (parts.scheme == "http" and parts.hostname in LOOPBACK):
        raise SourceError(f"{WHAT} is read over https only (got {parts.scheme}://{parts.hostname})")
    if endpoint not in ENDPOINTS:
        raise SourceError(f"unknown DATAtourisme API endpoint {endpoint!r} (one of {', '.join(ENDPOINTS)})")
    if parts.path.rstrip("/").rsplit("/", 1)[-1] in ENDPOINTS:
        return base
    return f"{base}/{endpoint}"


def since_date(since: str) -> str:
    """The day to read from: the date of `since` (an ISO date or time), the earlier of its own and UTC's."""
    try:
        moment = datetime.fromisoformat(since.strip().replace("Z", "+00:00"))
    except ValueError:
        raise SourceError(f"--since must be an ISO date or time, not {since!r}") from None
    day = moment.date()
    if moment.tzinfo is not None:
        day = min(day, moment.astimezone(UTC).date())
    return day.isoformat()


def read(source: str, *, api_key: str | None, since: str | None = None, settings: Settings = Settings()):
    """The objects of the API, page after page; SourceError when it cannot be read to the end."""
    if not api_key:
        raise SourceError("the DATAtourisme API needs a key: --key or DATATOURISME_API_KEY")
    url = endpoint_url(source, settings.endpoint)
    filters = [f for f in (settings.filters.strip(), f"lastUpdate[gte]={since_date(since)}" if since else "") if f]
    params: dict = {"page_size": max(1, min(int(settings.page_size), MAX_PAGE_SIZE))}
    if filters:
        params["filters"] = " AND ".join(filters)
    if settings.fields:
        params["fields"] = settings.fields
    if settings.lang:
        params["lang"] = settings.lang
    return _Reader(url, api_key, settings.max_wait_s).objects(params)


class _Reader:
    def __init__(self, url: str, api_key: str, max_wait_s: float):
        self.url = url
        self.origin = urlsplit(url)[:2]
        self.headers = {"X-API-Key": api_key, "Accept": "application/json"}
        self.max_wait_s = max_wait_s
        self.last_request = None

    def objects(self, params: dict) -> Iterator[dict]:
        url, query, page, seen = self.url, dict(params), None, set()
        for _ in range(MAX_PAGES):
            body = self._get(url, query)
            objects = body.get("objects") if isinstance(body, dict) else None
            if not isinstance(objects, list):
                raise SourceError(f"{WHAT} answered a page without its list of objects")
            yield from (item for item in objects if isinstance(item, dict))
            meta = body.get("meta") if isinstance(body.get("meta"), dict) else {}
            if meta.get("next"):
                url, query = self._next(url, str(meta["next"]), seen), None
                continue
            if not objects:
                return
            page = _integer(meta.get("page"), page if page is not None else 1)
            total = _integer(meta.get("total_pages"), 0)
            if page >= total:
                return
            if (page + 1) * params["page_size"] > PAGE_NUMBER_LIMIT:
                raise SourceError(
                    f"{WHAT} reaches only its first {PAGE_NUMBER_LIMIT:,} results by page number and gave no next "
                    "link: narrow the read with DATATOURISME_API_FILTERS or another endpoint"
                )
            page += 1
            url, query = self.url, {**params, "page": page}
        raise SourceError(f"{WHAT}'s pages did not end after {MAX_PAGES} pages")

    def _next(self, current: str, link: str, seen: set) -> str:
        """The next page's URL: relative or absolute, on the base's origin only, without any key or token."""
        target = urlsplit(urljoin(current, link))
        if target[:2] != self.origin:
            elsewhere = f"{target.scheme}://{target.hostname}"  # never the link's user part or query
            raise SourceError(f"{WHAT} gave a next page on another origin ({elsewhere}): refused")
        query = [(k, v) for k, v in parse_qsl(target.query, keep_blank_values=True)
                 if k.lower() not in SECRET_PARAMETERS]  # fmt: skip
        url = urlunsplit((target.scheme, target.netloc, target.path, urlencode(query), ""))
        if url in seen:
            raise SourceError(f"{WHAT} gave the same next page twice")
        seen.add(url)
        return url

    def _get(self, url: str, params: dict | None):
        failures = limited = 0
        while True:
            if self.last_request is not None:
                sleep(max(0.0, MIN_INTERVAL_S - (clock() - self.last_request)))
            self.last_request = clock()
            try:
                response = requests.get(url, params=params, headers=self.headers, timeout=TIMEOUT_S,
                                        allow_redirects=False)  # fmt: skip
            except requests.RequestException as error:
                failures += 1
                if failures > SERVER_RETRIES:
                    raise SourceError(f"{WHAT} could not be reached: {type(error).__name__}") from None
                sleep(BACKOFF_S * 2 ** (failures - 1))
                continue
            if response.status_code == 429:
                limited += 1
                wait = _wait_s(response)
                if wait > self.max_wait_s or limited > RATE_LIMIT_RETRIES:
                    resets = datetime.now(UTC) + timedelta(seconds=wait)
                    raise SourceError(
                        f"{WHAT}'s rate limit is reached (429): its quota resets in {round(wait)} s, around "
                        f"{resets:%Y-%m-%d %H:%M} UTC; run the import again then"
                    )
                sleep(wait)
                continue
            if response.status_code >= 500:
                failures += 1
                if failures > SERVER_RETRIES:
                    raise SourceError(f"{WHAT} answered {response.status_code}")
                sleep(BACKOFF_S * 2 ** (failures - 1))
                continue
            if response.status_code in (401, 403):
                raise SourceError(f"{WHAT} refused the key ({response.status_code})")
            return json_of(response, what=WHAT)


def _integer(value, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _wait_s(response) -> float:
    """Seconds to wait after a 429: Retry-After (seconds or an HTTP date), else x-ratelimit-reset (seconds, or
    an epoch time), else one second."""
    retry_after = (response.headers.get("Retry-After") or "").strip()
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            try:
                return max(0.0, (parsedate_to_datetime(retry_after) - datetime.now(UTC)).total_seconds())
            except (TypeError, ValueError):
                pass
    reset = (response.headers.get("x-ratelimit-reset") or "").strip()
    try:
        value = float(reset)
    except ValueError:
        return 1.0
    return max(0.0, value - time.time()) if value > 1_000_000_000 else max(0.0, value)
