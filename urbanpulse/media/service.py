"""Media writes: upload, texts and rights, order, cover, deletion; each a new version of the owning item.

Every change locks the owning item, checks If-Match against it, rewrites its `media` list (what every
read serves), bumps its version with a history entry and commits through the owner's own commit step
(cache, tiles, feed, sync all see an ordinary change of the item).
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass

from flask import current_app
from sqlalchemy import select

from urbanpulse.core.errors import DomainError, NotFound, PreconditionFailed, ValidationFailed
from urbanpulse.core.extensions import db
from urbanpulse.editing.actor import Actor
from urbanpulse.editing.etags import check_if_match
from urbanpulse.editing.items import locked
from urbanpulse.editing.merge import merge_patch
from urbanpulse.media import jobs, processing
from urbanpulse.media.changes import commit_change, original_key, processed_since, rows_of
from urbanpulse.media.errors import StorageUnavailable
from urbanpulse.media.models import Media
from urbanpulse.media.owners import Owner, owner_for
from urbanpulse.media.representation import history_state
from urbanpulse.media.storage import StorageError, current_store

log = logging.getLogger(__name__)
MISSING_MEDIA = "no such image on this item"
RIGHTS = ("credit", "licence")


@dataclass(frozen=True)
class Upload:
    """One uploaded file as the request gave it."""

    field: str
    filename: str | None
    content_type: str | None
    data: bytes


def _locked(owner: Owner, item_id: uuid.UUID, if_match: str | None):
    try:
        item = locked(owner.model, item_id, missing=owner.missing)
        try:
            check_if_match(if_match, item_id=item.id, version=item.version)
        except PreconditionFailed:
            if not processed_since(owner, item, if_match):
                raise
    except DomainError:
        db.session.rollback()
        raise
    return item


def _renumber(rows: list[Media]) -> None:
    for position, row in enumerate(rows, start=1):
        row.position = position
    if rows and not any(row.is_cover for row in rows):
        rows[0].is_cover = True


def _check_rights(owner: Owner, item, rows: list[Media]) -> None:
    """A published item only shows licensed, credited photos (422 naming each missing field)."""
    if not owner.is_public(item):
        return
    errors = [
        {"field": f"media.{index}.{name}", "in": "json", "messages": ["required before publishing"]}
        for index, row in enumerate(rows)
        for name in RIGHTS
        if not (getattr(row, name) or "").strip()
    ]
    if errors:
        raise ValidationFailed("published items only show photos with a credit and a licence", errors=errors)


def publishing_problems(*, entity_type: str, item_id: uuid.UUID) -> list[dict]:
    """The media fields that must be filled before the item can be published (credit, licence)."""
    query = select(Media).where(Media.owner_type == entity_type, Media.owner_id == item_id).order_by(Media.position)
    return [
        {"field": f"media.{index}.{name}", "in": "json", "messages": ["required before publishing"]}
        for index, row in enumerate(db.session.scalars(query))
        for name in RIGHTS
        if not (getattr(row, name) or "").strip()
    ]


def list_media(*, kind: str, item_id: uuid.UUID, include_unpublished: bool) -> tuple[object, list[dict]]:
    """The item and its served media list; drafts only when `include_unpublished`."""
    owner = owner_for(kind)
    item = db.session.get(owner.model, item_id)
    if item is None or item.deleted_at is not None or not (include_unpublished or owner.is_public(item)):
        raise NotFound(owner.missing)
    return item, list(item.media or [])


def _inspected(uploads: list[Upload]) -> list:
    config = current_app.config
    if not uploads:
        raise ValidationFailed.field("file", "send at least one file", location="files")
    if len(uploads) > config["MEDIA_MAX_FILES"]:
        raise ValidationFailed.field("file", f"at most {config['MEDIA_MAX_FILES']} files at once", location="files")
    return [
        processing.inspect(
            upload.data, declared_type=upload.content_type, field=upload.field, max_pixels=config["MEDIA_MAX_PIXELS"]
        )
        for upload in uploads
    ]


def upload_media(
    *, kind: str, item_id: uuid.UUID, uploads: list[Upload], texts: dict, if_match: str | None, actor: Actor
):
    """Add images to an item (checked fully first: all or none), queued for their sizes; the new item."""
    owner = owner_for(kind)
    inspected = _inspected(uploads)
    item = _locked(owner, item_id, if_match)
    new_rows = _add(owner, item, uploads, inspected, texts, actor)
    jobs.enqueue([row.id for row in new_rows])
    return item


def add_imported_image(
    *, kind: str, item_id: uuid.UUID, upload: Upload, texts: dict, actor: Actor, replacing: uuid.UUID | None = None
) -> Media:
    """Add an image that an import found upstream (urbanpulse.media.upstream) as the item's last image, or in the
    place of `replacing` (a copy of an older version of the same upstream image, removed in the same write) when
    the item still has it: a system write, so no If-Match (the item is locked, as for processing results); queued
    for its sizes."""
    owner = owner_for(kind)
    inspected = _inspected([upload])
    try:
        item = locked(owner.model, item_id, missing=owner.missing)
    except DomainError:
        db.session.rollback()
        raise
    [row] = _add(owner, item, [upload], inspected, texts, actor, replacing=replacing)
    jobs.enqueue([row.id])
    return row


def _add(
    owner: Owner, item, uploads: list[Upload], inspected: list, texts: dict, actor: Actor, replacing=None
) -> list[Media]:
    config = current_app.config
    rows = rows_of(owner, item.id)
    before = history_state(rows)
    replaced = next((row for row in rows if row.id == replacing), None) if replacing else None
    if len(rows) - bool(replaced) + len(uploads) > config["MEDIA_MAX_PER_ITEM"]:
        db.session.rollback()
        raise ValidationFailed.field("file", f"an item has at most {config['MEDIA_MAX_PER_ITEM']} images", "files")
    store = current_store()
    written: list[str] = []
    released: list[str] = []  # the replaced image's files, freed once nothing uses them
    try:
        new_rows = []
        for upload, image in zip(uploads, inspected, strict=True):
            if store.put(original_key(image.key), image.data):
                written.append(original_key(image.key))
            new_rows.append(_new_row(owner, item, upload, image, texts, actor))
        if replaced is not None:
            at = rows.index(replaced)
            rows[at : at + 1] = new_rows
            released = [original_key(replaced.original_key), *(size["key"] for size in replaced.sizes or [])]
            db.session.delete(replaced)
            db.session.flush()
        else:
            rows += new_rows
        db.session.add_all(new_rows)
        _renumber(rows)
        _check_rights(owner, item, rows)
        if released and store.transactional:
            jobs.release_unused(store, released)
        commit_change(owner, item, before=before, actor=actor)
    except BaseException as error:
        db.session.rollback()
        _forget(store, written)
        if isinstance(error, StorageError):
            log.error("media store failed during an upload: %s", error)
            raise StorageUnavailable("the media store could not keep the file; nothing was saved") from None
        raise
    if released and not store.transactional:
        jobs.release_unused(store, released)
    return new_rows


def _forget(store, written: list[str]) -> None:
    """Undo the files an unsuccessful upload created (the PostgreSQL store rolled back with the rows)."""
    if store.transactional:
        return
    for key in written:
        try:
            store.delete(key)
        except OSError:
            log.exception("could not remove %s after a failed upload", key)


def _new_row(owner: Owner, item, upload: Upload, image, texts: dict, actor: Actor) -> Media:
    return Media(
        id=uuid.uuid4(),
        owner_type=owner.entity_type,
        owner_id=item.id,
        position=0,
        is_cover=False,
        original_key=image.key,
        original_type=image.content_type,
        original_bytes=len(image.data),
        filename=(upload.filename or "")[:255] or None,
        width=image.width,
        height=image.height,
        alt=merge_patch({}, texts.get("alt") or {}),
        caption=merge_patch({}, texts.get("caption") or {}),
        credit=texts.get("credit"),
        licence=texts.get("licence"),
        status="processing",
        sizes=[],
        created_by=actor.user_id,
    )


def _one(rows: list[Media], media_id: uuid.UUID) -> Media:
    found = next((row for row in rows if row.id == media_id), None)
    if found is None:
        db.session.rollback()
        raise NotFound(MISSING_MEDIA)
    return found


def update_media(
    *, kind: str, item_id: uuid.UUID, media_id: uuid.UUID, changes: dict, if_match: str | None, actor: Actor
):
    """Change an image's texts (merge-patched), credit, licence, or make it the cover; the new item."""
    owner = owner_for(kind)
    item = _locked(owner, item_id, if_match)
    rows = rows_of(owner, item.id)
    before = history_state(rows)
    row = _one(rows, media_id)
    try:
        for field in ("alt", "caption"):
            if field in changes:
                setattr(row, field, merge_patch(getattr(row, field) or {}, changes[field]))
        for field in RIGHTS:
            if field in changes:
                setattr(row, field, (changes[field] or "").strip() or None)
        if changes.get("cover"):
            for other in rows:
                other.is_cover = False
            db.session.flush()  # one cover at a time (unique index)
            row.is_cover = True
        _check_rights(owner, item, rows)
    except DomainError:
        db.session.rollback()
        raise
    if history_state(rows) == before:
        db.session.rollback()
        return db.session.get(owner.model, item_id)
    commit_change(owner, item, before=before, actor=actor)
    return item


