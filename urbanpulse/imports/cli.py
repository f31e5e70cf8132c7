"""flask CLI: `flask --app wsgi import datatourisme SOURCE [--since DATE] [--endpoint NAME] [--key KEY]
[--allow-shrink] [--partial]` and
`flask --app wsgi import openagenda SOURCE [--since ISO] [--allow-shrink]` and
`flask --app wsgi import tourinsoft SOURCE [--mapping FILE.json] [--allow-shrink] [--partial]`."""

from __future__ import annotations

import json

import click
from flask.cli import AppGroup

import_cli = AppGroup("import", help="Imports from the tourism information systems.")


def _import_and_report(kind: str, location: str, *, allow_shrink: bool, **reading) -> None:
    """Open the source, run the engine over it and print its report as JSON; an unreadable source exits with 1."""
    from urbanpulse.imports import engine
    from urbanpulse.imports.readers import import_area, open_source

    area = import_area()
    try:
        opened = open_source(kind, location, **reading)
        report = engine.run(
            kind, opened.objects, area=area, complete=opened.complete, allow_shrink=allow_shrink,
            location=opened.location,
        )  # fmt: skip
    except engine.SourceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))


@import_cli.command("datatourisme")
@click.argument("source")
@click.option("--allow-shrink", is_flag=True, help="Unpublish even when the snapshot is under half of the last one.")
@click.option("--partial", is_flag=True, help="A partial extract: never unpublish what it lacks.")
@click.option("--since", help="API only: objects updated since this date (an incremental read: nothing is "
              "unpublished for being absent).")  # fmt: skip
@click.option("--endpoint", help="API only: catalog, placeOfInterest or entertainmentAndEvent "
              "(default: $DATATOURISME_API_ENDPOINT, else catalog).")  # fmt: skip
@click.option("--key", envvar="DATATOURISME_API_KEY", help="API only: the key (default: $DATATOURISME_API_KEY).")
def datatourisme_command(
    source: str, allow_shrink: bool, partial: bool, since: str | None, endpoint: str | None, key: str | None
) -> None:
    """Import DATAtourisme objects: a flux (a folder or a zip of per-object JSON files, with or without
    index.json), or the API (`api`, or the API's https base URL), read page by page with the key in a header.

    Prints the report as JSON. Exits with 1 only when the source cannot be read; rejected objects are listed
    with their reasons and the rest is imported.
    """
    _import_and_report(
        "datatourisme", source, allow_shrink=allow_shrink, partial=partial, since=since, endpoint=endpoint,
        api_key=key,
    )  # fmt: skip


@import_cli.command("openagenda")
@click.argument("source")
@click.option("--since", help="Only events updated since this ISO time (an incremental read: nothing is unpublished "
              "for being absent; events deleted upstream are).")  # fmt: skip
@click.option("--allow-shrink", is_flag=True, help="Unpublish even when the snapshot is under half of the last one.")
@click.option("--key", envvar="OPENAGENDA_API_KEY", help="The API key (default: $OPENAGENDA_API_KEY).")
def openagenda_command(source: str, since: str | None, allow_shrink: bool, key: str | None) -> None:
    """Import OpenAgenda v2 events: a JSON file as the API answers, or an agenda's events URL
    (https://api.openagenda.com/v2/agendas/UID/events), read page by page.

    Prints the report as JSON. Exits with 1 only when the source cannot be read.
    """
    _import_and_report("openagenda", source, allow_shrink=allow_shrink, since=since, api_key=key)


@import_cli.command("tourinsoft")
@click.argument("source")
@click.option(
    "--mapping",
    "mapping_file",
    envvar="TOURINSOFT_MAPPING",
    help="A JSON file of field names replacing the default mapping's (default: $TOURINSOFT_MAPPING).",
)
@click.option("--allow-shrink", is_flag=True, help="Unpublish even when the snapshot is under half of the last one.")
@click.option("--partial", is_flag=True, help="A partial extract: never unpublish what it lacks.")
def tourinsoft_command(source: str, mapping_file: str | None, allow_shrink: bool, partial: bool) -> None:
    """Import a Tourinsoft v3 syndication (a JSON file or URL, `{"value": [...]}`) as POIs.

    Prints the report as JSON. Exits with 1 only when the source (or the mapping) cannot be read.
    """
    _import_and_report("tourinsoft", source, allow_shrink=allow_shrink, partial=partial, mapping_file=mapping_file)
