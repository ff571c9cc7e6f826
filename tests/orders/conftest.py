"""Shared makings for the buying tests: a small shop of two merchants, and orders placed through the services."""
from __future__ import annotations

import secrets
from datetime import datetime

import pytest

from marketplace.accounts import services as accounts
from marketplace.catalog import services as catalog
from marketplace.catalog.models import ProductStatus
from marketplace.core.models import utcnow
from marketplace.core.unit_of_work import unit_of_work
from marketplace.extensions import db
from marketplace.media.storage import storage
from marketplace.orders import cart as carts
from marketplace.orders import checkout
from marketplace.rates.services import rates_in_force

from ..images import png

BUYER = "buyer@serumpun.example"
ADDRESS = checkout.Address("Siti Aminah", "+60123456789", "12 Jalan SS2/24", None, "Petaling Jaya", "47300",
                           "MY-10")


def make(email: str, sku: str, publish: bool = True, **overrides) -> int:
    """A product through the catalog services (photographed, published unless asked otherwise); its id."""
    user = accounts.find_user_by_email(email)
    values = dict(sku=sku, name_id=f"Kopi {sku}", name_en=f"Coffee {sku}", category="coffee-tea", price_idr=85_000,
                  stock=120, moq=6, hs_code="090121", packed_weight_g=320, box_length_mm=180, box_width_mm=120,
                  box_height_mm=65, tiers=[catalog.Tier(24, 78_000)])
    values.update(overrides)
    product = catalog.create_product(user, catalog.ProductData(**values))
    catalog.add_photos(user, product.id, [("a.png", png(300, 200))], storage())
    if publish:
        catalog.change_status(user, product.id, ProductStatus.PUBLISHED)
    return product.id


@pytest.fixture()
def two_shops(app, demo):
    """Coffee (MOQ 6, tier at 24) and tea (5 in stock) from the coffee roaster, chips from the keripik maker."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        ids = {"coffee": make("merchant@serumpun.example", "C-1"),
               "tea": make("merchant@serumpun.example", "C-2", moq=1, stock=5),
               "keripik": make("keripik@serumpun.example", "K-1", moq=1, stock=40, price_idr=25_000, tiers=[],
                               name_id="Keripik Pedas", name_en="Spicy Cassava Chips", hs_code="200819",
                               category="snacks")}
        db.session.commit()
    return ids


def fill_cart(buyer_email: str, lines: dict[int, int]) -> carts.DatabaseCart:
    cart = carts.DatabaseCart(accounts.find_user_by_email(buyer_email))
    for product_id, quantity in lines.items():
        carts.add_to_cart(cart, product_id, quantity)
    return cart


def place(app, lines: dict[int, int], buyer_email: str = BUYER, method: str = "bank_transfer",
          key: str | None = None, address: checkout.Address = ADDRESS, now: datetime | None = None,
          display_currency: str = "MYR") -> str:
    """Fill the buyer's cart and check it out through the services, committed; the order's number."""
    now = now or utcnow()
    with app.test_request_context(method="POST", headers={"Accept-Language": "en"}):
        with unit_of_work(capture=False):
            cart = fill_cart(buyer_email, lines)
        with unit_of_work(capture=False):
            order = checkout.place_order(accounts.find_user_by_email(buyer_email), cart, address,
                                         key or secrets.token_urlsafe(16), method, rates_in_force(now.date()),
                                         display_currency, "en", now.date(), now, 30)
            return order.number
