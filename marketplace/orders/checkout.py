"""Checkout: a buyer's cart becomes one order with a parcel per merchant, its stock taken and held.

Everything the order needs later is copied now (names, prices, rates, tax lines with their rules,
the courier and the customs papers of each box): a placed order never reads live prices again.
Stock is taken with one conditional UPDATE per product, so two buyers racing for the last units
cannot both get them, on SQLite or PostgreSQL; the CHECK (stock >= 0) on products is the last guard.
The same checkout sent twice (a double click, a retry) finds the order the first one made.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..accounts.models import User
from ..core.errors import DomainError
from ..core.jobs import enqueue, jobs_of
from ..core.places import MALAYSIAN_STATES, postcode_fits
from ..core.signals import announce_after_commit, catalog_changed
from ..customs.declaration import Declaration
from ..customs.landed import Breakdown
from ..extensions import db
from ..money import Rate, from_idr
from ..shipping import couriers
from .cart import AgreedCart, DatabaseCart, view_cart
from .lifecycle import ORDER_MAIL_JOB, OutOfStock, record_move, take_stock
from .models import MerchantOrder, Order, OrderLine, OrderStatus

NUMBER_ALPHABET = "23456789ABCDEFGHJKMNPQRSTVWXYZ"  # no 0/O, 1/I/L or U: read aloud and typed in a bank app
NUMBER_LENGTH = 8
EXPIRE_JOB = "orders.expire"
PAYMENT_METHODS = ("bank_transfer", "stripe")


class CheckoutRefused(DomainError):
    """The cart cannot be checked out as it is; the message says what to change. Nothing was taken."""


@dataclass(frozen=True)
class Address:
    name: str
    phone: str  # E.164, checked by the form
    line1: str
    line2: str | None
    city: str
    postcode: str
    state: str  # ISO 3166-2:MY


def check_address(address: Address) -> None:
    """A Malaysian delivery address the couriers can use: a known state and a postcode of that state."""
    if address.state not in MALAYSIAN_STATES:
        raise CheckoutRefused(_l("Choose a Malaysian state."), field="state")
    if not postcode_fits(address.postcode, address.state):
        raise CheckoutRefused(_l("Postcode %(postcode)s is not in %(state)s. Check the postcode or the state.",
                                 postcode=address.postcode, state=MALAYSIAN_STATES[address.state].name),
                              field="postcode")


def new_number() -> str:
    """An order number that is also the bank transfer's reference: SR and eight letters and digits."""
    return "SR" + "".join(secrets.choice(NUMBER_ALPHABET) for _ in range(NUMBER_LENGTH))


def find_checkout(buyer: User, checkout_key: str) -> Order | None:
    return db.session.scalar(select(Order).where(Order.buyer_id == buyer.id, Order.checkout_key == checkout_key))


def _landed_json(breakdown: Breakdown) -> dict:
    return {
        "entries": [{"key": e.key, "amount_sen": e.amount_sen, "note": e.note,
                     "rule": None if e.rule is None else {"key": e.rule.key, "effective_on": e.rule.effective_on
                                                          .isoformat(), "source": e.rule.source}}
                    for e in breakdown.entries],
        "de_minimis_applies": breakdown.de_minimis_applies,
        "de_minimis_sen": breakdown.de_minimis_sen,
        "lvg_registration_number": breakdown.lvg_registration_number,
    }


def _declaration_json(count: int, declaration: Declaration) -> dict:
    return {
        "boxes": count, "form": declaration.form, "postage_sen": declaration.postage_sen,
        "currency": declaration.currency, "category": declaration.category,
        "lvg_registration_number": declaration.lvg_registration_number,
        "certificate_of_origin": declaration.certificate_of_origin,
        "rule": {"key": declaration.rule.key, "effective_on": declaration.rule.effective_on.isoformat(),
                 "source": declaration.rule.source},
        "lines": [{"description": line.description, "hs_code": line.hs_code, "quantity": line.quantity,
                   "weight_g": line.weight_g, "value_sen": line.value_sen, "origin": line.origin,
                   "lvg_taxed": line.lvg_taxed} for line in declaration.lines],
    }


