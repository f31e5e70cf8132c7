"""flask CLI: `flask --app wsgi import datatourisme SOURCE [--allow-shrink] [--partial]` and
`flask --app wsgi import openagenda SOURCE [--since ISO] [--allow-shrink]` and
`flask --app wsgi import tourinsoft SOURCE [--mapping FILE.json] [--allow-shrink] [--partial]`."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

import_cli = AppGroup("import", help="Imports from the tourism information systems.")
DEFAULT_AREA = (1.40, 50.50, 1.95, 51.00)  # the Boulonnais, generously


def _import_and_report(source: str, objects, *, complete: bool, allow_shrink: bool, location: str) -> None:
    """Run the engine over `objects` and print its report as JSON; an unreadable source exits with 1."""
    from urbanpulse.imports import engine

    area = tuple(current_app.config.get("IMPORT_AREA_BBOX") or DEFAULT_AREA)
    try:
        report = engine.run(source, objects, area=area, complete=complete, allow_shrink=allow_shrink, location=location)
    except engine.SourceError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(report.as_dict(), ensure_ascii=False, indent=2, default=str))


@import_cli.command("datatourisme")
@click.argument("source")
@click.option("--allow-shrink", is_flag=True, help="Unpublish even when the snapshot is under half of the last one.")
@click.option("--partial", is_flag=True, help="A partial extract: never unpublish what it lacks.")
def datatourisme_command(source: str, allow_shrink: bool, partial: bool) -> None:
    """Import a DATAtourisme flux (a folder or a zip of per-object JSON files, with or without index.json).

    Prints the report as JSON. Exits with 1 only when the source cannot be read; rejected objects are listed
    with their reasons and the rest is imported.
    """
    from urbanpulse.imports import datatourisme

    objects = datatourisme.candidates(datatourisme.read_source(source))
    _import_and_report("datatourisme", objects, complete=not partial, allow_shrink=allow_shrink, location=source)


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
    from urbanpulse.imports import openagenda

    objects = (openagenda.candidate(event) for event in openagenda.read_source(source, api_key=key, since=since))
    location = source.split("?")[0]  # never the key, should a URL carry one
    _import_and_report("openagenda", objects, complete=not since, allow_shrink=allow_shrink, location=location)


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
    from urbanpulse.imports import engine, tourinsoft

    try:
        override = tourinsoft.read_mapping(mapping_file) if mapping_file else None
    except engine.SourceError as error:
        raise click.ClickException(str(error)) from None
    mapping = tourinsoft.mapping_with(override)
    objects = (tourinsoft.candidate(item, mapping) for item in tourinsoft.read_source(source))
    _import_and_report(
        "tourinsoft", objects, complete=not partial, allow_shrink=allow_shrink, location=source.split("?")[0]
    )