def reorder_media(*, kind: str, item_id: uuid.UUID, order: list[uuid.UUID], if_match: str | None, actor: Actor):
    """Put the item's images in `order` (every image id, once); the new item."""
    owner = owner_for(kind)
    item = _locked(owner, item_id, if_match)
    rows = rows_of(owner, item.id)
    before = history_state(rows)
    by_id = {row.id: row for row in rows}
    if len(order) != len(set(order)) or set(order) != set(by_id):
        db.session.rollback()
        raise ValidationFailed.field("order", "must list every image of the item exactly once")
    _renumber([by_id[media_id] for media_id in order])
    if history_state(rows_of(owner, item.id)) == before:
        db.session.rollback()
        return db.session.get(owner.model, item_id)
    commit_change(owner, item, before=before, actor=actor)
    return item


def delete_media(*, kind: str, item_id: uuid.UUID, media_id: uuid.UUID, if_match: str | None, actor: Actor):
    """Remove an image (the next one becomes the cover if it was); its files go when nothing else uses them."""
    owner = owner_for(kind)
    item = _locked(owner, item_id, if_match)
    rows = rows_of(owner, item.id)
    before = history_state(rows)
    row = _one(rows, media_id)
    keys = [original_key(row.original_key), *(size["key"] for size in row.sizes or [])]
    db.session.delete(row)
    rows.remove(row)
    db.session.flush()
    _renumber(rows)
    store = current_store()
    if store.transactional:
        jobs.release_unused(store, keys)
    commit_change(owner, item, before=before, actor=actor)
    if not store.transactional:
        jobs.release_unused(store, keys)
    return item


def check_publishable(*, entity_type: str, item_id: uuid.UUID) -> None:
    """422 naming each image's missing credit or licence: tourism photos are licensed before they are shown."""
    problems = publishing_problems(entity_type=entity_type, item_id=item_id)
    if problems:
        raise ValidationFailed("fill in every photo's credit and licence before publishing", errors=problems)
