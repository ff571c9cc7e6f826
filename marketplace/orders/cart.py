"""The cart: lines a buyer means to buy, checked against the catalog, priced as parcels per merchant.

Two stores with one shape: a guest's cart lives in the session (SessionCart over a plain
dict the view keeps), a signed-in buyer's in the database (DatabaseCart); merge_carts joins
the first into the second at sign-in. Services take the store as an argument and never read
the request. A quantity is never changed silently: a bad one is refused with a message that
says what is allowed.
"""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..accounts.models import MerchantProfile, User
from ..catalog.models import Product
from ..catalog.queries import is_visible
from ..core.errors import DomainError
from ..core.places import MALAYSIAN_STATES
from ..customs.services import rules_in_force
from ..extensions import db
from ..money import Money, Rate, ShownAmount, convert, from_idr
from ..shipping import quote
from ..shipping.couriers import quote_services
from .models import CartCourier, CartLine
from .quotes import AgreedFreight, MerchantParcel, price_parcel

MAX_DIGITS = 7  # a quantity has at most seven digits: far above any stock, far below an integer overflow


class CartRefused(DomainError):
    """The cart cannot take this change; the message says what is allowed. Nothing was changed."""


def _allowed(product: Product) -> str:
    return str(_l("Enter a whole number from %(moq)d to %(stock)d.", moq=product.moq, stock=product.stock))


def check_quantity(product: Product, raw: str | int) -> int:
    """The quantity as typed, if the product can be bought in it; otherwise a refusal saying what is allowed."""
    if product.stock < product.moq:
        raise CartRefused(_l("This product is out of stock."), field="quantity")
    quantity = _digits(product, raw)
    if quantity < product.moq:
        raise CartRefused(_l("This product is sold from %(moq)d units. %(allowed)s", moq=product.moq,
                             allowed=_allowed(product)), field="quantity")
    if quantity > product.stock:
        raise CartRefused(_l("Only %(stock)d are in stock. %(allowed)s", stock=product.stock,
                             allowed=_allowed(product)), field="quantity")
    return quantity


class SessionCart:
    """A guest's cart in a plain dict (the view keeps it in the session): {"lines": {...}, "couriers": {...}}."""

    def __init__(self, data: dict):
        self.data = data
        data.setdefault("lines", {})
        data.setdefault("couriers", {})

    def lines(self) -> dict[int, int]:
        return {int(k): int(v) for k, v in self.data["lines"].items()}

    def set_line(self, product_id: int, quantity: int) -> None:
        self.data["lines"] = {**self.data["lines"], str(product_id): quantity}

    def remove_line(self, product_id: int) -> None:
        self.data["lines"] = {k: v for k, v in self.data["lines"].items() if k != str(product_id)}

    def couriers(self) -> dict[int, str]:
        return {int(k): v for k, v in self.data["couriers"].items()}

    def choose_courier(self, merchant_id: int, code: str) -> None:
        self.data["couriers"] = {**self.data["couriers"], str(merchant_id): code}

    def clear(self) -> None:
        self.data["lines"], self.data["couriers"] = {}, {}

    def agreed_prices(self) -> dict[int, AgreedPrice]:
        return {}  # a cart's lines are at the list's tier prices

    def agreed_freight(self) -> dict[int, AgreedFreight]:
        return {}  # a cart's parcels go by courier


