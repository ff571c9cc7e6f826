"""The payables pages: officers' balances and statements with payouts and corrections, the admins' commission
rate, and each merchant's own statement; in Indonesian, English and Malay; on a phone."""
from __future__ import annotations

import csv
import io
from datetime import date, timedelta

from sqlalchemy import func, select

from marketplace.audit.models import AuditEntry
from marketplace.extensions import db
from marketplace.payables import services as payables
from marketplace.payables.models import CommissionRate, LedgerEntry

from ..helpers import Client, html_lang, text_of
from .conftest import COFFEE, KERIPIK, merchant_id, parcel_of


def signed_in(app, email: str, language: str | None = "en") -> Client:
    client = Client(app)
    client.login(email)
    if language:
        client.post("/language", {"language": language, "next": "/"}, token_from="/")
    return client


def rows(response) -> list[dict]:
    assert response.mimetype == "text/csv" and "attachment" in response.headers["Content-Disposition"]
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))


def ledger_count() -> int:
    return db.session.scalar(select(func.count()).select_from(LedgerEntry))


def test_officers_see_balances_and_newest_activity(app, paid):
    officer = signed_in(app, "officer@serumpun.example")
    page = text_of(officer.get("/officer/payables"))
    with app.app_context():
        keripik = merchant_id("keripik@serumpun.example")
        balance = payables.balance_of(keripik)
        number = parcel_of(paid, KERIPIK).number
    assert COFFEE in page and KERIPIK in page and "7.5%" in page
    assert f"IDR{balance:,}" in page.replace("\xa0", "")
    assert number in page and "Commission" in page and "Sale" in page
    assert f'/officer/payables/{keripik}"' in officer.get("/officer/payables").get_data(as_text=True)
    assert "Payables" in text_of(officer.get("/officer/"))  # in the menu


def test_an_officer_records_a_payout_from_the_statement_page(app, paid):
    officer = signed_in(app, "officer@serumpun.example")
    with app.app_context():
        keripik = merchant_id("keripik@serumpun.example")
        balance = payables.balance_of(keripik)
    url = f"/officer/payables/{keripik}"
    assert "Record a payout" in text_of(officer.get(url))
    response = officer.post(f"{url}/payout", {"payout-amount": "Rp 50.000", "payout-paid_on": date.today().isoformat(),
                                              "payout-reference": "BCA 0412-88231"})
    assert response.status_code == 302
    page = text_of(officer.get(url))
    assert "Payout recorded." in page and "BCA 0412-88231" in page
    with app.app_context():
        assert payables.balance_of(keripik) == balance - 50_000
        trail = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payout.recorded"))
        assert trail.object_id == str(keripik)
    assert "Payout to a merchant recorded" in text_of(officer.get("/officer/audit?object_kind=merchant_payables"))


def test_a_payout_above_the_balance_is_refused_and_nothing_is_written(app, paid):
    officer = signed_in(app, "officer@serumpun.example")
    with app.app_context():
        keripik = merchant_id("keripik@serumpun.example")
        balance = payables.balance_of(keripik)
        before = ledger_count()
    url = f"/officer/payables/{keripik}/payout"
    for amount, message in ((str(balance + 1), "more than Serumpun owes this merchant"),
                            ("0", "more than zero"), ("-5000", "Enter rupiah like 1.500.000"),
                            ("12.500,50", "no sen"), ("lima ribu", "Enter rupiah"), ("", "This field is required")):
        response = officer.post(url, {"payout-amount": amount, "payout-paid_on": date.today().isoformat(),
                                      "payout-reference": "BCA-77"})
        assert response.status_code == 400, amount
        assert message in text_of(response), amount
    response = officer.post(url, {"payout-amount": "1000", "payout-paid_on": (date.today() + timedelta(days=2))
                                  .isoformat(), "payout-reference": "BCA-78"})
    assert response.status_code == 400 and "cannot be dated in the future" in text_of(response)
    with app.app_context():
        assert ledger_count() == before and payables.balance_of(keripik) == balance
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "payout.recorded")) == 0
    # A form without its CSRF token changes nothing either.
    response = officer.http.post(url, data={"payout-amount": "1000", "payout-paid_on": date.today().isoformat(),
                                            "payout-reference": "BCA-79"})
    assert response.status_code == 400
    with app.app_context():
        assert ledger_count() == before


