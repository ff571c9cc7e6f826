"""flask seed-demo: the demo data."""
from __future__ import annotations

import time

import click
from flask import Flask, current_app

from ..catalog.synonyms import seed_sample_synonyms
from ..core.unit_of_work import command_unit_of_work
from ..customs.services import seed_sample_rules
from ..media.storage import storage
from ..shipping.couriers import seed_sample_couriers
from .bench import seed_bench
from .seed import DEMO_PASSWORD, seed_demo, seed_rates


def register_demo_commands(app: Flask) -> None:
    @app.cli.command("seed-bench")
    @click.option("--merchants", default=3000, show_default=True)
    @click.option("--products", default=100_000, show_default=True)
    def seed_bench_command(merchants, products):
        """Bulk-load bench merchants and products (for make bench; never in production)."""
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException("seed-bench refuses to run in production.")
        started = time.monotonic()
        with command_unit_of_work():
            report = seed_bench(storage(), merchants=merchants, products=products)
            seed_rates()
            # Couriers, customs rules and search synonyms, as in seed-demo: delivered prices, checkout
            # and search need them.
            seed_sample_couriers()
            seed_sample_rules()
            seed_sample_synonyms()
        if report["products"]:
            click.echo(f"Bench data: {report['merchants']} merchants and {report['products']} products "
                       f"in {time.monotonic() - started:.0f} s.")
        else:
            click.echo(f"Bench data already there: {report['existing']} products.")

    @app.cli.command("seed-demo")
    def seed_demo_command():
        """Load the demo accounts (safe to run again: nothing is duplicated)."""
        if current_app.config["ENV_NAME"] == "production":
            raise click.ClickException("seed-demo refuses to run in production: its password is public.")
        with command_unit_of_work():
            report = seed_demo(storage())
        click.echo(f"Demo data: {report.created} created, {report.existing} already there.")
        click.echo(f"Demo products: {report.products_created} created, {report.products_existing} already there.")
        click.echo(f"Demo orders: {report.orders_created} placed.")
        click.echo(f"Demo showcases: {report.showcases_created} published.")
        click.echo(f"Demo trade history (six months of paid orders): {report.history_created} placed.")
        click.echo(f"Demo sign-ins (password: {DEMO_PASSWORD}):")
        for email, what in report.sign_ins:
            click.echo(f"  {email:<34} {what}")