class DatabaseCart:
    """A signed-in buyer's cart in its tables; changes are flushed, the request's unit of work commits them."""

    def __init__(self, buyer: User):
        self.buyer = buyer

    def lines(self) -> dict[int, int]:
        rows = db.session.execute(select(CartLine.product_id, CartLine.quantity)
                                  .where(CartLine.buyer_id == self.buyer.id).order_by(CartLine.id)).all()
        return {product_id: quantity for product_id, quantity in rows}

    def set_line(self, product_id: int, quantity: int) -> None:
        line = db.session.scalar(select(CartLine).where(CartLine.buyer_id == self.buyer.id,
                                                        CartLine.product_id == product_id))
        if line is None:
            db.session.add(CartLine(buyer_id=self.buyer.id, product_id=product_id, quantity=quantity))
        else:
            line.quantity = quantity
        db.session.flush()

    def remove_line(self, product_id: int) -> None:
        db.session.execute(delete(CartLine).where(CartLine.buyer_id == self.buyer.id,
                                                  CartLine.product_id == product_id))

    def couriers(self) -> dict[int, str]:
        rows = db.session.execute(select(CartCourier.merchant_id, CartCourier.service_code)
                                  .where(CartCourier.buyer_id == self.buyer.id)).all()
        return dict(rows)

    def choose_courier(self, merchant_id: int, code: str) -> None:
        choice = db.session.scalar(select(CartCourier).where(CartCourier.buyer_id == self.buyer.id,
                                                             CartCourier.merchant_id == merchant_id))
        if choice is None:
            db.session.add(CartCourier(buyer_id=self.buyer.id, merchant_id=merchant_id, service_code=code))
        else:
            choice.service_code = code
        db.session.flush()

    def clear(self) -> None:
        db.session.execute(delete(CartLine).where(CartLine.buyer_id == self.buyer.id))
        db.session.execute(delete(CartCourier).where(CartCourier.buyer_id == self.buyer.id))

    def agreed_prices(self) -> dict[int, AgreedPrice]:
        return {}  # a cart's lines are at the list's tier prices

    def agreed_freight(self) -> dict[int, AgreedFreight]:
        return {}  # a cart's parcels go by courier


@dataclass(frozen=True)
class AgreedPrice:
    """A unit price agreed for one product in a merchant's quote, and that quote's id (kept on the order line)."""

    unit_price_idr: int
    quote_id: int


class AgreedCart:
    """A deal agreed outside the cart (a quote the buyer accepted) as checkout reads it: fixed lines at fixed prices.

    Kept nowhere: built for the checkout of the deal. Its quantities cannot change, and its prices are the
    agreed ones whatever the list price or the tiers say now; stock is still taken at checkout.
    """

    def __init__(self, lines: dict[int, int], prices: dict[int, AgreedPrice],
                 freight: dict[int, AgreedFreight] | None = None):
        self._lines, self._prices, self._couriers = dict(lines), dict(prices), {}
        self._freight = dict(freight or {})  # by merchant id: the merchant's own freight instead of a courier

    def lines(self) -> dict[int, int]:
        return dict(self._lines)

    def agreed_prices(self) -> dict[int, AgreedPrice]:
        return dict(self._prices)

    def agreed_freight(self) -> dict[int, AgreedFreight]:
        return dict(self._freight)

    def set_line(self, product_id: int, quantity: int) -> None:
        raise CartRefused(_l("The quantity of a quote is fixed. Ask the merchant for a new quote."))

    remove_line = set_line

    def couriers(self) -> dict[int, str]:
        return dict(self._couriers)

    def choose_courier(self, merchant_id: int, code: str) -> None:
        self._couriers[merchant_id] = code

    def clear(self) -> None:
        pass  # nothing is kept: the quote records the order placed


Cart = SessionCart | DatabaseCart | AgreedCart


def _buyable(product_id: int) -> Product:
    product = db.session.scalar(select(Product).where(Product.id == product_id).options(
        selectinload(Product.tiers), selectinload(Product.merchant).selectinload(MerchantProfile.user)))
    if product is None or not is_visible(product):
        raise CartRefused(_l("This product is not for sale."))
    return product


def add_to_cart(cart: Cart, product_id: int, raw_quantity: str | int) -> int:
    """Add units of a product buyers may see; the line's whole quantity must be allowed. Returns it."""
    product = _buyable(product_id)
    already = cart.lines().get(product_id)
    quantity = check_quantity(product, raw_quantity) if already is None \
        else check_quantity(product, already + _digits(product, raw_quantity, least=1))
    cart.set_line(product_id, quantity)
    return quantity


