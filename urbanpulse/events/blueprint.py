"""The events blueprint and what its views share: visibility, time window and filters."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from urbanpulse.auth.guard import is_editor, optional_user
from urbanpulse.core.errors import Forbidden, Unauthorized, ValidationFailed
from urbanpulse.events.queries import Filters
from urbanpulse.events.schemas import DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS, as_aware
from urbanpulse.web.api_base import ApiBlueprint

blp = ApiBlueprint("events", __name__, url_prefix="/api/v1", description="Live events, calendars and live feed")


def publication_of(args: dict) -> str:
    """`published` for everyone; editors may ask for `draft` or `all` (401/403 for others)."""
    publication = args.get("publication") or "published"
    if publication != "published" and not is_editor():
        raise (Forbidden if optional_user() else Unauthorized)("only editors may list unpublished events")
    return publication


def filters_of(args: dict) -> Filters:
    """The non-time filters of a listing."""
    return Filters(
        categories=tuple(dict.fromkeys(args.get("category") or ())),
        statuses=tuple(dict.fromkeys(args.get("status") or ())),
        publication=publication_of(args),
        lat=args.get("lat"),
        lon=args.get("lon"),
        radius_m=args.get("radius"),
        bbox=tuple(args["bbox"]) if args.get("bbox") else None,
    )


def now_utc() -> datetime:
    """The current time, aware UTC."""
    return datetime.now(UTC)


def window_of(args: dict, *, default_days: int = DEFAULT_WINDOW_DAYS, default_start=None) -> tuple[datetime, datetime]:
    """[from, to) in UTC: naive values are Europe/Paris wall times; at most 366 days (422 naming `to`)."""
    start = as_aware(args["start"]) if args.get("start") else (default_start or now_utc())
    end = as_aware(args["end"]) if args.get("end") else start + timedelta(days=default_days)
    if end <= start:
        raise ValidationFailed.field("to", "must be after from", location="query")
    if end - start > timedelta(days=MAX_WINDOW_DAYS):
        raise ValidationFailed.field("to", f"the window may span at most {MAX_WINDOW_DAYS} days", location="query")
    return start.astimezone(UTC), end.astimezone(UTC)
