"""Quotes for a basket: one parcel per merchant, each with its services, landed cost and customs papers."""
from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..accounts.models import MerchantProfile
from ..catalog.hs import customs_description
from ..catalog.models import Product
from ..catalog.queries import is_visible
from ..core.errors import DomainError
from ..core.places import MALAYSIAN_STATES
from ..customs import declaration, landed
from ..customs.services import rules_in_force
from ..extensions import db
from ..money import Rate, from_idr
from ..shipping import quote
from ..shipping.couriers import quote_services
from ..shipping.delivered import shipping_myr


@dataclass(frozen=True)
class MerchantParcel:
    merchant: object  # MerchantProfile
    actual_g: int
    quote: quote.Quote
    landed: landed.Breakdown | None  # with the chosen service
    declarations: tuple[tuple[int, declaration.Declaration], ...] = ()  # (boxes, CN22 / CN23) with the chosen
    chosen: quote.Option | None = None  # the cheapest, unless the buyer chose another that can carry it


@dataclass(frozen=True)
class OrderQuote:
    state: str
    parcels: tuple[MerchantParcel, ...]


@dataclass(frozen=True)
class AgreedFreight:
    """Shipping a merchant agreed in a quote instead of a courier's price: its own freight for the whole order."""

    price_idr: int
    days: int  # on the way, as the merchant said
    name: str


def agreed_option(items: list[quote.Item], freight: AgreedFreight) -> quote.Option:
    """The merchant's freight as the one way the goods go: one consignment, at the agreed price."""
    consignment = quote.parcel_of(items)
    service = quote.Service(code="agreed-freight", name=freight.name, level="freight", divisor=6000, step_g=1,
                            max_weight_g=consignment.weight_g, max_longest_mm=consignment.box.longest_mm,
                            max_sum_mm=consignment.box.sum_mm, transit_min=freight.days, transit_max=freight.days,
                            rates={})
    return quote.Option(service, (consignment,), (consignment.weight_g,), (freight.price_idr,))


class QuoteRefused(DomainError):
    """The request cannot be quoted; the message says why (for a 400)."""


def state_code(value: str) -> str | None:
    """"Selangor", "selangor", "MY-10" or "Pulau Pinang": the ISO code, or None."""
    wanted = (value or "").strip().lower()
    for code, state in MALAYSIAN_STATES.items():
        if wanted == code.lower():
            return code
        for language in ("en", "ms", "id"):
            with force_locale(language):
                if wanted == str(state.name).lower():
                    return code
    return None


def quote_order(lines: list[tuple[int, int]], state: str, rate: Rate | None, today: date) -> OrderQuote:
    """Parcels per merchant (they ship separately), each with its services and, at the cheapest, its landed cost."""
    if rate is None or rate.currency != "MYR":
        raise QuoteRefused(_l("No ringgit exchange rate is in force."))
    rules = rules_in_force(today)
    if rules is None:
        raise QuoteRefused(_l("No customs rules are in force."))
    # The same product on two lines is one line: its tier and MOQ go by the whole quantity.
    wanted: dict[int, int] = {}
    for product_id, quantity in lines:
        wanted[product_id] = wanted.get(product_id, 0) + quantity
    products = {p.id: p for p in db.session.scalars(
        select(Product).where(Product.id.in_(list(wanted))).options(
            selectinload(Product.tiers), selectinload(Product.merchant).selectinload(MerchantProfile.user)))}
    groups: dict[int, list[tuple[Product, int]]] = {}
    for product_id, quantity in wanted.items():
        product = products.get(product_id)
        if product is None or not is_visible(product):
            raise QuoteRefused(_l("Product %(id)s is not for sale.", id=product_id))
        if product.packed_weight_g is None or product.box_length_mm is None or not product.hs_code:
            raise QuoteRefused(_l("Product %(id)s has no packed weight, box or HS code yet.", id=product_id))
        if quantity < product.moq:
            raise QuoteRefused(_l("Product %(id)s is sold from %(moq)s units.", id=product_id, moq=product.moq))
        groups.setdefault(product.merchant_id, []).append((product, quantity))
    services, zone = quote_services(), MALAYSIAN_STATES[state].zone
    return OrderQuote(state, tuple(price_parcel(group, services, zone, rate, rules) for group in groups.values()))


def price_parcel(group: list[tuple[Product, int]], services: list[quote.Service], zone: str, rate: Rate,
                 rules: landed.Rules, service_code: str | None = None,
                 agreed_idr: Mapping[int, int] | None = None, freight: AgreedFreight | None = None) -> MerchantParcel:
    """One merchant's lines as a parcel: every service that can carry it, and the landed cost and customs
    papers with the chosen service (the cheapest unless another that can carry it is asked for).

    agreed_idr: unit prices agreed in a quote, by product id, used instead of the tier price.
    freight: the merchant's own freight agreed in a quote, used instead of the couriers.
    """
    items = [quote.Item(p.packed_weight_g, p.box_length_mm, p.box_width_mm, p.box_height_mm, q, p.id)
             for p, q in group]
    result = quote.Quote(options=[agreed_option(items, freight)]) if freight else quote.quote(items, services, zone)
    chosen = next((o for o in result.options if o.service.code == service_code), None) or result.cheapest
    breakdown, declarations = None, ()
    agreed_idr = agreed_idr or {}
    unit_sen = {p.id: from_idr(agreed_idr.get(p.id) or p.unit_price_for(q), rate).amount for p, q in group}
    if chosen is not None:
        shipping = shipping_myr(chosen, rate).amount
        breakdown = landed.landed_cost([landed.Line(p.hs_code, unit_sen[p.id], q) for p, q in group],
                                       shipping, rules)
        declarations = box_declarations(chosen, {p.id: p for p, _ in group}, unit_sen, rate, rules)
    return MerchantParcel(group[0][0].merchant, sum(i.weight_g * i.quantity for i in items), result,
                          breakdown, declarations, chosen)


def box_declarations(option: quote.Option, products: dict[int, Product], unit_sen: dict[int, int], rate: Rate,
                     rules: landed.Rules) -> tuple[tuple[int, declaration.Declaration], ...]:
    """The customs declaration of each kind of box the service carries, with how many such boxes go.

    A large order is many identical full boxes and a last one: each kind is declared once, with
    its own postage converted as the shipping line is, so boxes x postage adds up to the shipping.
    """
    kinds: dict[tuple, list] = {}
    for box, price in zip(option.parcels, option.box_prices_idr, strict=True):
        kinds.setdefault((box.items, price), [box, price, 0])[2] += 1
    result = []
    for box, price, count in kinds.values():
        goods = [declaration.Good(
            description=customs_description(products[i.product_id].name_en, products[i.product_id].name_id,
                                            products[i.product_id].hs_code),
            hs_code=products[i.product_id].hs_code, quantity=i.quantity, unit_weight_g=i.weight_g,
            unit_price_sen=unit_sen[i.product_id]) for i in box.items]
        result.append((count, declaration.declare(goods, from_idr(price, rate).amount, rules)))
    return tuple(result)