def _digits(product: Product, raw: str | int, least: int = 0) -> int:
    """A quantity typed in digits (at least `least`); "lima puluh", -1, 1.5 or 2**63 are refused."""
    text = raw.strip() if isinstance(raw, str) else str(raw)
    if not (text.isascii() and text.isdigit()) or len(text) > MAX_DIGITS or int(text) < least:
        raise CartRefused(_l("Enter the quantity in digits. %(allowed)s", allowed=_allowed(product)), field="quantity")
    return int(text)


def set_quantity(cart: Cart, product_id: int, raw_quantity: str | int) -> int:
    """Change a line to a new allowed quantity."""
    if product_id not in cart.lines():
        raise CartRefused(_l("This product is not in your cart."))
    quantity = check_quantity(_buyable(product_id), raw_quantity)
    cart.set_line(product_id, quantity)
    return quantity


def remove_from_cart(cart: Cart, product_id: int) -> None:
    """Take a line out of the cart (nothing happens if it is not there)."""
    cart.remove_line(product_id)


def merge_carts(guest: SessionCart, cart: DatabaseCart) -> list[Product]:
    """At sign-in: the guest's lines join the buyer's. A sum the product cannot take keeps the larger
    allowed quantity, and the product is returned, so that the page can tell the buyer."""
    notices = []
    mine = cart.lines()
    for product_id, quantity in guest.lines().items():
        product = db.session.get(Product, product_id)
        if product is None or not is_visible(product):
            continue
        wanted = mine.get(product_id, 0) + quantity
        try:
            cart.set_line(product_id, check_quantity(product, wanted))
        except CartRefused:
            fallback = max(mine.get(product_id, 0), quantity)
            if product.moq <= fallback <= product.stock:
                cart.set_line(product_id, fallback)
            notices.append(product)
    for merchant_id, code in guest.couriers().items():
        cart.choose_courier(merchant_id, code)
    guest.clear()
    return notices


def _groups(lines: dict[int, int]) -> tuple[dict[int, list[tuple[Product, int]]], list[tuple[int, int]]]:
    """The lines buyers may still buy, by merchant (the cart's order kept), and those no longer for sale."""
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(list(lines))).options(
            selectinload(Product.tiers), selectinload(Product.merchant).selectinload(MerchantProfile.user)))}
    groups: dict[int, list[tuple[Product, int]]] = {}
    gone = []
    for product_id, quantity in lines.items():
        product = products.get(product_id)
        if product is None or not is_visible(product):
            gone.append((product_id, quantity))
        else:
            groups.setdefault(product.merchant_id, []).append((product, quantity))
    return groups, gone


def choose_courier(cart: Cart, merchant_id: int, code: str, state: str) -> None:
    """Ship one merchant's parcel with a service that can carry it to the state."""
    group = _groups(cart.lines())[0].get(merchant_id)
    if group is None:
        raise CartRefused(_l("There is no parcel from this merchant in your cart."))
    items = [quote.Item(p.packed_weight_g, p.box_length_mm, p.box_width_mm, p.box_height_mm, q, p.id)
             for p, q in group]
    options = quote.quote(items, quote_services(), MALAYSIAN_STATES[state].zone).options
    if code not in {o.service.code for o in options}:
        raise CartRefused(_l("That courier cannot carry this parcel to %(state)s.",
                             state=MALAYSIAN_STATES[state].name))
    cart.choose_courier(merchant_id, code)


@dataclass(frozen=True)
class CartLineView:
    product: Product
    quantity: int
    unit_price_idr: int  # at the wholesale tier the quantity reaches, or as agreed in a quote
    unit_price_sen: int  # the same, converted once, as every price is
    quote_id: int | None = None  # the quote whose price this is; None: the list's

    @property
    def total_sen(self) -> int:
        return self.unit_price_sen * self.quantity

    @property
    def total_idr(self) -> int:
        return self.unit_price_idr * self.quantity


