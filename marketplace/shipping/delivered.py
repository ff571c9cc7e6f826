"""The delivered price of one product to a Malaysian state: cheapest and fastest, tax included."""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from ..core.places import MALAYSIAN_STATES
from ..customs import landed
from ..customs.services import rules_in_force
from ..money import Money, Rate, from_idr
from . import quote
from .couriers import quote_services


def shipping_myr(option: quote.Option, rate: Rate) -> Money:
    """The option's price in ringgit: each box is its own line, converted and rounded once."""
    per_price = Counter(option.box_prices_idr)
    return Money(sum(count * from_idr(price, rate).amount for price, count in per_price.items()), "MYR")


@dataclass(frozen=True)
class Delivered:
    option: quote.Option
    shipping: Money
    breakdown: landed.Breakdown
    arrives_min: int  # days from the order: processing plus transit
    arrives_max: int

    @property
    def total(self) -> Money:
        return Money(self.breakdown.total_sen, "MYR")


@dataclass(frozen=True)
class DeliveredPrice:
    state: str
    cheapest: Delivered | None
    fastest: Delivered | None
    refusals: tuple[quote.Refusal, ...]


PROCESSING_READY_DAYS = (1, 2)


@dataclass(frozen=True)
class Goods:
    """What a delivered price needs to know of a product, at the quantity asked for."""

    product_id: int | None
    packed_weight_g: int | None
    box_mm: tuple[int | None, int | None, int | None]
    hs_code: str | None
    unit_price_idr: int  # at the quantity: the wholesale tier reached
    made_to_order_days: int | None = None


@dataclass(frozen=True)
class Pricing:
    """What every delivered price of a day needs besides the goods: the ringgit rate, the customs rules and
    the courier services. Loaded once (both are cached until an officer changes them) for a whole page of cards."""

    rate: Rate
    rules: landed.Rules
    services: list[quote.Service]


def pricing_for(rate: Rate | None, today: date) -> Pricing | None:
    """The pricing in force today; None without a ringgit rate or while a customs rule is missing."""
    if rate is None or rate.currency != "MYR":
        return None
    rules = rules_in_force(today)
    return Pricing(rate, rules, quote_services()) if rules is not None else None


def _can_quote(goods: Goods, state: str) -> bool:
    return state in MALAYSIAN_STATES and bool(goods.packed_weight_g) and goods.box_mm[0] is not None \
        and bool(goods.hs_code)


def _quote(goods: Goods, quantity: int, state: str, pricing: Pricing) -> quote.Quote:
    length, width, height = goods.box_mm
    item = quote.Item(goods.packed_weight_g, length, width, height, quantity, goods.product_id)
    return quote.quote([item], pricing.services, MALAYSIAN_STATES[state].zone)


def _delivered(goods: Goods, quantity: int, option: quote.Option | None, pricing: Pricing) -> Delivered | None:
    """One way of sending, taxed: goods at the unit price reached, shipping, and the customs rules."""
    if option is None:
        return None
    unit_sen = from_idr(goods.unit_price_idr, pricing.rate).amount
    making = (goods.made_to_order_days, goods.made_to_order_days) if goods.made_to_order_days \
        else PROCESSING_READY_DAYS
    shipping = shipping_myr(option, pricing.rate)
    breakdown = landed.landed_cost([landed.Line(goods.hs_code, unit_sen, quantity)], shipping.amount, pricing.rules)
    return Delivered(option, shipping, breakdown, making[0] + option.service.transit_min,
                     making[1] + option.service.transit_max)


def delivered_price(goods: Goods, quantity: int, state: str, rate: Rate | None, today: date) -> DeliveredPrice | None:
    """Cheapest and fastest ways to get these goods to the state, tax included; None if it cannot be estimated.

    Whether a buyer may see the product is the caller's question (catalog.delivery asks it).
    """
    if not _can_quote(goods, state):
        return None
    pricing = pricing_for(rate, today)
    if pricing is None:
        return None
    result = _quote(goods, quantity, state, pricing)
    return DeliveredPrice(state, _delivered(goods, quantity, result.cheapest, pricing),
                          _delivered(goods, quantity, result.fastest, pricing), tuple(result.refusals))


def cheapest(goods: Goods, quantity: int, state: str, pricing: Pricing) -> Delivered | None:
    """The cheapest way only, as a product card shows it: no database, the pricing given (see pricing_for)."""
    if not _can_quote(goods, state):
        return None
    return _delivered(goods, quantity, _quote(goods, quantity, state, pricing).cheapest, pricing)


DEFAULT_STATE = "MY-10"  # Selangor, where Petaling Jaya is


def delivery_state(asked: str | None, buyer_state: str | None) -> str:
    """The state a delivered price is for: the one asked for, else the buyer's own, else Selangor."""
    state = asked or buyer_state
    return state if state in MALAYSIAN_STATES else DEFAULT_STATE
