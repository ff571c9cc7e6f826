"""Demo trade history: six months of paid orders from the demo buyers in six Malaysian states, more each month,
so that the officers' dashboard (and the command center's feed) shows a trend on a fresh `make run`.

Each order is placed, paid, packed, shipped and delivered through the same services as the pages use (stock
taken, ledger credited, every move recorded); then its dates are moved back to the day it was meant to be
placed: the order, its parcels and their moves, its payment and the merchants' ledger entries. The audit
trail keeps the real time at which the demo officer recorded each transfer. Idempotent: an order is placed
once per demo checkout key.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import select, update

from ..accounts import services as accounts
from ..accounts.models import MerchantProfile
from ..catalog.models import Product, ProductStatus
from ..core.models import utcnow
from ..extensions import db
from ..orders import cart as carts
from ..orders import checkout, lifecycle
from ..orders.models import Order, StatusChange
from ..payables.models import LedgerEntry
from ..payments.models import Payment
from ..payments.services import record_transfer
from ..rates.services import rates_in_force

KEY = "demo-history-{:02d}"
# Paid orders per month, oldest first; the last is the current month (only its days so far are used).
PER_MONTH = [3, 4, 5, 7, 9, 3]
BUYERS = [  # email, street: each demo buyer receives at the address of its profile
    ("buyer@serumpun.example", "Kedai Serumpun PJ, 18 Jalan SS2/24"),
    ("buyer.kl@serumpun.example", "12 Jalan Tun Razak"),
    ("buyer.penang@serumpun.example", "Penang Halal Mart, 45 Lebuh Chulia"),
    ("buyer.johor@serumpun.example", "7 Jalan Wong Ah Fook"),
    ("buyer.sabah@serumpun.example", "21 Jalan Gaya"),
    ("buyer.sarawak@serumpun.example", "Kuching Borneo Distributors, 3 Jalan Padungan"),
]
# Which merchants each order buys from, in turn: coffee and snacks sell most, as in the demo's story.
BASKETS = [["merchant"], ["keripik", "sambal"], ["merchant", "keripik"], ["hijab"], ["sambal"], ["bamboo"],
           ["merchant"], ["batik", "hijab"], ["keripik"], ["leather"], ["herbal", "merchant"], ["sambal", "keripik"]]
QUANTITIES = [4, 6, 5, 10, 3, 8]  # grown by half each month: buyers order more as they come back
STOCK_LEFT = 30  # never buy a product below this: the demo's own orders and cart, and visitors, need some
SHIPPED_AFTER, DELIVERED_AFTER = 2, 5  # days after payment


def _months_back(today: date, count: int) -> list[date]:
    """The first day of each of the last `count` months, oldest first, this month last."""
    months, month = [], today.replace(day=1)
    for _ in range(count):
        months.insert(0, month)
        month = (month - timedelta(days=1)).replace(day=1)
    return months


def plan(today: date) -> list[tuple[str, date, str, list[str], int]]:
    """(checkout key, day, buyer email, merchants, base quantity) for every history order; days up to today."""
    orders, index = [], 0
    for age, (month, count) in enumerate(zip(_months_back(today, len(PER_MONTH)), PER_MONTH, strict=True)):
        last_day = today.day if month.month == today.month and month.year == today.year else 28
        for n in range(count):
            day = month.replace(day=1 + (n * 7 + index * 3) % last_day)
            orders.append((KEY.format(index), day, BUYERS[index % len(BUYERS)][0], BASKETS[index % len(BASKETS)],
                           QUANTITIES[index % len(QUANTITIES)] * (2 + age) // 2))
            index += 1
    return orders


def _product(merchant: str, quantity: int, turn: int) -> tuple[Product, int] | None:
    """One of the merchant's products buyers may buy in this quantity (or its MOQ), taken in turn."""
    user = accounts.find_user_by_email(f"{merchant}@serumpun.example")
    if user is None or user.merchant_profile is None:
        return None
    # Stock is taken by UPDATE statements that leave loaded products as they were: read it afresh, or the
    # choice would depend on which products the session still holds.
    products = db.session.scalars(select(Product).where(
        Product.merchant_id == user.merchant_profile.id, Product.status == ProductStatus.PUBLISHED)
        .order_by(Product.id).execution_options(populate_existing=True)).all()
    fitting = [(p, max(quantity, p.moq)) for p in products if p.stock >= max(quantity, p.moq) + STOCK_LEFT]
    return fitting[turn % len(fitting)] if fitting else None


