"""Calls of the media API as a client makes them."""

from __future__ import annotations

import io

from rq import SimpleWorker

from urbanpulse.core.extensions import db
from urbanpulse.media import jobs
from urbanpulse.media.models import Media


def media_url(poi_id, *rest: str, kind: str = "pois") -> str:
    """/api/v1/<kind>/<id>/media[/...]."""
    return "/".join([f"/api/v1/{kind}/{poi_id}/media", *rest])


def etag_of(client, item_id, headers, kind: str = "pois") -> str:
    """The item's current ETag as its media list gives it."""
    response = client.get(media_url(item_id, kind=kind), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    version = response.get_json()["version"]
    return f'"{item_id}.{version}"'


def upload(client, item_id, headers, *files, kind: str = "pois", if_match: str | None = "current", **form):
    """POST files [(bytes, filename, content type)] with form fields; If-Match the current ETag by default."""
    if if_match == "current":
        if_match = etag_of(client, item_id, headers, kind)
    data = {key: value for key, value in form.items()}
    data["file"] = [(io.BytesIO(body), name, ctype) for body, name, ctype in files]
    extra = {"If-Match": if_match} if if_match else {}
    return client.post(
        media_url(item_id, kind=kind), data=data, headers={**headers, **extra}, content_type="multipart/form-data"
    )


def run_jobs(app) -> None:
    """Run the queued media jobs to the end with a real RQ worker (in this process, on the test Redis)."""
    connection = jobs.connection()
    SimpleWorker([jobs.queue(connection)], connection=connection).work(burst=True)
    db.session.remove()


def media_rows() -> list[Media]:
    """Every media row."""
    return list(db.session.scalars(db.select(Media).order_by(Media.position)))
