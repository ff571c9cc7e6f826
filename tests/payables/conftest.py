"""Paid parcels for the ledger's tests: orders placed and paid through the orders services."""
from __future__ import annotations

from datetime import datetime

import pytest
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.orders import lifecycle
from marketplace.orders.models import MerchantOrder, Order
from marketplace.payables import services as payables

from ..orders.conftest import place, two_shops  # noqa: F401  two_shops is a fixture used here

COFFEE = "Sangrai Preanger Coffee"
KERIPIK = "Keripik Ceu Enok"
LONG_AGO = datetime(2020, 1, 1)


def merchant_id(email: str) -> int:
    return accounts.find_user_by_email(email).merchant_profile.id


def set_rate(app, basis_points: int, starts_at: datetime = LONG_AGO) -> None:
    """A commission rate in force from starts_at (the past is allowed here by giving the same now)."""
    with app.test_request_context(method="POST"), unit_of_work(capture=False):
        payables.set_commission_rate(None, basis_points, starts_at, starts_at)


def pay(app, number: str) -> None:
    with app.test_request_context(method="POST"), unit_of_work(capture=False):
        order = db.session.scalar(select(Order).where(Order.number == number))
        lifecycle.mark_paid(order, None, {})


def parcel_of(number: str, merchant_name: str) -> MerchantOrder:
    order = db.session.scalar(select(Order).where(Order.number == number))
    return next(p for p in order.parcels if p.merchant_name == merchant_name)


@pytest.fixture()
def paid(app, two_shops):  # noqa: F811
    """A 7.5% rate, and an order of 24 coffee (tier 78,000) and 3 keripik (25,000), paid: its number."""
    set_rate(app, 750)
    number = place(app, {two_shops["coffee"]: 24, two_shops["keripik"]: 3})
    pay(app, number)
    return number
