"""Which currency prices are shown in, and the price as a reader sees it."""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app, g, has_request_context, request
from flask_login import current_user

from ..core.models import utcnow
from ..money import DISPLAY_CURRENCIES, Money, Rate, ShownAmount, from_idr, show_ringgit
from .services import is_stale, rates_in_force

CURRENCY_COOKIE = "serumpun_currency"


def select_currency() -> str:
    """The account's choice, then the cookie; merchants think in rupiah, everyone else in ringgit."""
    if not has_request_context():
        return "MYR"
    if current_user.is_authenticated and current_user.currency in DISPLAY_CURRENCIES:
        return current_user.currency
    cookie = request.cookies.get(CURRENCY_COOKIE)
    if cookie in DISPLAY_CURRENCIES:
        return cookie
    if current_user.is_authenticated and current_user.is_merchant:
        return "IDR"
    return "MYR"


def request_rates() -> dict[str, Rate]:
    """The rates in force, looked up once per request."""
    if "serumpun_rates" not in g:
        g.serumpun_rates = rates_in_force(utcnow().date())
    return g.serumpun_rates


@dataclass(frozen=True)
class Price:
    idr: int
    shown: Money  # in the reader's currency, or IDR when there is no rate for it
    rate: Rate | None
    stale: bool = False  # the rate is older than RATE_STALE_DAYS: the price says "rate of <date>"

    @property
    def converted(self) -> bool:
        return self.rate is not None


def rate_is_stale(rate: Rate) -> bool:
    """Older than RATE_STALE_DAYS today: buyers read "rate of <date>" beside what it converted."""
    return is_stale(rate, utcnow().date(), current_app.config["RATE_STALE_DAYS"])


def price_for(amount_idr: int, currency: str | None = None) -> Price:
    """A rupiah amount as this reader sees it: converted at the rate in force, with the rate kept."""
    currency = currency or select_currency()
    rate = request_rates().get(currency) if currency != "IDR" else None
    if rate is None:
        return Price(amount_idr, Money(amount_idr, "IDR"), None)
    return Price(amount_idr, from_idr(amount_idr, rate), rate, rate_is_stale(rate))


def ringgit_for_reader(amount: Money) -> ShownAmount:
    """A ringgit amount (a delivered price) in this reader's currency, with the rupiah and ringgit beside."""
    return show_ringgit(amount, select_currency(), request_rates())


def remember_currency_cookie(response, currency: str):
    response.set_cookie(CURRENCY_COOKIE, currency, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
