"""Images that imports find upstream: offered inside the import's transaction (a row each, no download), fetched
afterwards by the media worker (an RQ job per image, re-queued by the sweep), then added to their item through the
media service like an upload, with their credit and licence.

- Once per image: an item's image is known by its URL; a URL offered again is not fetched again, even when the
  office has since deleted our copy (its row keeps `fetched`), unless the source declares a new version of the
  file (its size or date, `version`): then it is fetched again and takes the older copy's place, if the item
  still has it.
- Rights: a published item only shows photos with a credit and a licence, and an image whose licence forbids the
  app's use (all rights reserved, no reuse) is `refused`: never downloaded, never shown.
- Safety: only http(s) URLs to public addresses (not loopback, private or link-local ones, unless
  IMPORT_IMAGES_ALLOW_PRIVATE_HOSTS, for tests), at most MEDIA_MAX_UPLOAD_BYTES, checked as an upload is.
"""

from __future__ import annotations

import ipaddress
import logging
import re
import socket
import uuid
from datetime import timedelta
from urllib.parse import urlsplit

import requests
from flask import current_app
from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.dialects.postgresql import insert

from urbanpulse.core.errors import DomainError
from urbanpulse.core.extensions import db
from urbanpulse.core.models_common import utcnow
from urbanpulse.editing.actor import Actor
from urbanpulse.media import jobs
from urbanpulse.media.models import Media, UpstreamImage
from urbanpulse.media.service import Upload, add_imported_image

log = logging.getLogger(__name__)
FETCH_TIMEOUT_S = (5, 30)
FORBIDDING = re.compile(
    r"all rights reserved|tous droits r[ée]serv[ée]s|no reuse|pas de r[ée]utilisation|r[ée]utilisation interdite|"
    r"reproduction interdite|usage interdit|not for publication",
    re.IGNORECASE,
)
COLLECTIONS = {"poi": "pois", "event": "events", "route": "routes"}


def refusal(image: dict) -> str | None:
    """Why an upstream image cannot be shown (None when it can): no URL, no credit, no licence, or a licence
    that forbids the app's use."""
    url = image.get("url") or ""
    if urlsplit(url).scheme not in ("http", "https") or len(url) > 2000:
        return "not an http(s) URL"
    if not (image.get("licence") or "").strip():
        return "no licence upstream"
    if FORBIDDING.search(image["licence"]):
        return f"its licence forbids the app's use: {image['licence'][:200]}"
    if not (image.get("credit") or "").strip():
        return "no credit upstream"
    return None


def offer(*, entity_type: str, item_id: uuid.UUID, images: list[dict], source: str) -> list[uuid.UUID]:
    """Record the item's upstream images (in the caller's transaction, one statement): new URLs wait for the
    worker, or are refused with their reason; a known URL is fetched again only when the source declares a new
    version of it (size, date) and the item still has our copy (else it stays as it is). The ids of the images
    now waiting, to queue once the caller has committed."""
    rows: dict[str, dict] = {}
    for image in images:
        reason = refusal(image)
        url = (image.get("url") or "")[:2000]
        rows.setdefault(
            url,
            {
                "id": uuid.uuid4(),
                "owner_type": entity_type,
                "owner_id": item_id,
                "url": url,
                "source": source,
                "credit": (image.get("credit") or None) and image["credit"][:300],
                "licence": (image.get("licence") or None) and image["licence"][:300],
                "caption": image.get("caption") or {},
                "version": (image.get("version") or None) and image["version"][:200],
                "status": "refused" if reason else "waiting",
                "error": reason,
            },
        )
    if not rows:
        return []
    statement = insert(UpstreamImage).values(list(rows.values()))
    new = statement.excluded
    changed_upstream = and_(
        new.status == "waiting",
        new.version.is_not(None),
        UpstreamImage.version.is_distinct_from(new.version),
        UpstreamImage.status.in_(("fetched", "failed")),
        # A copy the office deleted stays deleted, whatever the source does with it.
        or_(UpstreamImage.media_id.is_(None), exists().where(Media.id == UpstreamImage.media_id)),
    )
    refetch = {"version": new.version, "status": "waiting", "attempts": 0, "error": None, "credit": new.credit,
               "licence": new.licence, "caption": new.caption, "updated_at": func.now()}  # fmt: skip
    inserted = db.session.execute(
        statement.on_conflict_do_update(
            index_elements=["owner_type", "owner_id", "url"], set_=refetch, where=changed_upstream
        ).returning(UpstreamImage.id, UpstreamImage.status)
    )
    return [image_id for image_id, status in inserted if status == "waiting"]


