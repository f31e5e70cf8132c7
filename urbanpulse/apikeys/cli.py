"""flask CLI: `flask --app wsgi apikeys create NAME --owner EMAIL --per-minute N --per-day N`, list, rename,
suspend, reactivate, revoke, flush-usage."""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import AppGroup

from urbanpulse.core.errors import DomainError

apikeys_cli = AppGroup("apikeys", help="Third parties' API keys.")


def _run(action):
    try:
        return action()
    except DomainError as error:
        raise click.ClickException(error.detail) from None


@apikeys_cli.command("create")
@click.argument("name")
@click.option("--owner", "owner_email", required=True, help="The holder's email.")
@click.option("--per-minute", type=click.IntRange(1), default=None, help="Requests a minute.")
@click.option("--per-day", type=click.IntRange(1), default=None, help="Requests a day.")
@click.option("--origin", "origins", multiple=True, help="Allowed browser origin (repeatable).")
@click.option("--cidr", "cidrs", multiple=True, help="Allowed server addresses, CIDR (repeatable).")
@click.option("--group", "groups", multiple=True, help="Allowed API group (repeatable; none: all).")
def create_command(name, owner_email, per_minute, per_day, origins, cidrs, groups) -> None:
    """Create a key and print it: this is the only time it is shown."""
    from urbanpulse.apikeys import service

    config = current_app.config
    record, key = _run(
        lambda: service.create_key(
            name=name,
            owner_email=owner_email,
            per_minute=per_minute or config["API_KEY_DEFAULT_PER_MINUTE"],
            per_day=per_day or config["API_KEY_DEFAULT_PER_DAY"],
            allowed_origins=origins,
            allowed_cidrs=cidrs,
            groups=groups,
        )
    )
    click.echo(f"created key {record.id} ({record.prefix}...) for {record.owner_email}", err=True)
    click.echo("store it now, it is not kept:", err=True)
    click.echo(key)


@apikeys_cli.command("list")
def list_command() -> None:
    """List the keys: id, prefix, status, quotas, name, owner."""
    from urbanpulse.apikeys import service

    for record in service.list_keys():
        click.echo(
            f"{record.id}\t{record.prefix}...\t{record.status}\t{record.per_minute}/min\t{record.per_day}/day"
            f"\t{record.name}\t{record.owner_email}"
        )


@apikeys_cli.command("rename")
@click.argument("reference")
@click.argument("name")
def rename_command(reference: str, name: str) -> None:
    """Rename a key (named by id or prefix)."""
    from urbanpulse.apikeys import service

    record = _run(lambda: service.update_key(key_id=service.find_key(reference=reference).id, name=name))
    click.echo(f"renamed {record.prefix}... to {record.name}")


def _status_command(command_name: str, status: str, help_text: str):
    @apikeys_cli.command(command_name, help=help_text)
    @click.argument("reference")
    def command(reference: str) -> None:
        from urbanpulse.apikeys import service

        def act():
            key_id = service.find_key(reference=reference).id
            if status == "revoked":
                return service.revoke_key(key_id=key_id)
            return service.update_key(key_id=key_id, status=status)

        record = _run(act)
        click.echo(f"{record.prefix}... is {record.status}")

    return command


_status_command("suspend", "suspended", "Suspend a key (403 on every worker within a second).")
_status_command("reactivate", "active", "Reactivate a suspended key.")
_status_command("revoke", "revoked", "Revoke a key for good (401 on every worker within a second).")


@apikeys_cli.command("flush-usage")
def flush_usage_command() -> None:
    """Move the usage counted in Redis into PostgreSQL now (requests also do it every API_KEY_USAGE_FLUSH_S)."""
    from urbanpulse.apikeys import usage

    click.echo(f"{usage.flush()} usage rows updated")
