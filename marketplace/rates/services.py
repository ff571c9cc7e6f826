"""Which rate is in force, and recording a new one."""
from __future__ import annotations

import threading
import time
from datetime import date
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ..accounts.models import User
from ..audit import services as audit
from ..core.errors import DomainError
from ..core.transactions import on_commit
from ..extensions import db
from ..money import DISPLAY_CURRENCIES, Rate
from .models import ExchangeRate

RATE_CURRENCIES = tuple(c for c in DISPLAY_CURRENCIES if c != "IDR")
# Rates change a few times a day at most; every page needs them. Each app keeps them a minute.
CACHE_SECONDS = 60
CACHE_KEY = "serumpun.rates"
_lock = threading.Lock()


def _cache() -> dict:
    return current_app.extensions.setdefault(CACHE_KEY, {})


class RateRefused(DomainError):
    pass


def _to_rate(row: ExchangeRate) -> Rate:
    return Rate(row.currency, Decimal(str(row.idr_per_unit)), row.effective_on, row.source)


def rates_in_force(today: date) -> dict[str, Rate]:
    """The newest rate on or before today for each currency (cached for a minute)."""
    cache = _cache()
    with _lock:
        hit = cache.get(today)
        if hit and hit[0] > time.monotonic():
            return hit[1]
    latest = (
        select(ExchangeRate.currency, func.max(ExchangeRate.effective_on).label("effective_on"))
        .where(ExchangeRate.effective_on <= today).group_by(ExchangeRate.currency).subquery()
    )
    rows = db.session.scalars(select(ExchangeRate).join(latest, and_(
        ExchangeRate.currency == latest.c.currency, ExchangeRate.effective_on == latest.c.effective_on)))
    rates = {row.currency: _to_rate(row) for row in rows if row.currency in RATE_CURRENCIES}
    with _lock:
        cache.clear()
        cache[today] = (time.monotonic() + CACHE_SECONDS, rates)
    return rates


def rate_age_days(rate: Rate, today: date) -> int:
    """How many days ago the rate took effect."""
    return (today - rate.effective_on).days


def is_stale(rate: Rate, today: date, max_age_days: int) -> bool:
    """Older than max_age_days (RATE_STALE_DAYS): officers are told, and buyers read "rate of <date>"."""
    return rate_age_days(rate, today) > max_age_days


def stale_rates(today: date, max_age_days: int) -> list[tuple[Rate, int]]:
    """The rates in force that are older than max_age_days, with their age in days, oldest first."""
    rows = [(rate, rate_age_days(rate, today)) for rate in rates_in_force(today).values()
            if is_stale(rate, today, max_age_days)]
    return sorted(rows, key=lambda row: (-row[1], row[0].currency))


def forget_cached_rates() -> None:
    with _lock:
        _cache().clear()


def record_rate(actor: User | None, currency: str, idr_per_unit: Decimal, effective_on: date, source: str) -> ExchangeRate:
    """Add a dated rate; a second rate for the same currency and day replaces the first."""
    if currency not in RATE_CURRENCIES:
        raise RateRefused(_l("Rates are kept for %(currencies)s only.", currencies=", ".join(RATE_CURRENCIES)))
    if not source.strip():
        raise RateRefused(_l("Say where the rate comes from."), field="source")
    row = db.session.scalar(select(ExchangeRate).where(ExchangeRate.currency == currency,
                                                       ExchangeRate.effective_on == effective_on))
    before = _audited(row) if row is not None else None
    if row is None:
        row = ExchangeRate(currency=currency, effective_on=effective_on)
        db.session.add(row)
    row.idr_per_unit = idr_per_unit
    row.source = source.strip()
    row.created_by_id = actor.id if actor else None
    db.session.flush()
    audit.record(actor, "rate.recorded", "exchange_rate", row.id, before, _audited(row))
    # No announcement: the rates in force are part of every cached key that shows a price, so pages with the
    # new rate have new keys. This app forgets its rates once the rate is committed (forgotten before, a
    # concurrent request could keep the old ones another minute); other workers within CACHE_SECONDS.
    on_commit(db.session, forget_cached_rates)
    return row


def _audited(row: ExchangeRate) -> dict:
    return audit.snapshot(row, ("currency", "idr_per_unit", "effective_on", "source"))


def rate_history(limit: int = 60) -> list[ExchangeRate]:
    """The latest rates recorded, newest first."""
    return list(db.session.scalars(
        select(ExchangeRate).order_by(ExchangeRate.effective_on.desc(), ExchangeRate.currency).limit(limit)
    ))