def _address(email: str, street: str) -> checkout.Address | None:
    user = accounts.find_user_by_email(email)
    profile = user.buyer_profile if user else None
    if profile is None or profile.state is None:
        return None
    return checkout.Address(user.full_name, profile.phone, street, None, profile.city, profile.postcode, profile.state)


def _utc(day: date, hour: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(hour), zone).astimezone(timezone.utc).replace(tzinfo=None)


def seed_history(today: date | None = None) -> int:
    """Place the history orders not yet placed; how many were placed."""
    officer = accounts.find_user_by_email("officer@serumpun.example")
    if officer is None:
        return 0
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    today = today or utcnow().replace(tzinfo=timezone.utc).astimezone(zone).date()
    streets = dict(BUYERS)
    placed = 0
    for turn, (key, day, email, merchants, quantity) in enumerate(plan(today)):
        buyer, address = accounts.find_user_by_email(email), _address(email, streets[email])
        if buyer is None or address is None or checkout.find_checkout(buyer, key) is not None:
            continue
        cart = carts.DatabaseCart(buyer)
        kept = cart.lines()
        cart.clear()
        for merchant in merchants:
            found = _product(merchant, quantity, turn)
            if found is not None:
                carts.add_to_cart(cart, found[0].id, found[1])
        if cart.lines():
            now = utcnow()
            order = checkout.place_order(buyer, cart, address, key, "bank_transfer", rates_in_force(now.date()),
                                         "MYR", "en", now.date(), now, 60)
            _deliver(order, officer, key, day, today)
            _backdate(order, _utc(day, 10, zone), _utc(day, 15, zone), day)
            placed += 1
        for product_id, units in kept.items():
            cart.set_line(product_id, units)
    return placed


def _deliver(order: Order, officer, key: str, day: date, today: date) -> None:
    """Paid on its day; shipped two days on and delivered five days on, as far as today allows."""
    total = order.total_sen
    record_transfer(officer, order.number, f"{total // 100}.{total % 100:02d}", day, f"DEMO-{key.upper()}")
    if day + timedelta(days=SHIPPED_AFTER) > today:
        return  # paid in the last days: its merchants have it to pack
    for index, parcel in enumerate(order.parcels, start=1):
        owner = db.session.get(MerchantProfile, parcel.merchant_id).user
        lifecycle.pack(owner, parcel)
        tracking = f"EH{order.id:04d}{index:02d}1234MY"
        lifecycle.ship(owner, parcel, "Pos Laju", tracking, day + timedelta(days=SHIPPED_AFTER),
                       f"https://tracking.pos.com.my/tracking/{tracking}")
        if day + timedelta(days=DELIVERED_AFTER) <= today:
            lifecycle.mark_delivered(owner, parcel)


def _backdate(order: Order, placed_at: datetime, paid_at: datetime, day: date) -> None:
    """Move the order's dates back to the day it stands for, everywhere the order's pages and figures read them."""
    parcel_ids = [parcel.id for parcel in order.parcels]
    payment_ids = list(db.session.scalars(select(Payment.id).where(Payment.order_id == order.id)))
    order.created_at, order.updated_at, order.paid_at = placed_at, paid_at, paid_at
    order.hold_expires_at = placed_at + timedelta(hours=1)
    for parcel in order.parcels:
        parcel.created_at, parcel.updated_at = placed_at, paid_at
    db.session.execute(update(Payment).where(Payment.id.in_(payment_ids))
                       .values(created_at=paid_at, updated_at=paid_at).execution_options(synchronize_session=False))
    moves = [("order", [order.id], placed_at, paid_at), ("payment", payment_ids, paid_at, paid_at),
             ("parcel", parcel_ids, placed_at, paid_at)]
    for subject, ids, first, then in moves:
        changes = db.session.scalars(select(StatusChange).where(StatusChange.subject == subject,
                                                                StatusChange.subject_id.in_(ids or [0]))
                                     .order_by(StatusChange.id)).all()
        for change in changes:
            # Placed, then paid; a parcel is packed the next day, shipped two days on, delivered five days on.
            step = {"pending_payment": first, "paid": then, "packed": then + timedelta(days=1),
                    "shipped": then + timedelta(days=SHIPPED_AFTER), "delivered": then + timedelta(days=DELIVERED_AFTER)}
            change.at = step.get(change.to_status, then)
    db.session.execute(update(LedgerEntry).where(LedgerEntry.merchant_order_id.in_(parcel_ids))
                       .values(entry_date=day, created_at=paid_at).execution_options(synchronize_session=False))
    db.session.flush()
