"""Command-line account tools: officers and admins have no public sign-up."""
from __future__ import annotations

import click
from flask import Flask

from ..core.unit_of_work import command_unit_of_work
from . import services
from .models import Role


def _create(email: str, password: str, role: Role, name: str, organisation: str | None, country: str) -> None:
    with command_unit_of_work():
        user = services.create_staff(None, email, password, role, name, organisation, country)
    click.echo(f"Created {role.value} {user.email} (id {user.id}).")


def register_account_commands(app: Flask) -> None:
    password_option = click.option(
        "--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="SERUMPUN_PASSWORD",
        help="The password; asked for when not given (or set SERUMPUN_PASSWORD).",
    )

    @app.cli.command("create-officer")
    @click.argument("email")
    @click.option("--org", "organisation", required=True, help="The officer's organisation.")
    @click.option("--name", default=None, help="The officer's name (defaults to the email's name part).")
    @click.option("--country", type=click.Choice(["ID", "MY"]), default="ID", show_default=True,
                  help="ID for Bandung's side of the partnership, MY for Petaling Jaya's.")
    @password_option
    def create_officer(email, organisation, name, country, password):
        """Create a trade officer account."""
        _create(email, password, Role.OFFICER, name or email.split("@")[0], organisation, country)

    @app.cli.command("create-admin")
    @click.argument("email")
    @click.option("--name", default=None, help="The admin's name (defaults to the email's name part).")
    @password_option
    def create_admin(email, name, password):
        """Create an admin account."""
        _create(email, password, Role.ADMIN, name or email.split("@")[0], None, "ID")
