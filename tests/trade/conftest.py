"""Makings for the trade tests: the buying tests' shop, and inquiries and quotes made through the pages."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.core.models import utcnow
from marketplace.extensions import db
from marketplace.trade.models import Inquiry
from marketplace.trade.services import bandung_today

from ..helpers import Client
from ..orders.conftest import two_shops  # noqa: F401  the fixture: coffee and tea (merchant@), chips (keripik@)

BUYER = "buyer@serumpun.example"
MERCHANT = "merchant@serumpun.example"


def today():
    return bandung_today(utcnow())


def inquiry_form(**overrides) -> dict:
    data = {"quantity": "48", "target_price": "20.00", "target_currency": "MYR", "destination_state": "MY-10",
            "needed_by": (today() + timedelta(days=30)).isoformat(),
            "message": "Hello, we would like 48 bags a month for our café chain. Is a better price possible?"}
    data.update(overrides)
    return data


def quote_form(product_id: int, **overrides) -> dict:
    data = {"product_id": str(product_id), "unit_price": "70.000", "quantity": "48",
            "valid_until": (today() + timedelta(days=14)).isoformat(), "shipping_terms": "courier",
            "notes": "Harga belum termasuk ongkos kirim."}
    data.update(overrides)
    return data


def request_form(**overrides) -> dict:
    data = {"title": "Arabica coffee beans, 250 g packs", "category": "coffee-tea", "quantity": "120",
            "target_price": "45.00", "target_currency": "MYR", "destination_state": "MY-10",
            "deadline": (today() + timedelta(days=20)).isoformat(), "details": "Medium roast, halal certificate."}
    data.update(overrides)
    return data


def inquiry_count() -> int:
    return db.session.scalar(select(func.count()).select_from(Inquiry))


def signed_in(app, email: str, language: str | None = "en") -> Client:
    client = Client(app)
    client.login(email)
    if language:
        client.post("/language", {"language": language, "next": "/"}, token_from="/")
    return client


def ask(client: Client, product_id: int, **overrides) -> int:
    """The buyer asks about a product through the form; the new inquiry's id."""
    response = client.post(f"/inquiries/new?product={product_id}", inquiry_form(**overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return int(re.search(r"/inquiries/(\d+)$", response.headers["Location"]).group(1))


def send_quote(client: Client, inquiry_id: int, product_id: int, **overrides):
    response = client.post(f"/inquiries/{inquiry_id}/quotes", quote_form(product_id, **overrides))
    assert response.status_code == 302, response.get_data(as_text=True)
    return response


@pytest.fixture()
def buyer(app, demo):
    return signed_in(app, BUYER)


@pytest.fixture()
def merchant(app, demo):
    """The coffee roaster, reading and writing Indonesian as its account says."""
    return signed_in(app, MERCHANT, language=None)


@pytest.fixture()
def merchant_en(app, demo):
    """The coffee roaster after switching the site to English (its messages are then written in English)."""
    return signed_in(app, MERCHANT)
