"""An exchange rate older than RATE_STALE_DAYS (7 unless set): officers are told on their dashboard, and buyers
read "rate of <date>" wherever a converted price shows."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from marketplace.core.unit_of_work import unit_of_work
from marketplace.money import Rate
from marketplace.rates import services as rates

from ..helpers import Client, publish_product, text_of

DEMO_RATE_DAY = "15 Oct 2025"


def test_a_rate_is_old_after_the_set_number_of_days():
    today = date(2026, 12, 2)
    week = Rate("MYR", Decimal("3924.5"), today - timedelta(days=7), "test")
    older = Rate("MYR", Decimal("3924.5"), today - timedelta(days=8), "test")
    assert not rates.is_stale(week, today, 7) and rates.is_stale(older, today, 7)
    assert not rates.is_stale(older, today, 8) and rates.rate_age_days(older, today) == 8


def record_today(app, currencies=("MYR", "SGD", "USD")) -> None:
    with app.test_request_context(method="POST"), unit_of_work(capture=False):
        for currency in currencies:
            rates.record_rate(None, currency, Decimal("3950"), date.today(), "Bank Indonesia JISDOR (test)")


def test_officers_see_old_rates_flagged_until_a_new_one_is_recorded(app, demo):
    officer = Client(app)
    officer.login("officer@serumpun.example")
    page = text_of(officer.get("/officer/"))
    assert "Exchange rates older than 7 days" in page
    assert f"MYR: the rate of {DEMO_RATE_DAY}" in page and f"marked “rate of {DEMO_RATE_DAY}”" in page
    assert "Record a new rate" in page
    record_today(app, ("MYR",))
    page = text_of(officer.get("/officer/"))
    assert "MYR: the rate of" not in page and "SGD: the rate of" in page  # only the old ones are named
    record_today(app, ("SGD", "USD"))
    assert "Exchange rates older than" not in text_of(officer.get("/officer/"))


def test_the_number_of_days_is_a_setting(app, demo):
    app.config["RATE_STALE_DAYS"] = 10_000
    officer = Client(app)
    officer.login("officer@serumpun.example")
    assert "Exchange rates older than" not in text_of(officer.get("/officer/"))


def test_buyers_read_rate_of_its_date_beside_converted_prices_while_the_rate_is_old(app, demo):
    product_id = publish_product(app)
    buyer = Client(app)
    for url in (f"/products/{product_id}", "/products"):
        page = text_of(buyer.get(url))
        assert f"rate of {DEMO_RATE_DAY}" in page, url
    assert "This is the rate of 15 Oct 2025: no newer rate has been recorded" in text_of(buyer.get("/products"))
    buyer.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ms"
    assert "kadar 15 Okt 2025" in text_of(buyer.get(f"/products/{product_id}"))
    record_today(app)
    buyer.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    for url in (f"/products/{product_id}", "/products"):
        assert "rate of" not in text_of(buyer.get(url)), url


def test_a_buyers_cart_names_an_old_rate(app, demo):
    product_id = publish_product(app)
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    buyer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    buyer.post("/cart/add", {"product_id": str(product_id), "quantity": "6"}, token_from=f"/products/{product_id}")
    assert f"rate of {DEMO_RATE_DAY}" in text_of(buyer.get("/cart/"))
