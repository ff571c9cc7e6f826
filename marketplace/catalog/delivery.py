"""A product's delivered price: the catalog's product, shipped and taxed by the shipping engine."""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from ..accounts.models import User
from ..money import Money, Rate, convert
from ..shipping import delivered
from .models import Product
from .queries import is_visible, may_preview


def goods_of(product: Product, quantity: int) -> delivered.Goods:
    """The product as the delivered price reads it, at the wholesale tier the quantity reaches."""
    return delivered.Goods(product.id, product.packed_weight_g,
                           (product.box_length_mm, product.box_width_mm, product.box_height_mm), product.hs_code,
                           product.unit_price_for(quantity), product.made_to_order_days)


def delivered_price(product: Product, quantity: int, state: str, rate: Rate | None, today: date,
                    viewer: User | None = None) -> delivered.DeliveredPrice | None:
    """The delivered price of a product buyers may see (or its merchant previews); None otherwise."""
    if not (is_visible(product) or may_preview(product, viewer)):
        return None
    return delivered.delivered_price(goods_of(product, quantity), quantity, state, rate, today)


@dataclass(frozen=True)
class CardPrice:
    """What a product card says: delivered to this state from this much a unit, at the minimum order."""

    state: str
    per_unit: Money  # the cheapest way's landed total over the minimum order, in the reader's currency
    moq: int


def card_prices(products: Iterable[Product], state: str, rates: Mapping[str, Rate], currency: str,
                today: date) -> dict[int, CardPrice]:
    """The delivered price of each card of a page, by product id, without a query per card.

    The products are a listing's, which only_visible chose. What a quote needs of each is in its own row:
    at the minimum order the unit price is the list price (wholesale tiers start above it, see
    services.check_product), so neither tiers nor merchants are read. The rate, customs rules and couriers
    are loaded once for the page. Cards whose product cannot be quoted (no rate, a rule missing, no courier
    can carry it) are left out: the card then shows its price alone.
    """
    pricing = delivered.pricing_for(rates.get("MYR"), today)
    if pricing is None:
        return {}
    if currency != "IDR" and currency not in rates:
        currency = "MYR"
    prices = {}
    for product in products:
        goods = delivered.Goods(product.id, product.packed_weight_g,
                                (product.box_length_mm, product.box_width_mm, product.box_height_mm),
                                product.hs_code, product.price_idr, product.made_to_order_days)
        best = delivered.cheapest(goods, product.moq, state, pricing)
        if best is not None:
            prices[product.id] = CardPrice(state, convert(best.total, currency, rates, divide_by=product.moq),
                                           product.moq)
    return prices