def test_a_duplicate_bank_reference_is_refused_for_the_same_merchant(app, paid):
    officer = signed_in(app, "officer@serumpun.example")
    with app.app_context():
        keripik = merchant_id("keripik@serumpun.example")
    form = {"payout-amount": "1000", "payout-paid_on": date.today().isoformat(), "payout-reference": "BCA-1"}
    assert officer.post(f"/officer/payables/{keripik}/payout", form).status_code == 302
    response = officer.post(f"/officer/payables/{keripik}/payout", form)
    assert response.status_code == 400 and "recorded for this merchant already" in text_of(response)


def test_an_admin_records_a_correction_with_a_note(app, paid):
    admin = signed_in(app, "admin@serumpun.example")
    with app.app_context():
        coffee = merchant_id("merchant@serumpun.example")
        balance = payables.balance_of(coffee)
    url = f"/officer/payables/{coffee}/correction"
    response = admin.post(url, {"correction-amount": "-25.000", "correction-note": ""})
    assert response.status_code == 400 and "This field is required" in text_of(response)
    response = admin.post(url, {"correction-amount": "−25.000", "correction-note": "Shipping charged twice"})
    assert response.status_code == 302
    page = text_of(admin.get(f"/officer/payables/{coffee}"))
    assert "Correction recorded." in page and "Shipping charged twice" in page
    with app.app_context():
        assert payables.balance_of(coffee) == balance - 25_000
        assert db.session.scalar(select(AuditEntry).where(AuditEntry.action == "ledger.corrected")).after[
            "amount_idr"] == -25_000


def test_csv_exports_of_balances_and_of_a_statement(app, paid):
    officer = signed_in(app, "officer@serumpun.example")
    with app.app_context():
        keripik = merchant_id("keripik@serumpun.example")
        parcel = parcel_of(paid, KERIPIK)
        sale, shipping, number = parcel.goods_idr + parcel.shipping_idr, parcel.shipping_idr, parcel.number
        assert shipping > 0
        balance = payables.balance_of(keripik)
    with app.test_request_context(method="POST"):
        from marketplace.accounts import services as accounts
        from marketplace.core.unit_of_work import unit_of_work

        with unit_of_work(capture=False):
            payables.record_correction(accounts.find_user_by_email("admin@serumpun.example"), keripik, 100,
                                       "=HYPERLINK(\"http://evil\")", date.today())
    balances = rows(officer.get("/officer/payables.csv"))
    by_name = {row["merchant"]: row for row in balances}
    assert set(by_name) == {COFFEE, KERIPIK}
    assert by_name[KERIPIK]["balance_idr"] == str(balance + 100) and by_name[KERIPIK]["entries"] == "3"
    assert by_name[KERIPIK]["merchant_id"] == str(keripik)
    statement = rows(officer.get(f"/officer/payables/{keripik}/statement.csv"))
    assert [row["kind"] for row in statement] == ["sale", "commission", "correction"]
    assert statement[0]["amount_idr"] == str(sale) and statement[0]["reference"] == number
    assert statement[1]["amount_idr"] == str(-5_625) and statement[1]["commission_percent"] == "7.5"
    assert statement[1]["balance_idr"] == str(sale - 5_625)
    assert statement[2]["balance_idr"] == str(balance + 100)
    assert statement[2]["note"].startswith("'=")  # a spreadsheet shows it, never runs it
    # The merchant downloads the same statement, and only its own.
    merchant = signed_in(app, "keripik@serumpun.example")
    assert [row["entry_id"] for row in rows(merchant.get("/merchant/statement.csv"))] == \
        [row["entry_id"] for row in statement]


def test_a_merchant_sees_only_its_own_statement(app, paid):
    with app.app_context():
        coffee_parcel, keripik_parcel = parcel_of(paid, COFFEE).number, parcel_of(paid, KERIPIK).number
        coffee = merchant_id("merchant@serumpun.example")
    merchant = signed_in(app, "keripik@serumpun.example")
    page = text_of(merchant.get("/merchant/statement"))
    assert keripik_parcel in page and coffee_parcel not in page
    csv_text = merchant.get("/merchant/statement.csv").get_data(as_text=True)
    assert keripik_parcel in csv_text and coffee_parcel not in csv_text
    # Staff pages are not a way round it.
    assert merchant.get(f"/officer/payables/{coffee}").status_code == 403
    assert merchant.get(f"/officer/payables/{coffee}/statement.csv").status_code == 403
    assert merchant.get("/officer/payables.csv").status_code == 403
    assert merchant.post(f"/officer/payables/{coffee}/payout", {"payout-amount": "1"},
                         token_from="/").status_code == 403
    buyer = signed_in(app, "buyer@serumpun.example")
    assert buyer.get("/merchant/statement").status_code == 403
    assert Client(app).get("/merchant/statement").status_code == 302  # to sign in
    officer = signed_in(app, "officer@serumpun.example")
    assert officer.get("/merchant/statement").status_code == 403
    assert officer.get("/officer/payables/999999").status_code == 404
    assert officer.post("/officer/payables/999999/payout", {"payout-amount": "1"}).status_code == 404


