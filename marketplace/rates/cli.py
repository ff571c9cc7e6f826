"""flask set-rate MYR 3924.50 --date 2025-10-15 --source "Bank Indonesia JISDOR"."""
from __future__ import annotations

from datetime import date

import click
from flask import Flask

from ..core.unit_of_work import command_unit_of_work
from ..money import MoneyError, parse_rate
from .services import RATE_CURRENCIES, record_rate


def register_rate_commands(app: Flask) -> None:
    @app.cli.command("set-rate")
    @click.argument("currency", type=click.Choice(RATE_CURRENCIES))
    @click.argument("idr_per_unit")
    @click.option("--date", "effective_on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
                  help="In force from this day (default: today).")
    @click.option("--source", required=True, help="Where the rate comes from.")
    def set_rate(currency, idr_per_unit, effective_on, source):
        """Record the rupiah price of one unit of CURRENCY."""
        try:
            rate = parse_rate(idr_per_unit)
        except MoneyError as exc:
            raise click.BadParameter("rupiah per unit from 100 to 100,000, at most four decimals, like 3924.50") from exc
        day = effective_on.date() if effective_on else date.today()
        with command_unit_of_work():
            record_rate(None, currency, rate, day, source)
        click.echo(f"1 {currency} = {rate} IDR from {day.isoformat()} ({source})")