def place_order(buyer: User, cart: DatabaseCart | AgreedCart, address: Address, checkout_key: str, payment_method: str,
                rates: dict[str, Rate], display_currency: str, locale: str, today: date, now: datetime,
                hold_minutes: int) -> Order:
    """Turn the buyer's cart into an order: stock taken and held for hold_minutes, the cart emptied.

    An AgreedCart (a quote the buyer accepted) is ordered at its agreed prices, each line keeping its quote's id.

    Sent again with the same checkout_key, it returns the order already placed and changes nothing.
    """
    existing = find_checkout(buyer, checkout_key)
    if existing is not None:
        return existing
    if payment_method not in PAYMENT_METHODS:
        raise CheckoutRefused(_l("Choose how to pay."), field="payment_method")
    check_address(address)
    rate = rates.get("MYR")
    view = view_cart(cart, address.state, rate, today)
    if not view.parcels and not view.unavailable:
        raise CheckoutRefused(_l("Your cart is empty."))
    if view.unavailable:
        raise CheckoutRefused(_l("Some products in your cart are no longer for sale. Remove them first."))
    if not view.priced or rate is None:
        raise CheckoutRefused(_l("Prices cannot be worked out today (no ringgit rate or customs rules are in "
                                 "force). Please try again later."))
    for parcel in view.parcels:
        for line in parcel.lines:
            # The merchant raised the MOQ since it was added (a quote's quantity is the merchant's own word).
            if line.quote_id is None and line.quantity < line.product.moq:
                raise CheckoutRefused(_l("%(name)s is now sold from %(moq)d units. Change the quantity in your cart.",
                                         name=line.product.name_for(locale), moq=line.product.moq))
        if parcel.priced.chosen is None or parcel.priced.landed is None:
            raise CheckoutRefused(_l("No courier can carry the parcel from %(merchant)s to %(state)s.",
                                     merchant=parcel.merchant.business_name,
                                     state=MALAYSIAN_STATES[address.state].name))
    display = rates.get(display_currency) if display_currency not in ("MYR", "IDR") else None
    goods_sen = sum(p.priced.landed.amount("goods") for p in view.parcels)
    shipping_sen = sum(p.priced.landed.amount("shipping") for p in view.parcels)
    total_sen = sum(p.priced.landed.total_sen for p in view.parcels)

    order = Order(
        number=new_number(), buyer_id=buyer.id, checkout_key=checkout_key, status=OrderStatus.PENDING_PAYMENT,
        payment_method=payment_method, hold_expires_at=now + timedelta(minutes=hold_minutes), locale=locale,
        currency="MYR", goods_sen=goods_sen, shipping_sen=shipping_sen, tax_sen=total_sen - goods_sen - shipping_sen,
        total_sen=total_sen, goods_idr=view.goods_idr,
        myr_rate=rate.idr_per_unit, myr_rate_on=rate.effective_on,
        display_currency=display.currency if display else ("IDR" if display_currency == "IDR" else "MYR"),
        display_rate=display.idr_per_unit if display else None, display_rate_on=display.effective_on if display
        else None, ship_name=address.name, ship_phone=address.phone, ship_line1=address.line1,
        ship_line2=address.line2 or None, ship_city=address.city, ship_postcode=address.postcode,
        ship_state=address.state, ship_country="MY")
    # The order row first, in a savepoint: a checkout sent twice at the same moment meets the unique
    # (buyer, checkout key) here, before any stock is touched, and returns the order of the first.
    try:
        with db.session.begin_nested():
            db.session.add(order)
            db.session.flush()
    except IntegrityError:
        existing = find_checkout(buyer, checkout_key)
        if existing is None:
            raise
        return existing

    # Stock next, in product id order: checkouts that share products lock their rows in the same order,
    # so on PostgreSQL one waits for the other instead of the two deadlocking (cart order differs per buyer).
    for line in sorted((line for parcel in view.parcels for line in parcel.lines), key=lambda line: line.product.id):
        product = line.product
        if not take_stock(product.id, line.quantity):
            db.session.refresh(product, ["stock"])
            raise OutOfStock(_l("Only %(stock)d of %(name)s are left; you asked for %(quantity)d. Change the "
                                "quantity in your cart.", stock=product.stock, name=product.name_for(locale),
                                quantity=line.quantity))

    english = couriers.english_names({parcel.priced.chosen.service.code for parcel in view.parcels})
    for index, parcel in enumerate(view.parcels, start=1):
        landed, chosen = parcel.priced.landed, parcel.priced.chosen
        goods, shipping = landed.amount("goods"), landed.amount("shipping")
        merchant_order = MerchantOrder(
            order_id=order.id, number=f"{order.number}-{index}", merchant_id=parcel.merchant.id,
            merchant_name=parcel.merchant.business_name, service_code=chosen.service.code,
            service_name=english.get(chosen.service.code, chosen.service.name), transit_days=f"{chosen.service.transit_min}-{chosen.service.transit_max}",
            boxes=len(chosen.parcels), chargeable_g=sum(chosen.chargeable_g), shipping_idr=chosen.price_idr,
            goods_idr=sum(line.total_idr for line in parcel.lines), goods_sen=goods, shipping_sen=shipping,
            tax_sen=landed.total_sen - goods - shipping, total_sen=landed.total_sen, landed=_landed_json(landed),
            declarations=[_declaration_json(count, d) for count, d in parcel.priced.declarations],
            lvg_registration_number=landed.lvg_registration_number)
        order.parcels.append(merchant_order)
        for line in parcel.lines:
            product = line.product
            merchant_order.lines.append(OrderLine(
                product_id=product.id, name_id=product.name_id, name_en=product.name_en, hs_code=product.hs_code,
                quantity=line.quantity, unit_price_idr=line.unit_price_idr, unit_price_sen=line.unit_price_sen,
                display_unit_price=from_idr(line.unit_price_idr, display).amount if display else None,
                unit_weight_g=product.packed_weight_g, quote_id=line.quote_id))
            announce_after_commit(db.session, catalog_changed, "orders", product_id=product.id,
                                  merchant_id=parcel.merchant.id)
    db.session.flush()
    record_move("order", order.id, None, OrderStatus.PENDING_PAYMENT.value, buyer, {"payment_method": payment_method})
    for merchant_order in order.parcels:
        record_move("parcel", merchant_order.id, None, merchant_order.status.value, buyer)
    cart.clear()
    # The hold ends by itself: a job at its end (the `release-expired` command catches any it missed).
    jobs_of().enqueue_at(order.hold_expires_at, EXPIRE_JOB, order.id)
    enqueue(ORDER_MAIL_JOB, order.id, "placed")
    return order


def extend_hold(order: Order, until: datetime) -> None:
    """Hold an unpaid order's stock until a later time (a card payment page open that long), and end it then."""
    if order.status != OrderStatus.PENDING_PAYMENT or until <= order.hold_expires_at:
        return
    order.hold_expires_at = until
    # The job queued for the old end finds the hold still running and leaves the order alone.
    jobs_of().enqueue_at(until, EXPIRE_JOB, order.id)
