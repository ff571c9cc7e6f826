"""flask seed-demo: the demo data."""
from __future__ import annotations

import click
from flask import Flask, current_app

from ..extensions import db
from ..media.storage import storage
from .seed import DEMO_PASSWORD, seed_demo


def register_demo_commands(app: Flask) -> None:
    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo accounts (safe to run again: nothing is duplicated)."""
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException("seed-demo refuses to run in production: its password is public.")
        report = seed_demo(storage())
        db.session.commit()
        click.echo(f"Demo data: {report.created} created, {report.existing} already there.")
        click.echo(f"Demo products: {report.products_created} created, {report.products_existing} already there.")
        click.echo(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for email, what in report.sign_ins:
            click.echo(f"  {email:<34} {what}")
