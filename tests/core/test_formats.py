"""Money and dates as each reader writes them: ringgit as RM, one way to write a date per language."""
from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from flask_babel import force_locale

from marketplace.core.templating import babel_money, format_locale, format_money

from ..helpers import Client, publish_product, text_of

MONTHS = {  # the abbreviations a reader of each language expects
    "en": ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sept", "Oct", "Nov", "Dec"],
    "id": ["Jan", "Feb", "Mar", "Apr", "Mei", "Jun", "Jul", "Agu", "Sep", "Okt", "Nov", "Des"],
    "ms": ["Jan", "Feb", "Mac", "Apr", "Mei", "Jun", "Jul", "Ogo", "Sep", "Okt", "Nov", "Dis"],
}
OTHER_DATES = re.compile(r"\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b[A-Z][a-z]{2,3} \d{1,2}, \d{4}\b")  # 12/2/26, Dec 2, 2026


def reader(app, language: str) -> Client:
    client = Client(app)
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_the_quick_way_of_writing_money_is_babels_way(app, language):
    amounts = [0, 1, 9, 10, 99, 100, 999, 1000, 12_345, 999_999, 1_000_000, 123_456_789, 10**13]
    with app.test_request_context(), force_locale(language):
        for currency in ("MYR", "IDR", "SGD", "USD"):
            for amount in amounts:
                assert format_money(amount, currency) == babel_money(amount, currency, format_locale())
            assert format_money(-1250, currency) == babel_money(-1250, currency, format_locale())


@pytest.mark.parametrize(("language", "ringgit", "rupiah"), [
    ("en", "RM21.66", "IDR85,000"), ("ms", "RM21.66", "IDR85,000"), ("id", "RM21,66", "Rp85.000")])
def test_ringgit_read_as_rm_in_every_language(app, demo, language, ringgit, rupiah):
    product_id = publish_product(app)
    page = text_of(reader(app, language).get(f"/products/{product_id}"))
    assert ringgit in page and rupiah in page
    assert not re.search(r"MYR ?\d", page)


@pytest.mark.parametrize("language", ["en", "ms", "id"])
def test_two_pages_write_the_same_day_the_same_way(app, demo, language):
    """The rates page writes a day (the rate's), the audit log a moment (when it was recorded): one date format."""
    today = datetime.now(ZoneInfo("Asia/Jakarta")).date()  # the audit log reads in the site's time zone
    officer = reader(app, language)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": language, "next": "/"}, token_from="/")
    saved = officer.post("/officer/rates/", {"currency": "SGD", "idr_per_unit": "12800",
                                             "effective_on": today.isoformat(), "source": "Bank Indonesia JISDOR"})
    assert saved.status_code == 302
    day = f"{today.day} {MONTHS[language][today.month - 1]} {today.year}"
    rates, audit = text_of(officer.get("/officer/rates/")), text_of(officer.get("/officer/audit"))
    assert day in rates and day in audit
    assert not OTHER_DATES.search(rates) and not OTHER_DATES.search(audit)


@pytest.mark.parametrize("currency", ["SGD", "IDR"])
def test_the_delivered_price_box_follows_the_chosen_currency(app, demo, currency):
    product_id = publish_product(app)
    visitor = Client(app)
    in_ringgit = re.search(r"Cheapest: (RM[\d,.]+)", text_of(visitor.get(f"/products/{product_id}"))).group(1)
    visitor.post("/currency", {"currency": currency, "next": "/"}, token_from="/")
    page = text_of(visitor.get(f"/products/{product_id}"))
    # In the chosen currency, with the ringgit it was worked out in beside it; the same in the total row.
    assert re.search(rf"Cheapest: {currency}[\d,.]+ {re.escape(in_ringgit)}", page)
    assert re.search(rf"Total, estimated {currency}[\d,.]+ {re.escape(in_ringgit)}", page)