def queue(image_ids: list[uuid.UUID]) -> int:
    """Queue a fetch of each image (after the commit that recorded them); the number queued."""
    return jobs.enqueue_each("urbanpulse.media.upstream.fetch", image_ids)


def queue_waiting(*, older_than_s: int) -> int:
    """The worker's sweep: queue a fetch of every image still waiting, untouched for `older_than_s` (its job lost
    with a crashed worker, or never queued while Redis was away); the number queued."""
    query = select(UpstreamImage.id).where(
        UpstreamImage.status == "waiting", UpstreamImage.updated_at <= utcnow() - timedelta(seconds=older_than_s)
    )
    waiting = list(db.session.scalars(query))
    db.session.rollback()
    return queue(waiting)


def fetch(image_id: str) -> str:
    """The job: download one waiting image and add it to its item; its new status."""
    try:
        return _fetch(uuid.UUID(image_id))
    finally:
        db.session.remove()


def _end(image_id: uuid.UUID, status: str, *, error: str | None = None, media_id=None) -> str:
    row = db.session.get(UpstreamImage, image_id)
    row.status, row.error, row.media_id = status, (error or None) and error[:500], media_id
    db.session.commit()
    return status


def _public_host(url: str) -> bool:
    if current_app.config["IMPORT_IMAGES_ALLOW_PRIVATE_HOSTS"]:
        return True
    host = urlsplit(url).hostname or ""
    try:
        addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
    except OSError:
        return False
    return bool(addresses) and all(ipaddress.ip_address(a.split("%")[0]).is_global for a in addresses)


def _download(url: str) -> tuple[bytes, str | None]:
    """The body and content type of `url`; ValueError for an answer that will never do, OSError to try again."""
    limit = current_app.config["MEDIA_MAX_UPLOAD_BYTES"]
    try:
        with requests.get(url, timeout=FETCH_TIMEOUT_S, stream=True, allow_redirects=False) as response:
            if response.status_code >= 500 or response.status_code == 429:
                raise OSError(f"answered {response.status_code}")
            if response.status_code != 200:
                raise ValueError(f"answered {response.status_code}")
            body = bytearray()
            for chunk in response.iter_content(64 * 1024):
                body += chunk
                if len(body) > limit:
                    raise ValueError(f"larger than {limit} bytes")
            return bytes(body), response.headers.get("Content-Type")
    except requests.RequestException as error:
        raise OSError(type(error).__name__) from None


def _fetch(image_id: uuid.UUID) -> str:
    row = jobs.claim(UpstreamImage, image_id, owed="waiting")
    if row is None:
        return "nothing to do"
    if row.attempts > current_app.config["MEDIA_JOB_ATTEMPTS"]:
        return _end(image_id, "failed", error=row.error or "too many attempts")
    url, kind, item_id, previous = row.url, COLLECTIONS[row.owner_type], row.owner_id, row.media_id
    texts = {"credit": row.credit, "licence": row.licence, "caption": row.caption or {}}
    actor = Actor.system(f"import:{row.source}")
    if not _public_host(url):
        return _end(image_id, "failed", error="not a public address")
    try:
        data, content_type = _download(url)
    except ValueError as error:
        return _end(image_id, "failed", error=str(error))
    except OSError as error:
        db.session.get(UpstreamImage, image_id).error = str(error)[:500]
        db.session.commit()
        raise  # RQ retries; past MEDIA_JOB_ATTEMPTS the row fails
    name = urlsplit(url).path.rsplit("/", 1)[-1][:255] or None
    try:
        media = add_imported_image(
            kind=kind,
            item_id=item_id,
            upload=Upload("file", name, content_type, data),
            texts=texts,
            actor=actor,
            replacing=previous,  # our copy of the image's older version, when it is fetched again
        )
    except DomainError as error:
        db.session.rollback()
        return _end(image_id, "failed", error=error.detail)
    return _end(image_id, "fetched", media_id=media.id)
