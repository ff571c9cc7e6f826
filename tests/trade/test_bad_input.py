"""Bad input on every trade form gets a clear message next to its field, and changes nothing."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from marketplace.extensions import db
from marketplace.trade.models import BuyingRequest, InquiryMessage, Quote

from ..helpers import text_of
from .conftest import ask, inquiry_count, inquiry_form, quote_form, request_form, today


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@dataclass(frozen=True)
class DaysAhead:
    """A date n days from Bandung's today, written out when the test runs: the module is collected earlier,
    maybe on the day before (a run crossing midnight in Bandung took 91 days ahead for 90)."""

    n: int

    def __str__(self) -> str:
        return (today() + timedelta(days=self.n)).isoformat()


@pytest.mark.parametrize(("field", "value", "message"), [
    ("quantity", "", "This field is required."),
    ("quantity", "0", "Enter a number from 1 to 1000000."),
    ("quantity", "lima puluh", "Enter a whole number."),
    ("quantity", "2.5", "Enter a whole number."),
    ("quantity", "99999999", "Enter a number from 1 to 1000000."),
    ("target_price", "murah", "Enter a price like 12.50 (ringgit) or 45000 (rupiah)."),
    ("target_price", "0", "A price must be more than zero."),
    ("target_currency", "EUR", "Please choose one of the options."),
    ("destination_state", "", "Please choose one."),
    ("destination_state", "MY-99", "Please choose one of the options."),
    ("needed_by", "", "This field is required."),
    ("needed_by", "31/12/2027", "Enter a date, like 2027-06-30."),
    ("needed_by", DaysAhead(-1), "Choose today or a later date."),
    ("needed_by", DaysAhead(800), "Choose a date at most 730 days ahead."),
    ("message", "", "This field is required."),
    ("message", "   ", "This field is required."),
    ("message", "x" * 2001, "Use at most 2000 characters."),
])
def test_an_inquiry_with_a_bad_field_is_refused(app, two_shops, buyer, field, value, message):
    response = buyer.post(f"/inquiries/new?product={two_shops['coffee']}", inquiry_form(**{field: str(value)}))
    assert response.status_code == 400
    assert message in text_of(response)
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    with app.app_context():
        assert inquiry_count() == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("product_id", "", "Please choose one."),
    ("product_id", "abc", "Please choose one of the options."),
    ("unit_price", "", "This field is required."),
    ("unit_price", "70000,50", "Rupiah prices are whole numbers: no sen."),
    ("unit_price", "0", "A price must be more than zero."),
    ("unit_price", "tujuh puluh ribu", "Enter a price in rupiah, like 45000 or 45.000."),
    ("unit_price", "2.000.000.000", "A price can be at most Rp 1.000.000.000."),
    ("quantity", "", "This field is required."),
    ("quantity", "0", "Enter a number from 1 to 1000000."),
    ("quantity", "121", "Only 120 are in stock. Add stock to the product first, or quote fewer."),
    ("valid_until", "", "This field is required."),
    ("valid_until", "besok", "Enter a date, like 2027-06-30."),
    ("valid_until", DaysAhead(-1), "Choose today or a later date."),
    ("valid_until", DaysAhead(91), "Choose a date at most 90 days ahead."),
    ("shipping_terms", "air", "Please choose one of the options."),
    ("shipping_terms", "", "Please choose one."),
    ("notes", "x" * 1001, "Use at most 1000 characters."),
])
def test_a_quote_with_a_bad_field_is_refused(app, two_shops, buyer, merchant_en, field, value, message):
    inquiry_id = ask(buyer, two_shops["coffee"])
    response = merchant_en.post(f"/inquiries/{inquiry_id}/quotes", {**quote_form(two_shops["coffee"]), field: str(value)})
    assert response.status_code == 400
    assert message in text_of(response)
    with app.app_context():
        assert count(Quote) == 0


@pytest.mark.parametrize(("field", "value", "message"), [
    ("title", "", "This field is required."),
    ("title", "x" * 141, "Use at most 140 characters."),
    ("category", "", "Please choose one."),
    ("category", "toys", "Please choose one of the options."),
    ("quantity", "0", "Enter a number from 1 to 1000000."),
    ("quantity", "banyak", "Enter a whole number."),
    ("target_price", "-3", "Enter a price like 12.50 (ringgit) or 45000 (rupiah)."),
    ("target_currency", "", "Please choose one."),
    ("destination_state", "Selangor", "Please choose one of the options."),
    ("deadline", "", "This field is required."),
    ("deadline", DaysAhead(-3), "Choose today or a later date."),
    ("deadline", DaysAhead(400), "Choose a date at most 365 days ahead."),
    ("details", "x" * 2001, "Use at most 2000 characters."),
])
def test_a_buying_request_with_a_bad_field_is_refused(app, buyer, field, value, message):
    response = buyer.post("/requests/new", request_form(**{field: str(value)}))
    assert response.status_code == 400
    assert message in text_of(response)
    with app.app_context():
        assert count(BuyingRequest) == 0


@pytest.mark.parametrize(("value", "message"), [("", "This field is required."),
                                                ("x" * 2001, "Use at most 2000 characters.")])
def test_a_bad_message_is_refused(app, two_shops, buyer, value, message):
    inquiry_id = ask(buyer, two_shops["coffee"])
    response = buyer.post(f"/inquiries/{inquiry_id}/messages", {"body": value})
    assert response.status_code == 400 and message in text_of(response)
    with app.app_context():
        assert count(InquiryMessage) == 1


def test_an_answer_without_its_quote_or_token_changes_nothing(app, two_shops, buyer, merchant):
    inquiry_id = ask(buyer, two_shops["coffee"])
    for data in ({"quote_id": ""}, {"quote_id": "abc"}, {"quote_id": "1", "csrf_token": "forged"}):
        response = buyer.post(f"/inquiries/{inquiry_id}/accept", data)
        assert response.status_code in (302, 400)
    with app.app_context():
        assert count(Quote) == 0
    assert "Accept a quote first" not in text_of(buyer.get(f"/inquiries/{inquiry_id}"))
