"""One transaction per request: commit what services flushed, or roll all of it back."""
from __future__ import annotations

from datetime import date

import click
import pytest
from flask_babel import force_locale
from sqlalchemy import func, select

from marketplace.core.errors import DomainError
from marketplace.core.unit_of_work import command_unit_of_work, unit_of_work
from marketplace.customs import services as customs
from marketplace.customs.models import CustomsRule
from marketplace.extensions import db


def rule_count() -> int:
    return db.session.scalar(select(func.count()).select_from(CustomsRule))


def test_what_the_block_flushed_is_committed(app):
    with app.test_request_context():
        with unit_of_work() as work:
            customs.record_rule(None, "duty_chapter_62", "20", date(2026, 1, 1), "a source")
        assert work.refused is None
        db.session.remove()  # a new session sees only what was committed
        assert rule_count() == 1


def test_a_refusal_after_a_flush_rolls_back_and_is_kept_for_the_view(app):
    with app.test_request_context():
        with unit_of_work() as work:
            customs.record_rule(None, "duty_chapter_62", "20", date(2026, 1, 1), "a source")
            customs.record_rule(None, "duty_chapter_61", "twenty", date(2026, 1, 1), "a source")
        assert isinstance(work.refused, customs.RuleRefused) and work.refused.field == "value"
        assert rule_count() == 0


def test_any_other_error_rolls_back_and_propagates(app):
    with app.test_request_context():
        with pytest.raises(ZeroDivisionError):
            with unit_of_work():
                customs.record_rule(None, "duty_chapter_62", "20", date(2026, 1, 1), "a source")
                1 / 0  # noqa: B018
        assert rule_count() == 0


def test_without_capture_a_refusal_reaches_the_error_handler(app):
    with app.test_request_context():
        with pytest.raises(DomainError):
            with unit_of_work(capture=False):
                raise customs.RuleRefused("no")


def test_a_command_exits_with_the_refusal_in_english(app):
    with app.test_request_context(), force_locale("id"):
        with pytest.raises(click.ClickException) as exc:
            with command_unit_of_work():
                customs.record_rule(None, "duty_chapter_62", "20", date(2026, 1, 1), "a source")
                customs.record_rule(None, "no_such_rule", "1", date(2026, 1, 1), "a source")
        assert exc.value.message == "There is no such rule."
        assert rule_count() == 0


@pytest.mark.parametrize("cls_name", ["QuoteRefused", "ServiceRefused", "RuleRefused", "RateRefused", "ImportRefused",
                                      "ProductInvalid", "CannotPublish", "InvalidTransition", "PhotoRejected",
                                      "CsvUnreadable", "EmailTaken", "InvalidCredentials"])
def test_every_refusal_is_a_domain_error(cls_name):
    import marketplace.accounts.services as accounts
    import marketplace.catalog.csv_io as catalog_csv
    import marketplace.catalog.services as catalog
    import marketplace.orders.quotes as quotes
    import marketplace.rates.services as rates
    import marketplace.shipping.couriers as couriers
    import marketplace.shipping.csv_io as courier_csv

    found = [getattr(m, cls_name) for m in (accounts, catalog_csv, catalog, quotes, rates, couriers, courier_csv,
                                            customs) if hasattr(m, cls_name)]
    assert found and all(issubclass(cls, DomainError) for cls in found)
