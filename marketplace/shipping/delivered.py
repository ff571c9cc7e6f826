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


def delivered_price(goods: Goods, quantity: int, state: str, rate: Rate | None, today: date) -> DeliveredPrice | None:
    """Cheapest and fastest ways to get these goods to the state, tax included; None if it cannot be estimated.

    Whether a buyer may see the product is the caller's question (catalog.delivery asks it).
    """
    length, width, height = goods.box_mm
    if rate is None or rate.currency != "MYR" or state not in MALAYSIAN_STATES or not goods.packed_weight_g \
            or length is None or not goods.hs_code:
        return None
    rules = rules_in_force(today)
    if rules is None:
        return None
    item = quote.Item(goods.packed_weight_g, length, width, height, quantity, goods.product_id)
    result = quote.quote([item], quote_services(), MALAYSIAN_STATES[state].zone)
    unit_sen = from_idr(goods.unit_price_idr, rate).amount
    making = (goods.made_to_order_days, goods.made_to_order_days) if goods.made_to_order_days \
        else PROCESSING_READY_DAYS

    def delivered(option: quote.Option | None) -> Delivered | None:
        if option is None:
            return None
        shipping = shipping_myr(option, rate)
        breakdown = landed.landed_cost([landed.Line(goods.hs_code, unit_sen, quantity)], shipping.amount, rules)
        return Delivered(option, shipping, breakdown, making[0] + option.service.transit_min,
                         making[1] + option.service.transit_max)

    return DeliveredPrice(state, delivered(result.cheapest), delivered(result.fastest), tuple(result.refusals))


DEFAULT_STATE = "MY-10"  # Selangor, where Petaling Jaya is


def delivery_state(asked: str | None, buyer_state: str | None) -> str:
    """The state a delivered price is for: the one asked for, else the buyer's own, else Selangor."""
    state = asked or buyer_state
    return state if state in MALAYSIAN_STATES else DEFAULT_STATE
