"""What Serumpun owes each merchant: the ledger written as parcels are paid and refunded, payouts, corrections.

What a paid parcel is worth to its merchant, in whole rupiah:
- a `sale` of goods_idr + shipping_idr: the merchant packs the parcel, hands it to the courier and pays
  the courier, so the shipping the buyer paid is the merchant's too;
- a negative `commission` at the rate in force when the parcel was paid, on the goods only (Serumpun
  takes nothing from the courier's money), rounded once, half up, to whole rupiah;
- when the parcel is refunded, a `refund` that takes back exactly what the parcel credited (sale less
  commission), whatever the commission rate is by then.
Officers and admins record `payout`s (negative, never more than the balance) and `correction`s (either
sign, with a note). Nothing is ever edited or deleted: a mistake is put right by a new entry.
The Malaysian taxes the buyer paid are not the merchant's and never enter the ledger.

Services flush and never commit; the request (or the move that paid the parcel) commits.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from flask import Flask, current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..accounts.models import MerchantProfile, User
from ..audit import services as audit
from ..core.errors import DomainError, NotFound
from ..core.models import utcnow
from ..core.templating import format_money
from ..extensions import db
from ..money import decimal_text, round_half_up
from ..orders.lifecycle import parcel_moved
from ..orders.models import MerchantOrder, ParcelStatus
from .models import CommissionRate, LedgerEntry

SALE, COMMISSION, REFUND, PAYOUT, CORRECTION = "sale", "commission", "refund", "payout", "correction"
KIND_NAMES = {
    SALE: _l("Sale"),
    COMMISSION: _l("Commission"),
    REFUND: _l("Refund"),
    PAYOUT: _l("Payout"),
    CORRECTION: _l("Correction"),
}
MAX_BASIS_POINTS = 5000  # 50%, as the table's CHECK allows
# No single payout or correction is larger than this (Rp 1 trillion): a bound against typing slips.
MAX_ENTRY_IDR = 1_000_000_000_000
# A new rate may start in the minute it is typed, not before: parcels paid already keep the rate they paid.
RATE_SLACK = timedelta(minutes=1)


class PayablesRefused(DomainError):
    """A payout, correction or rate that cannot be recorded; the message says why. Nothing was written."""


# --- Commission rates -------------------------------------------------------------------------------------


def parse_percent(text: str) -> int:
    """'7.5', '7,5' or '7.5 %' as basis points (750); at most two decimals, 0 to 50. Raises PayablesRefused."""
    cleaned = re.sub(r"\s+", "", text or "").removesuffix("%").replace(",", ".")
    if not re.fullmatch(r"[0-9]{1,3}(\.[0-9]{1,2})?", cleaned):
        raise PayablesRefused(_l("Enter a percentage from 0 to 50 with at most two decimals, like 7.5."),
                              field="percent")
    basis_points = int(Decimal(cleaned) * 100)
    if basis_points > MAX_BASIS_POINTS:
        raise PayablesRefused(_l("A commission rate can be at most %(most)d%%.", most=MAX_BASIS_POINTS // 100),
                              field="percent")
    return basis_points


def percent_text(basis_points: int) -> str:
    """750 as "7.5", 500 as "5": the rate as a plain percentage, exact."""
    return decimal_text(Decimal(basis_points) / 100)


def rate_at(moment: datetime) -> CommissionRate | None:
    """The rate in force at a moment (UTC, naive): the latest to start at or before it; None: no rate yet."""
    return db.session.scalar(select(CommissionRate).where(CommissionRate.effective_from <= moment)
                             .order_by(CommissionRate.effective_from.desc(), CommissionRate.id.desc()).limit(1))


def rate_history(limit: int = 50) -> list[CommissionRate]:
    """The rates set, newest start first (scheduled ones included)."""
    return list(db.session.scalars(select(CommissionRate).order_by(CommissionRate.effective_from.desc(),
                                                                   CommissionRate.id.desc()).limit(limit)))


def set_commission_rate(actor: User | None, basis_points: int, starts_at: datetime | None, now: datetime,
                        note: str = "") -> CommissionRate:
    """A new commission rate from a moment (None: now); parcels paid from then on are charged it."""
    if not 0 <= basis_points <= MAX_BASIS_POINTS:
        raise PayablesRefused(_l("A commission rate can be at most %(most)d%%.", most=MAX_BASIS_POINTS // 100),
                              field="percent")
    starts_at = starts_at or now
    if starts_at < now - RATE_SLACK:
        raise PayablesRefused(_l("A new rate cannot start in the past: parcels paid already keep the rate they "
                                 "were charged. Leave the start empty to start now."), field="starts_at")
    starts_at = max(starts_at, now)
    before = rate_at(starts_at)
    rate = CommissionRate(basis_points=basis_points, effective_from=starts_at,
                          set_by_id=actor.id if actor else None, note=note.strip()[:200])
    db.session.add(rate)
    db.session.flush()
    audit.record(actor, "commission.set", "commission_rate", rate.id,
                 {"basis_points": before.basis_points if before else 0},
                 {"basis_points": basis_points, "effective_from": starts_at, "note": rate.note})
    return rate


# --- Entries written as parcels move ----------------------------------------------------------------------


def local_date(moment: datetime) -> date:
    """The day a UTC moment falls on in Bandung (the ledger's days are the merchants' days)."""
    zone = ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Asia/Jakarta")
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()


def commission_on(goods_idr: int, basis_points: int) -> int:
    """Serumpun's commission on goods, in whole rupiah, rounded half up."""
    return round_half_up(Decimal(goods_idr) * basis_points / 10_000)


