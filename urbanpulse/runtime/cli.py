"""flask CLI: `flask --app wsgi users create`, `flask --app wsgi seed`."""

from __future__ import annotations

import sys

import click
from flask import Flask
from flask.cli import AppGroup

from urbanpulse.apikeys.cli import apikeys_cli
from urbanpulse.core.errors import DomainError
from urbanpulse.events.cli import events_cli
from urbanpulse.imports.cli import import_cli

users_cli = AppGroup("users", help="Tourism-office accounts.")


@users_cli.command("create")
@click.argument("email")
@click.option("--role", type=click.Choice(["editor", "admin"]), default="editor", show_default=True)
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
def create_user_command(email: str, role: str, password_stdin: bool) -> None:
    """Create an account; the password is prompted for unless --password-stdin is given."""
    from urbanpulse.auth import service

    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = service.create_user(email=email, password=password, role=role)
    except DomainError as error:
        raise click.ClickException(error.detail) from None
    click.echo(f"created {user.role} {user.email} ({user.id})")


@users_cli.command("list")
def list_users_command() -> None:
    """List the accounts."""
    from urbanpulse.auth import service

    for user in service.list_users():
        click.echo(f"{user.email}\t{user.role}\t{'active' if user.is_active else 'disabled'}")


@click.command("seed")
def seed_command() -> None:
    """Load the Boulogne seed data (idempotent)."""
    from urbanpulse.runtime.seeding import load_seed

    click.echo(load_seed())


def register(app: Flask) -> None:
    """Attach the CLI groups to the app."""
    app.cli.add_command(users_cli)
    app.cli.add_command(seed_command)
    app.cli.add_command(events_cli)
    app.cli.add_command(import_cli)
    app.cli.add_command(apikeys_cli)
