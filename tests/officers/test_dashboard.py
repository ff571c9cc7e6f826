"""The officers' dashboard: figures against hand-counted values, the range's boundaries, its CSV files, its charts."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from marketplace.accounts.models import VerificationStatus
from marketplace.orders.models import OrderStatus
from marketplace.stats import figures as stats

from ..helpers import Client, text_of

JAKARTA = ZoneInfo("Asia/Jakarta")
TODAY = date(2026, 12, 2)
# Hand-counted from the `trade` fixture at the demo rate (1 RM = 3,924.50 IDR), each unit converted once:
# 78,000 -> RM19.88, 25,000 -> RM6.37, 85,000 -> RM21.66.
A_IDR, A_SEN = 24 * 78_000 + 3 * 25_000, 24 * 1988 + 3 * 637  # 1,947,000 and 49,623
B_IDR, B_SEN = 6 * 85_000, 6 * 2166  # 510,000 and 12,996


def figures_for(app, since: date, until: date) -> stats.Figures:
    with app.test_request_context():
        return stats.figures(stats.DayRange(since, until), JAKARTA, TODAY, 7)


def test_the_figures_add_up_to_what_was_counted_by_hand(app, trade):
    f = figures_for(app, date(2026, 9, 1), date(2026, 10, 31))
    assert (A_IDR, A_SEN, B_IDR, B_SEN) == (1_947_000, 49_623, 510_000, 12_996)
    # Three orders were paid (the refunded one too), but the refunded parcel is no export.
    assert f.paid_orders == 3 and f.buyers == 2
    assert (f.export_idr, f.export_sen) == (A_IDR + B_IDR, A_SEN + B_SEN)
    assert [(m.month, m.orders, m.idr, m.sen) for m in f.months] == [
        (date(2026, 9, 1), 1, A_IDR, A_SEN), (date(2026, 10, 1), 2, B_IDR, B_SEN)]
    assert [(s.code, s.buyers, s.orders, s.idr, s.sen) for s in f.states] == [
        ("MY-10", 1, 1, A_IDR, A_SEN), ("MY-14", 1, 2, B_IDR, B_SEN)]
    assert [(c.code, c.published, c.units, c.idr, c.sen) for c in f.categories] == [
        ("coffee-tea", 2, 30, 24 * 78_000 + B_IDR, 24 * 1988 + B_SEN), ("snacks", 1, 3, 75_000, 3 * 637)]
    assert f.published_products == 3
    assert f.orders_placed == {OrderStatus.PAID: 3, OrderStatus.PENDING_PAYMENT: 1}
    assert f.merchants == {VerificationStatus.UNVERIFIED: 2, VerificationStatus.PENDING: 1,
                           VerificationStatus.VERIFIED: 5, VerificationStatus.REJECTED: 0}
    # The month's value is the parcels' goods as stored at checkout: the lines add up to them.
    assert sum(c.sen for c in f.categories) == f.export_sen and sum(c.idr for c in f.categories) == f.export_idr


def test_days_are_bandung_days_and_both_ends_are_included(app, trade):
    # A was paid at 23:59:59 on 30 September in Bandung, B one second later, on 1 October.
    assert stats.DayRange(date(2026, 9, 30), date(2026, 9, 30)).utc_bounds(JAKARTA) == (
        datetime(2026, 9, 29, 17, 0), datetime(2026, 9, 30, 17, 0))
    september = figures_for(app, date(2026, 9, 30), date(2026, 9, 30))
    assert september.paid_orders == 1 and september.export_idr == A_IDR
    october = figures_for(app, date(2026, 10, 1), date(2026, 10, 1))
    assert october.paid_orders == 1 and october.export_idr == B_IDR
    assert [m.month for m in october.months] == [date(2026, 10, 1)]
    # Orders are placed on their own days: D on 20 October, still unpaid.
    late = figures_for(app, date(2026, 10, 16), date(2026, 12, 31))
    assert late.paid_orders == 0 and late.orders_placed == {OrderStatus.PENDING_PAYMENT: 1}
    assert [m.month.month for m in late.months] == [10, 11, 12] and all(m.orders == 0 for m in late.months)


@pytest.mark.parametrize(("since", "until", "message"), [
    (date(2026, 10, 2), date(2026, 10, 1), "The first day must not be after the last."),
    (date(2020, 1, 1), date(2026, 1, 1), "Choose at most three years."),
    (date(1999, 12, 31), date(2000, 1, 2), "Choose dates from 2000-01-01 to 2099-12-31."),
])
def test_a_wrong_range_is_refused_with_a_reason(app, demo, since, until, message):
    with app.test_request_context(headers={"Accept-Language": "en"}), pytest.raises(stats.RangeRefused) as refused:
        stats.figures(stats.DayRange(since, until), JAKARTA, TODAY, 7)
    assert str(refused.value.message) == message


def test_the_default_range_is_the_last_six_months():
    assert stats.default_range(date(2026, 12, 2)) == stats.DayRange(date(2026, 7, 1), date(2026, 12, 2))
    assert stats.default_range(date(2027, 3, 31)) == stats.DayRange(date(2026, 10, 1), date(2027, 3, 31))


def officer(app, language: str = "en") -> Client:
    client = Client(app)
    client.login("officer@serumpun.example")
    client.post("/language", {"language": language, "next": "/"}, token_from="/")
    return client


def test_the_page_shows_charts_with_titles_and_the_same_numbers_in_tables(app, trade):
    response = officer(app).get("/officer/?since=2026-09-01&until=2026-10-31")
    assert response.status_code == 200
    html, page = response.get_data(as_text=True), text_of(response)
    assert html.count('role="img"') == 4  # months, categories, states, merchants
    assert '<title id="chart-months-title">Export value per month, in ringgit</title>' in html
    assert "September 2026: RM496.23; October 2026: RM129.96" in html  # the months chart's description
    assert "September 2026 1 RM496.23 IDR1,947,000" in page
    assert "October 2026 2 RM129.96 IDR510,000" in page
    assert "All 3 RM626.19 IDR2,457,000" in page
    assert "Selangor 1 1 RM496.23 IDR1,947,000" in page and "Kuala Lumpur 1 2 RM129.96 IDR510,000" in page
    assert "Coffee and tea 2 30 RM607.08 IDR2,382,000" in page
    assert "Paid 3" in page and "Waiting for payment 1" in page
    # The form shows the range the figures are for, and every CSV link carries it.
    assert 'value="2026-09-01"' in html and 'value="2026-10-31"' in html
    assert html.count("since=2026-09-01&amp;until=2026-10-31") >= 6
    # The merchants kept from the first dashboard, with tappable phone numbers.
    assert "Sangrai Preanger Coffee" in page and 'href="tel:+6281221430001"' in html


def test_the_page_reads_in_indonesian_and_malay(app, trade):
    for language, words in (("id", ["Nilai ekspor per bulan", "September 2026"]),
                            ("ms", ["Nilai eksport sebulan", "September 2026"])):
        page = text_of(officer(app, language).get("/officer/?since=2026-09-01&until=2026-10-31"))
        assert all(word in page for word in words), language


def test_a_wrong_range_on_the_page_says_why_and_shows_the_last_six_months(app, demo):
    client = officer(app)
    backwards = client.get("/officer/?since=2026-10-02&until=2026-10-01")
    assert backwards.status_code == 400
    assert "The first day must not be after the last." in text_of(backwards)
    unreadable = client.get("/officer/?since=yesterday")
    assert unreadable.status_code == 400 and "Enter a date, like 2027-06-30." in text_of(unreadable)
    assert client.get("/officer/stats/months.csv?since=yesterday").status_code == 400


def read_csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    return list(csv.reader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def test_every_table_exports_as_csv_for_the_same_range(app, trade):
    client = officer(app)
    query = "?since=2026-09-01&until=2026-10-31"
    months = client.get("/officer/stats/months.csv" + query)
    assert 'filename="serumpun-months-20260901-20261031.csv"' in months.headers["Content-Disposition"]
    assert read_csv(months) == [["month", "paid_orders", "export_idr", "export_myr_sen"],
                                ["2026-09", "1", str(A_IDR), str(A_SEN)], ["2026-10", "2", str(B_IDR), str(B_SEN)]]
    assert read_csv(client.get("/officer/stats/states.csv" + query)) == [
        ["state", "name", "buyers", "paid_orders", "export_idr", "export_myr_sen"],
        ["MY-10", "Selangor", "1", "1", str(A_IDR), str(A_SEN)],
        ["MY-14", "Kuala Lumpur", "1", "2", str(B_IDR), str(B_SEN)]]
    assert read_csv(client.get("/officer/stats/categories.csv" + query)) == [
        ["category", "name", "published_products", "units", "export_idr", "export_myr_sen"],
        ["coffee-tea", "Coffee and tea", "2", "30", str(24 * 78_000 + B_IDR), str(24 * 1988 + B_SEN)],
        ["snacks", "Snacks", "1", "3", "75000", str(3 * 637)]]
    assert read_csv(client.get("/officer/stats/merchants.csv" + query)) == [
        ["verification_status", "name", "merchants"], ["unverified", "Not yet verified", "2"],
        ["pending", "Verification pending", "1"], ["verified", "Verified", "5"], ["rejected", "Not verified", "0"]]
    assert read_csv(client.get("/officer/stats/orders.csv" + query)) == [
        ["status", "name", "orders_placed"], ["paid", "Paid", "3"], ["pending_payment", "Waiting for payment", "1"]]
    rates = read_csv(client.get("/officer/stats/rates.csv" + query))
    assert rates[0] == ["currency", "idr_per_unit", "effective_on", "age_days", "stale", "source"]
    assert rates[1][:3] == ["MYR", "3924.5000", "2025-10-15"] and rates[1][4] == "yes"
    # Only September: the file says so in its name and holds only that month.
    assert read_csv(client.get("/officer/stats/months.csv?since=2026-09-01&until=2026-09-30"))[1:] == [
        ["2026-09", "1", str(A_IDR), str(A_SEN)]]
    assert client.get("/officer/stats/nothing.csv").status_code == 404
