"""The ledger through its services: what paying and refunding a parcel writes, once; payouts and corrections."""
from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.accounts import services as accounts
from marketplace.audit.models import AuditEntry
from marketplace.core.models import utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.orders import lifecycle
from marketplace.orders.models import ParcelStatus
from marketplace.payables import services as payables
from marketplace.payables.models import CommissionRate, LedgerEntry

from .conftest import COFFEE, KERIPIK, parcel_of, pay, place, set_rate

EN = {"Accept-Language": "en"}


def entries(parcel_id: int) -> dict[str, LedgerEntry]:
    rows = db.session.scalars(select(LedgerEntry).where(LedgerEntry.merchant_order_id == parcel_id)).all()
    assert len(rows) == len({row.kind for row in rows})
    return {row.kind: row for row in rows}


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_a_paid_parcel_credits_goods_and_shipping_less_commission_on_the_goods_once(app, paid):
    with app.test_request_context():
        for name, goods in ((COFFEE, 24 * 78_000), (KERIPIK, 3 * 25_000)):
            parcel = parcel_of(paid, name)
            assert parcel.goods_idr == goods and parcel.shipping_idr > 0
            written = entries(parcel.id)
            assert set(written) == {"sale", "commission"}
            assert written["sale"].amount_idr == goods + parcel.shipping_idr
            assert written["commission"].amount_idr == -payables.commission_on(goods, 750)
            assert written["commission"].basis_points == 750
            assert written["sale"].reference == parcel.number
            assert payables.balance_of(parcel.merchant_id) == goods + parcel.shipping_idr - \
                payables.commission_on(goods, 750)
        # 3 x 25,000 x 7.5% = 5,625 exactly; 1,872,000 x 7.5% = 140,400.
        assert payables.commission_on(75_000, 750) == 5_625 and payables.commission_on(1_872_000, 750) == 140_400
        before = count(LedgerEntry)
        # The payment reported again (a repeated webhook, a retried job): nothing more is written.
        parcel = parcel_of(paid, COFFEE)
        with unit_of_work(capture=False):
            lifecycle.parcel_moved.send("orders", parcel=parcel, before=ParcelStatus.PENDING_PAYMENT, actor=None)
            payables.credit_sale(parcel, None, utcnow())
        assert count(LedgerEntry) == before


@pytest.mark.parametrize("goods, basis_points, commission", [
    (10, 500, 1),  # 0.5 rounds up
    (30, 500, 2),  # 1.5 rounds up
    (29, 500, 1),  # 1.45 rounds down
    (85_000, 0, 0),
    (1_000_000, 5000, 500_000),
])
def test_commission_rounds_half_up_to_whole_rupiah(goods, basis_points, commission):
    assert payables.commission_on(goods, basis_points) == commission


def test_the_rate_in_force_when_the_parcel_is_paid_is_the_one_charged(app, two_shops):
    set_rate(app, 500)
    later = utcnow() + timedelta(days=2)
    set_rate(app, 1000, later)  # scheduled: not in force yet
    number = place(app, {two_shops["keripik"]: 4})
    pay(app, number)
    with app.app_context():
        commission = entries(parcel_of(number, KERIPIK).id)["commission"]
        assert (commission.amount_idr, commission.basis_points) == (-5_000, 500)
        assert payables.rate_at(later).basis_points == 1000


def test_without_a_rate_no_commission_is_charged(app, two_shops):
    number = place(app, {two_shops["keripik"]: 2})
    pay(app, number)
    with app.app_context():
        written = entries(parcel_of(number, KERIPIK).id)
        assert written["commission"].amount_idr == 0 and written["commission"].basis_points == 0


def test_a_refund_takes_back_exactly_what_the_parcel_credited_once(app, paid):
    with app.test_request_context(method="POST", headers=EN):
        parcel = parcel_of(paid, KERIPIK)
        merchant = parcel.merchant_id
        credited = payables.balance_of(merchant)
        officer = accounts.find_user_by_email("officer@serumpun.example")
        with unit_of_work(capture=False):
            lifecycle.cancel_parcel(officer, parcel, "chips out of stock")  # paid, not shipped: refund requested
        set_rate(app, 2000)  # the rate changing since changes nothing of what the refund takes back
        with unit_of_work(capture=False):
            lifecycle.mark_refunded(officer, parcel_of(paid, KERIPIK), "FPX-REF-1")
        written = entries(parcel.id)
        assert written["refund"].amount_idr == -credited
        assert written["refund"].created_by_id == officer.id
        assert payables.balance_of(merchant) == 0
        with unit_of_work(capture=False):
            payables.reverse_parcel(parcel_of(paid, KERIPIK), officer, utcnow())
        assert len(entries(parcel.id)) == 3
        assert payables.balance_of(parcel_of(paid, COFFEE).merchant_id) > 0  # the other parcel is untouched


def test_a_parcel_that_was_never_paid_refunds_nothing(app, two_shops):
    number = place(app, {two_shops["keripik"]: 2})
    with app.test_request_context(method="POST", headers=EN):
        with unit_of_work(capture=False):
            parcel = parcel_of(number, KERIPIK)
            lifecycle.cancel_unpaid(parcel.order, None, "changed my mind")
            # The table lets a cancelled parcel go on to a refund (a paid one cancelled before shipping); the ledger
            # must still refund nothing for one that was never paid.
            lifecycle.move_parcel(parcel, ParcelStatus.REFUND_REQUESTED, None)
            lifecycle.mark_refunded(None, parcel, "none")
        assert count(LedgerEntry) == 0