def _parcel_kinds(parcel_id: int) -> dict[str, LedgerEntry]:
    return {entry.kind: entry for entry in db.session.scalars(
        select(LedgerEntry).where(LedgerEntry.merchant_order_id == parcel_id))}


def credit_sale(parcel: MerchantOrder, actor: User | None, at: datetime) -> None:
    """A paid parcel: the merchant is owed its goods and shipping, less commission on the goods (once)."""
    if parcel.merchant_id is None:  # the merchant's account is gone; nobody to owe
        return
    if SALE in _parcel_kinds(parcel.id):
        return  # the payment was reported again: the parcel is credited already
    rate = rate_at(at)
    basis_points = rate.basis_points if rate else 0
    common = dict(merchant_id=parcel.merchant_id, merchant_order_id=parcel.id, reference=parcel.number,
                  entry_date=local_date(at), created_by_id=actor.id if actor else None)
    db.session.add(LedgerEntry(kind=SALE, amount_idr=parcel.goods_idr + parcel.shipping_idr, **common))
    db.session.add(LedgerEntry(kind=COMMISSION, amount_idr=-commission_on(parcel.goods_idr, basis_points),
                               basis_points=basis_points, **common))
    db.session.flush()


def reverse_parcel(parcel: MerchantOrder, actor: User | None, at: datetime) -> None:
    """A refunded parcel: take back what it credited (sale less commission), once; nothing if it credited nothing."""
    if parcel.merchant_id is None:
        return
    kinds = _parcel_kinds(parcel.id)
    if REFUND in kinds or SALE not in kinds:
        return
    credited = sum(entry.amount_idr for kind, entry in kinds.items() if kind in (SALE, COMMISSION))
    db.session.add(LedgerEntry(merchant_id=parcel.merchant_id, merchant_order_id=parcel.id, kind=REFUND,
                               amount_idr=-credited, reference=parcel.number, entry_date=local_date(at),
                               created_by_id=actor.id if actor else None))
    db.session.flush()


def on_parcel_moved(sender, parcel: MerchantOrder, before: ParcelStatus, actor: User | None = None, **_) -> None:
    """The orders package moved a parcel (inside its transaction): write what the move means to the ledger."""
    if parcel.status == ParcelStatus.PAID:
        credit_sale(parcel, actor, parcel.order.paid_at or utcnow())
    elif parcel.status == ParcelStatus.REFUNDED:
        reverse_parcel(parcel, actor, utcnow())


def connect_listener(app: Flask) -> None:
    """Listen to parcel moves. A blinker receiver is kept once however often it is connected (one per
    process: a test run builds several apps), and it writes through the app in context."""
    parcel_moved.connect(on_parcel_moved, sender="orders")


# --- Balances and statements ------------------------------------------------------------------------------


@dataclass(frozen=True)
class MerchantBalance:
    merchant_id: int
    name: str
    balance_idr: int
    entries: int
    last_entry_on: date | None


@dataclass(frozen=True)
class StatementLine:
    entry: LedgerEntry
    balance_idr: int  # the balance after this entry, in the order entries were written

    @property
    def kind_name(self):
        return KIND_NAMES.get(self.entry.kind, self.entry.kind)


def merchant(merchant_id: int) -> MerchantProfile:
    """A merchant by id, or NotFound."""
    profile = db.session.get(MerchantProfile, merchant_id)
    if profile is None:
        raise NotFound()
    return profile


def balance_of(merchant_id: int) -> int:
    """What Serumpun owes a merchant now, in rupiah (negative: the merchant owes Serumpun)."""
    return db.session.scalar(select(func.coalesce(func.sum(LedgerEntry.amount_idr), 0))
                             .where(LedgerEntry.merchant_id == merchant_id)) or 0


def balances() -> list[MerchantBalance]:
    """Every merchant with an entry, by name: the balance, how many entries, the latest entry's day."""
    rows = db.session.execute(
        select(MerchantProfile.id, MerchantProfile.business_name, func.sum(LedgerEntry.amount_idr),
               func.count(LedgerEntry.id), func.max(LedgerEntry.entry_date))
        .join(LedgerEntry, LedgerEntry.merchant_id == MerchantProfile.id)
        .group_by(MerchantProfile.id, MerchantProfile.business_name)
        .order_by(func.lower(MerchantProfile.business_name), MerchantProfile.id)).all()
    return [MerchantBalance(*row) for row in rows]


