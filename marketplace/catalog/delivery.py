"""A product's delivered price: the catalog's product, shipped and taxed by the shipping engine."""
from __future__ import annotations

from datetime import date

from ..accounts.models import User
from ..money import Rate
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