def payout(app, merchant_id, amount, reference="BCA-0001", paid_on=None):
    with app.test_request_context(method="POST", headers=EN):
        officer = accounts.find_user_by_email("officer@serumpun.example")
        with unit_of_work() as work:
            payables.record_payout(officer, merchant_id, amount, paid_on or date.today(), reference, date.today())
        return work.refused


def test_a_payout_lowers_the_balance_and_is_audited(app, paid):
    with app.app_context():
        merchant = parcel_of(paid, KERIPIK).merchant_id
        balance = payables.balance_of(merchant)
    assert payout(app, merchant, 50_000, " BCA  0412-88231 ") is None
    with app.app_context():
        assert payables.balance_of(merchant) == balance - 50_000
        entry = db.session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "payout"))
        assert (entry.amount_idr, entry.reference, entry.merchant_order_id) == (-50_000, "BCA 0412-88231", None)
        trail = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "payout.recorded"))
        assert trail.object_kind == "merchant_payables" and trail.object_id == str(merchant)
        assert trail.after["amount_idr"] == -50_000 and trail.actor_name.endswith("<officer@serumpun.example>")


def test_refused_payouts_write_nothing(app, paid):
    with app.app_context():
        merchant = parcel_of(paid, KERIPIK).merchant_id
        balance = payables.balance_of(merchant)
    assert payout(app, merchant, 10_000, "BCA-1") is None
    cases = [
        (balance, "BCA-2", None, "more than Serumpun owes"),  # above what is left after the first
        (0, "BCA-3", None, "more than zero"),
        (-5, "BCA-4", None, "more than zero"),
        (1, "bca-1", None, "recorded for this merchant already"),  # the same reference, whatever its case
        (1, "   ", None, "reference"),
        (1, "BCA-5", date.today() + timedelta(days=1), "future"),
    ]
    for amount, reference, paid_on, message in cases:
        refused = payout(app, merchant, amount, reference, paid_on)
        assert refused is not None and message in str(refused.message), (amount, reference)
    with app.app_context():
        assert count(LedgerEntry) == 5  # two sales, two commissions, one payout
        assert db.session.scalar(select(func.count()).select_from(AuditEntry)
                                 .where(AuditEntry.action == "payout.recorded")) == 1
    # The same reference is fine for another merchant (each bank statement is its own).
    with app.app_context():
        other = parcel_of(paid, COFFEE).merchant_id
    assert payout(app, other, 1_000, "BCA-1") is None


def test_a_correction_is_a_new_entry_with_its_reason_audited(app, paid):
    with app.test_request_context(method="POST", headers=EN):
        merchant = parcel_of(paid, COFFEE).merchant_id
        balance = payables.balance_of(merchant)
        admin = accounts.find_user_by_email("admin@serumpun.example")
        with unit_of_work() as work:
            payables.record_correction(admin, merchant, -12_500, "Courier surcharge billed twice", date.today())
        assert work.refused is None
        assert payables.balance_of(merchant) == balance - 12_500
        for amount, note, message in ((0, "nothing", "zero"), (5, "  ", "note"),
                                      (10**13, "too much", "at most")):
            with unit_of_work() as work:
                payables.record_correction(admin, merchant, amount, note, date.today())
            assert message in str(work.refused.message)
        assert count(LedgerEntry) == 5
        trail = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "ledger.corrected")).all()
        assert len(trail) == 1 and trail[0].after["note"] == "Courier surcharge billed twice"


def test_statement_has_a_running_balance_in_the_order_entries_were_written(app, paid):
    with app.app_context():
        merchant = parcel_of(paid, COFFEE).merchant_id
    payout(app, merchant, 100_000, "BCA-9")
    with app.app_context():
        lines, total = payables.statement(merchant, newest_first=False, per_page=None)
        assert total == 3 and [line.entry.kind for line in lines] == ["sale", "commission", "payout"]
        running = 0
        for line in lines:
            running += line.entry.amount_idr
            assert line.balance_idr == running
        newest, _ = payables.statement(merchant, page=1, per_page=2)
        assert [line.entry.kind for line in newest] == ["payout", "commission"]
        assert newest[0].balance_idr == payables.balance_of(merchant)


def test_a_commission_rate_is_a_percentage_from_0_to_50(app, demo):
    assert payables.parse_percent("7.5") == 750
    assert payables.parse_percent("7,5 %") == 750
    assert payables.parse_percent("0") == 0 and payables.parse_percent("50") == 5000
    for bad in ("50.01", "-1", "7.555", "lima", "", "1e2", "٧"):
        with pytest.raises(payables.PayablesRefused):
            payables.parse_percent(bad)
    now = datetime(2027, 3, 1, 9, 0)
    with app.test_request_context(method="POST", headers=EN):
        with unit_of_work() as work:
            payables.set_commission_rate(None, 500, now - timedelta(hours=1), now)
        assert "past" in str(work.refused.message)
        with unit_of_work() as work:
            rate = payables.set_commission_rate(None, 500, None, now, "launch")
        assert work.refused is None and rate.effective_from == now
        assert count(CommissionRate) == 1
        trail = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "commission.set"))
        assert trail.before == {"basis_points": 0} and trail.after["basis_points"] == 500


def test_seed_demo_sets_five_percent_once(app, demo):
    from marketplace.demo.seed import seed_commission

    with app.app_context():
        seed_commission()
        seed_commission()
        rates = db.session.scalars(select(CommissionRate)).all()
        assert [rate.basis_points for rate in rates] == [500]
        assert payables.rate_at(utcnow()).basis_points == 500
