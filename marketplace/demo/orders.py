"""Demo orders: the demo buyer's orders in each state a newcomer should see on a fresh `make run`.

One waits for a bank transfer, one is paid (its merchant has it to pack), one is shipped with a
tracking number, one is delivered. Each is placed, paid, packed and shipped through the same
services the pages use, so every page, the ledger and the audit trail show them as they would be.
Idempotent: an order is placed once per demo checkout key.
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from ..accounts import services as accounts
from ..accounts.models import MerchantProfile
from ..catalog.models import Product, ProductStatus
from ..core.models import utcnow
from ..extensions import db
from ..orders import cart as carts
from ..orders import checkout, lifecycle
from ..orders.models import Order
from ..payments.services import record_transfer
from ..rates.services import rates_in_force

BUYER = "buyer@serumpun.example"
ADDRESS = checkout.Address("Nur Aisyah binti Hamzah", "+60379561234", "Kedai Serumpun PJ, 18 Jalan SS2/24", None,
                           "Petaling Jaya", "47300", "MY-10")
# (checkout key, [(merchant, units)], how far it went)
ORDERS = [
    ("demo-order-delivered", [("sambal", 12)], "delivered"),
    ("demo-order-shipped", [("merchant", 12), ("keripik", 20)], "shipped"),
    ("demo-order-paid", [("merchant", 24)], "paid"),
    ("demo-order-pending", [("keripik", 10), ("batik", 2)], "pending"),
]
DEMO_HOLD_MINUTES = 7 * 24 * 60  # the demo's unpaid order stays visible for a week of trying the site


def _product(merchant: str, quantity: int, skip: set[int]) -> Product | None:
    user = accounts.find_user_by_email(f"{merchant}@serumpun.example")
    if user is None or user.merchant_profile is None:
        return None
    return db.session.scalar(select(Product).where(
        Product.merchant_id == user.merchant_profile.id, Product.status == ProductStatus.PUBLISHED,
        Product.moq <= quantity, Product.stock >= quantity + 20, Product.id.not_in(skip or {0}))
        .order_by(Product.id).limit(1))


def seed_orders() -> int:
    """Place the demo orders not yet placed; how many were placed."""
    buyer = accounts.find_user_by_email(BUYER)
    officer = accounts.find_user_by_email("officer@serumpun.example")
    if buyer is None or officer is None:
        return 0
    placed = 0
    used: set[int] = set()
    for key, lines, reached in ORDERS:
        if checkout.find_checkout(buyer, key) is not None:
            continue
        cart = carts.DatabaseCart(buyer)
        kept = cart.lines()
        cart.clear()
        for merchant, quantity in lines:
            product = _product(merchant, quantity, used)
            if product is not None:
                used.add(product.id)
                carts.add_to_cart(cart, product.id, quantity)
        if not cart.lines():
            continue
        now = utcnow()
        order = checkout.place_order(buyer, cart, ADDRESS, key, "bank_transfer", rates_in_force(now.date()), "MYR",
                                     "en", now.date(), now, DEMO_HOLD_MINUTES)
        for product_id, quantity in kept.items():
            cart.set_line(product_id, quantity)
        placed += 1
        if reached != "pending":
            _advance(order, reached, officer, key)
    return placed


def _advance(order: Order, reached: str, officer, key: str) -> None:
    total = order.total_sen
    record_transfer(officer, order.number, f"{total // 100}.{total % 100:02d}", utcnow().date(),
                    f"DEMO-{key.upper()}")
    if reached == "paid":
        return
    shipped_on = utcnow().date() - timedelta(days=3 if reached == "delivered" else 1)
    for index, parcel in enumerate(order.parcels, start=1):
        owner = db.session.get(MerchantProfile, parcel.merchant_id).user
        lifecycle.pack(owner, parcel)
        tracking = f"EE{order.id:04d}{index:02d}5678MY"
        lifecycle.ship(owner, parcel, "Pos Laju", tracking, shipped_on,
                       f"https://tracking.pos.com.my/tracking/{tracking}")
        if reached == "delivered":
            lifecycle.mark_delivered(owner, parcel)