def recent_entries(limit: int = 20) -> list[tuple[LedgerEntry, str]]:
    """The latest entries of every merchant, newest first, with the merchant's name."""
    rows = db.session.execute(select(LedgerEntry, MerchantProfile.business_name)
                              .join(MerchantProfile, MerchantProfile.id == LedgerEntry.merchant_id)
                              .order_by(LedgerEntry.id.desc()).limit(limit)).all()
    return [(entry, name) for entry, name in rows]


def statement(merchant_id: int, page: int = 1, per_page: int | None = 50,
              newest_first: bool = True) -> tuple[list[StatementLine], int]:
    """A merchant's entries with the balance after each, and how many there are (per_page None: all)."""
    running = (select(LedgerEntry.id, func.sum(LedgerEntry.amount_idr).over(order_by=LedgerEntry.id)
                      .label("balance")).where(LedgerEntry.merchant_id == merchant_id).subquery())
    query = (select(LedgerEntry, running.c.balance).join(running, running.c.id == LedgerEntry.id)
             .order_by(LedgerEntry.id.desc() if newest_first else LedgerEntry.id))
    if per_page is not None:
        query = query.limit(per_page).offset((page - 1) * per_page)
    total = db.session.scalar(select(func.count()).select_from(LedgerEntry)
                              .where(LedgerEntry.merchant_id == merchant_id)) or 0
    return [StatementLine(entry, int(balance)) for entry, balance in db.session.execute(query)], total


# --- Payouts and corrections by officers and admins -------------------------------------------------------


def _locked_merchant(merchant_id: int) -> MerchantProfile:
    """The merchant, its row locked (PostgreSQL) so that two payouts at once see each other's entries.

    SQLite writers are one at a time already (each writing request begins IMMEDIATE).
    """
    profile = db.session.scalar(select(MerchantProfile).where(MerchantProfile.id == merchant_id).with_for_update())
    if profile is None:
        raise NotFound()
    return profile


def _audited(entry: LedgerEntry) -> dict:
    return audit.snapshot(entry, ("id", "kind", "amount_idr", "reference", "entry_date", "note"))


def record_payout(actor: User, merchant_id: int, amount_idr: int, paid_on: date, reference: str,
                  today: date) -> LedgerEntry:
    """Money sent to the merchant's bank: a negative entry, never more than the balance, once per reference."""
    profile = _locked_merchant(merchant_id)
    reference = " ".join(reference.split())
    if amount_idr <= 0:
        raise PayablesRefused(_l("A payout must be more than zero."), field="amount")
    if not reference:
        raise PayablesRefused(_l("Enter the bank's reference for the transfer."), field="reference")
    if paid_on > today:
        raise PayablesRefused(_l("A payout cannot be dated in the future."), field="paid_on")
    duplicate = db.session.scalar(select(LedgerEntry.id).where(
        LedgerEntry.merchant_id == profile.id, LedgerEntry.kind == PAYOUT,
        func.lower(LedgerEntry.reference) == reference.lower()).limit(1))
    if duplicate is not None:
        raise PayablesRefused(_l("A payout with the reference %(reference)s is recorded for this merchant already.",
                                 reference=reference), field="reference")
    balance = balance_of(profile.id)
    if amount_idr > balance:
        raise PayablesRefused(_l("The payout is more than Serumpun owes this merchant (%(balance)s).",
                                 balance=format_money(balance)), field="amount")
    entry = LedgerEntry(merchant_id=profile.id, kind=PAYOUT, amount_idr=-amount_idr, reference=reference,
                        entry_date=paid_on, created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "payout.recorded", "merchant_payables", profile.id, None, _audited(entry))
    return entry


def record_correction(actor: User, merchant_id: int, amount_idr: int, note: str, today: date) -> LedgerEntry:
    """A new entry that puts a mistake right (positive: Serumpun owes more); the note says why."""
    profile = _locked_merchant(merchant_id)
    note = " ".join(note.split())
    if amount_idr == 0:
        raise PayablesRefused(_l("A correction of zero changes nothing."), field="amount")
    if abs(amount_idr) > MAX_ENTRY_IDR:
        raise PayablesRefused(_l("A correction can be at most Rp 1.000.000.000.000 either way."), field="amount")
    if len(note) < 3:
        raise PayablesRefused(_l("Say why in the note: the merchant reads it on the statement."), field="note")
    entry = LedgerEntry(merchant_id=profile.id, kind=CORRECTION, amount_idr=amount_idr, note=note[:200],
                        entry_date=today, created_by_id=actor.id)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, "ledger.corrected", "merchant_payables", profile.id, None, _audited(entry))
    return entry
