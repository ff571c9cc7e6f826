"""Officers keep dated rates; buyers see prices in their currency with the rupiah and the rate."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from marketplace.accounts.models import User
from marketplace.extensions import db
from marketplace.rates.models import ExchangeRate

from ..helpers import Client, publish_product, text_of


def test_officer_records_a_rate_that_prices_use_from_its_date(app, demo):
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    page = text_of(officer.get("/officer/rates/"))
    assert "3,924.50" in page and "Bank Indonesia / Google Finance" in page
    response = officer.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": "3.950,25",
                                                "effective_on": date.today().isoformat(),
                                                "source": "Bank Indonesia JISDOR"})
    assert response.status_code == 302
    page = text_of(officer.get("/officer/rates/"))
    assert "3,950.25" in page and "Bank Indonesia JISDOR" in page
    with app.app_context():
        row = db.session.scalar(select(ExchangeRate).where(ExchangeRate.source == "Bank Indonesia JISDOR"))
        assert str(row.idr_per_unit) == "3950.2500" or row.idr_per_unit == 3950.25


def test_a_future_rate_waits_for_its_day(app, demo):
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": "5000",
                                     "effective_on": (date.today() + timedelta(days=3)).isoformat(), "source": "Forecast"})
    product_id = publish_product(app)
    assert "1 RM = 3,924.50 IDR" in text_of(Client(app).get(f"/products/{product_id}"))


def test_bad_rates_are_refused_and_change_nothing(app, demo):
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    for value, message in (("-1", "from 100 to 100,000"), ("3924.123456", "at most four decimals"),
                           ("lots", "Enter rupiah per unit"), ("1" * 25, "from 100 to 100,000"),
                           ("0.0001", "from 100 to 100,000")):
        response = officer.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": value,
                                                    "effective_on": "2026-01-01", "source": "Test"})
        assert response.status_code == 400 and message in text_of(response)
    response = officer.post("/officer/rates/", {"currency": "EUR", "idr_per_unit": "17000",
                                                "effective_on": "2026-01-01", "source": "Test"})
    assert response.status_code == 400
    with app.app_context():
        assert len(db.session.scalars(select(ExchangeRate)).all()) == 3


def test_buyers_and_merchants_cannot_change_rates(app, demo):
    for email in ("buyer@serumpun.example", "merchant@serumpun.example"):
        client = Client(app)
        client.login(email)
        assert client.get("/officer/rates/").status_code == 403
        assert client.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": "1", "effective_on": "2026-01-01",
                                               "source": "x"}, token_from="/").status_code == 403


def test_set_rate_command(app, demo):
    result = app.test_cli_runner().invoke(args=["set-rate", "USD", "16,650.75", "--date", "2026-11-01",
                                                "--source", "Bank Indonesia JISDOR"])
    assert result.exit_code == 0, result.output
    assert "1 USD = 16650.75 IDR from 2026-11-01" in result.output
    bad = app.test_cli_runner().invoke(args=["set-rate", "USD", "-3", "--source", "x"])
    assert bad.exit_code != 0


def test_buyers_see_ringgit_with_rupiah_and_the_rate_and_can_switch(app, demo):
    product_id = publish_product(app)
    visitor = Client(app)
    page = text_of(visitor.get(f"/products/{product_id}"))
    assert "RM21.66" in page  # 85,000 / 3,924.50
    assert "IDR85,000" in page
    assert "rate of 15 Oct 2025: 1 RM = 3,924.50 IDR" in page  # the demo's rate, older than a week
    assert "RM19.88" in page and "RM18.35" in page  # the wholesale tiers, converted too

    response = visitor.post("/currency", {"currency": "SGD", "next": f"/products/{product_id}"}, token_from="/")
    assert any(c.startswith("serumpun_currency=SGD") for c in response.headers.getlist("Set-Cookie"))
    page = text_of(visitor.get(f"/products/{product_id}"))
    assert "SGD6.65" in page and "IDR85,000" in page  # 85,000 / 12,780

    visitor.post("/currency", {"currency": "IDR", "next": "/"}, token_from="/")
    html = visitor.get(f"/products/{product_id}").get_data(as_text=True)
    assert '<span class="price-tag__main">IDR85,000</span>' in html
    assert "price-tag__idr" not in html and "price-tag__rate" not in html

    malay = Client(app)
    malay.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ms"
    assert "RM21.66" in text_of(malay.get(f"/products/{product_id}"))


def test_the_currency_choice_is_kept_on_the_account(app, demo):
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    buyer.post("/currency", {"currency": "USD", "next": "/"}, token_from="/")
    with app.app_context():
        assert db.session.scalar(select(User.currency).where(User.email == "buyer@serumpun.example")) == "USD"
    elsewhere = Client(app)
    elsewhere.login("buyer@serumpun.example")
    assert 'value="USD" selected' in elsewhere.get("/").get_data(as_text=True)


def test_unknown_currencies_are_ignored(client):
    response = client.post("/currency", {"currency": "BTC", "next": "https://evil.example"}, token_from="/")
    assert response.headers["Location"] == "/"
    assert not any(c.startswith("serumpun_currency=") for c in response.headers.getlist("Set-Cookie"))


def test_merchants_see_rupiah_by_default(app, demo):
    product_id = publish_product(app)
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    html = merchant.get(f"/products/{product_id}").get_data(as_text=True)
    assert '<span class="price-tag__main">Rp85.000</span>' in html
    assert "price-tag__idr" not in html