@dataclass(frozen=True)
class CartParcel:
    merchant: MerchantProfile
    lines: tuple[CartLineView, ...]
    priced: MerchantParcel  # every service that can carry it, the chosen one, its landed cost

    @property
    def units(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass(frozen=True)
class CartView:
    state: str
    parcels: tuple[CartParcel, ...]
    unavailable: tuple[tuple[int, int], ...]  # (product id, quantity) of lines no longer for sale
    priced: bool  # False while no ringgit rate or no customs rules are in force

    @property
    def count(self) -> int:
        return sum(parcel.units for parcel in self.parcels)

    @property
    def goods_idr(self) -> int:
        return sum(line.total_idr for parcel in self.parcels for line in parcel.lines)

    @property
    def total_sen(self) -> int | None:
        """Goods, shipping and taxes of every parcel in ringgit; None while a parcel cannot be shipped."""
        if not self.priced or any(p.priced.landed is None for p in self.parcels):
            return None
        return sum(p.priced.landed.total_sen for p in self.parcels)

    @property
    def delivered_per_unit_sen(self) -> int | None:
        """What one unit costs at the door, on average over the cart: the total over the units, half up."""
        total = self.total_sen
        if total is None or not self.count:
            return None
        return (2 * total + self.count) // (2 * self.count)

    def shown_in(self, currency: str, rates: Mapping[str, Rate]) -> CartTotals | None:
        """The totals in the buyer's currency with the rupiah beside them; None while nothing can be priced.

        Landed cost is worked out in ringgit sen; each amount goes MYR -> rupiah -> the buyer's currency
        in one calculation, rounded once. Without a rate for that currency, ringgit are shown.
        """
        if not self.priced or not self.parcels or "MYR" not in rates:
            return None
        if currency != "IDR" and currency not in rates:
            currency = "MYR"
        used = tuple(rates[code] for code in dict.fromkeys(("MYR", currency)) if code in rates)

        def shown(sen: int | None, units: int = 1) -> ShownAmount | None:
            if sen is None:
                return None
            myr = Money(sen, "MYR")
            return ShownAmount(*(convert(myr, code, rates, divide_by=units) for code in (currency, "IDR", "MYR")))

        total = self.total_sen
        return CartTotals(currency, used, shown(total), shown(total, self.count) if self.count else None,
                          tuple(shown(p.priced.landed.total_sen if p.priced.landed else None) for p in self.parcels))


@dataclass(frozen=True)
class CartTotals:
    currency: str  # the buyer's, or MYR while no rate for it is in force
    rates: tuple[Rate, ...]  # the rates used (MYR, and the buyer's currency's), to show with their dates
    total: ShownAmount | None  # None while a parcel cannot be shipped
    per_unit: ShownAmount | None  # the total over the units, rounded once
    parcels: tuple[ShownAmount | None, ...]  # each parcel's landed total, in the order of CartView.parcels


def view_cart(cart: Cart, state: str, rate: Rate | None, today: date) -> CartView:
    """The cart as parcels per merchant, each with its chosen courier and landed cost in ringgit."""
    groups, gone = _groups(cart.lines())
    rules = rules_in_force(today)
    priced = rate is not None and rate.currency == "MYR" and rules is not None
    services, zone = quote_services(), MALAYSIAN_STATES[state].zone
    choices = cart.couriers()
    agreed, freight = cart.agreed_prices(), cart.agreed_freight()
    parcels = []
    for merchant_id, group in groups.items():
        unit_idr = {p.id: agreed[p.id].unit_price_idr if p.id in agreed else p.unit_price_for(q) for p, q in group}
        lines = tuple(CartLineView(p, q, unit_idr[p.id], from_idr(unit_idr[p.id], rate).amount if priced else 0,
                                   agreed[p.id].quote_id if p.id in agreed else None) for p, q in group)
        shippable = all(p.packed_weight_g and p.box_length_mm is not None and p.hs_code for p, _ in group)
        parcel = price_parcel(group, services, zone, rate, rules, choices.get(merchant_id), unit_idr,
                              freight.get(merchant_id)) \
            if priced and shippable else MerchantParcel(group[0][0].merchant, 0, quote.Quote(), None)
        parcels.append(CartParcel(group[0][0].merchant, lines, parcel))
    return CartView(state, tuple(parcels), tuple(gone), priced)


def cart_count(cart: Cart) -> int:
    """How many units are in the cart, for the header."""
    return sum(cart.lines().values())
