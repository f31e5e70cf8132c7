"""flask CLI: `flask --app wsgi events import SOURCE`."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

from urbanpulse.core.i18n import LANGUAGES

events_cli = AppGroup("events", help="Live events.")


@events_cli.command("import")
@click.argument("source")
@click.option("--draft", is_flag=True, help="Create new events as drafts (default: published).")
@click.option(
    "--language", type=click.Choice(LANGUAGES), default="fr", show_default=True, help="Language of the feed's text."
)
def import_command(source: str, draft: bool, language: str) -> None:
    """Import an iCalendar feed (.ics file or http(s) URL): idempotent by UID; vanished events are cancelled.

    Prints the counts as JSON; exits with 1 when the source cannot be read or is not iCalendar (nothing is
    written then), with 0 otherwise, even when some events failed (listed under "failed").
    """
    from urbanpulse.events.fetch import ImportSourceError
    from urbanpulse.events.ical_parse import FeedError
    from urbanpulse.events.importer import import_source

    try:
        report = import_source(source, publish=not draft, language=language)
    except (ImportSourceError, FeedError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(report, ensure_ascii=False, indent=2))
