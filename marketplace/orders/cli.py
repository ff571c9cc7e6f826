"""flask release-expired: end every unpaid order whose stock hold ran out (the jobs do it one by one)."""
from __future__ import annotations

import click
from flask import Flask

from ..core.models import utcnow
from ..core.unit_of_work import command_unit_of_work
from .lifecycle import release_expired


def register_order_commands(app: Flask) -> None:
    @app.cli.command("release-expired")
    def release_expired_command():
        """Expire unpaid orders past their hold and put their stock back on sale."""
        with command_unit_of_work():
            numbers = release_expired(utcnow())
        click.echo(f"Expired {len(numbers)} unpaid order(s){': ' + ', '.join(numbers) if numbers else ''}.")