def test_admins_set_the_commission_rate_and_officers_cannot(app, demo):
    admin = signed_in(app, "admin@serumpun.example")
    page = text_of(admin.get("/admin/commission"))
    assert "0%: no commission rate has been set" in page
    for bad, message in (("51", "at most 50%."), ("-1", "from 0 to 50"), ("7.555", "at most two decimals"),
                         ("", "This field is required")):
        response = admin.post("/admin/commission", {"percent": bad})
        assert response.status_code == 400 and message in text_of(response), bad
    response = admin.post("/admin/commission", {"percent": "5", "starts_at": "2020-01-01T09:00"})
    assert response.status_code == 400 and "cannot start in the past" in text_of(response)
    response = admin.post("/admin/commission", {"percent": "7,5", "note": "Launch rate"})
    assert response.status_code == 302
    page = text_of(admin.get("/admin/commission"))
    assert "Commission rate set: 7.5%" in page and "In force" in page and "Launch rate" in page
    future = (date.today() + timedelta(days=30)).isoformat() + "T00:00"
    assert admin.post("/admin/commission", {"percent": "10", "starts_at": future}).status_code == 302
    page = text_of(admin.get("/admin/commission"))
    assert "Scheduled" in page and "10%" in page
    with app.app_context():
        rates = db.session.scalars(select(CommissionRate).order_by(CommissionRate.id)).all()
        assert [r.basis_points for r in rates] == [750, 1000]
        # Typed on Bandung's clock (UTC+7): midnight there is 17:00 the day before in UTC.
        assert rates[1].effective_from.hour == 17
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "commission.set")) == 2
    officer = signed_in(app, "officer@serumpun.example")
    assert officer.get("/admin/commission").status_code == 403
    assert officer.post("/admin/commission", {"percent": "1"}, token_from="/").status_code == 403


def test_pages_in_indonesian_english_and_malay(app, paid):
    merchant = Client(app)
    merchant.http.environ_base.pop("HTTP_ACCEPT_LANGUAGE")
    merchant.login("keripik@serumpun.example")
    response = merchant.get("/merchant/statement")
    assert html_lang(response) == "id"  # the demo merchant reads Indonesian
    page = text_of(response)
    assert "Mutasi saldo" in page and "Komisi" in page and "Penjualan" in page and "Rp" in page
    expectations = {
        "en": ("Statement", "Serumpun owes you", "Commission"),
        "ms": ("Penyata", "Serumpun berhutang kepada anda", "Komisen"),
        "id": ("Mutasi saldo", "Serumpun berutang kepada Anda", "Komisi"),
    }
    for language, words in expectations.items():
        merchant.post("/language", {"language": language, "next": "/"}, token_from="/")
        page = text_of(merchant.get("/merchant/statement"))
        assert all(word in page for word in words), (language, page)
    for language, title in (("id", "Utang ke penjual"), ("en", "Payables"), ("ms", "Hutang kepada peniaga")):
        officer = signed_in(app, "officer@serumpun.example", language)
        with app.app_context():
            keripik = merchant_id("keripik@serumpun.example")
        assert title in text_of(officer.get("/officer/payables"))
        assert officer.get(f"/officer/payables/{keripik}").status_code == 200
        admin = signed_in(app, "admin@serumpun.example", language)
        assert admin.get("/admin/commission").status_code == 200


def test_rows_stack_on_a_phone(app, paid):
    """Every cell of the statement carries its column's name, which the phone layout shows in front of it."""
    merchant = signed_in(app, "keripik@serumpun.example")
    html = merchant.get("/merchant/statement").get_data(as_text=True)
    assert 'class="table table--stack"' in html and 'data-label="Balance"' in html
    css = app.test_client().get("/static/css/serumpun.css").get_data(as_text=True)
    assert ".table--stack td::before { content: attr(data-label)" in css
