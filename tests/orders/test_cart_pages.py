"""The cart as guests and buyers use it: add from the product page, see parcels, change, sign in."""
from __future__ import annotations

import re

import pytest

from ..helpers import Client, publish_product, text_of


def count_in_header(response) -> str:
    match = re.search(r'class="cart-link__count"[^>]*>([^<]*)<', response.get_data(as_text=True))
    return match.group(1) if match else "(no cart link)"


@pytest.fixture()
def coffee(app, demo) -> int:
    return publish_product(app)  # MOQ 1, stock 120, tiers from 12 and 48 units


def add(client: Client, product_id: int, quantity: str, back: str = "/cart/"):
    return client.post("/cart/add", {"product_id": str(product_id), "quantity": quantity, "next": back},
                       token_from=f"/products/{product_id}")


def test_a_guest_adds_from_the_product_page_and_sees_a_parcel_delivered(client, coffee):
    page = client.get(f"/products/{coffee}")
    assert "Add to cart" in text_of(page) and count_in_header(page) == ""
    added = add(client, coffee, "12", back=f"/products/{coffee}")
    assert added.status_code == 302 and added.headers["Location"].endswith(f"/products/{coffee}")
    page = client.get(f"/products/{coffee}")
    assert "In your cart: 12." in text_of(page) and count_in_header(page) == "12"
    cart = text_of(client.get("/cart/"))
    assert "Parcel from Sangrai Preanger Coffee" in cart
    assert "Total delivered, estimated" in cart and "per unit at your door" in cart
    assert "Sales tax on low value goods" in cart


def test_another_guest_sees_its_own_count_on_the_same_cached_page(app, client, coffee):
    add(client, coffee, "3")
    other = Client(app)
    assert count_in_header(other.get(f"/products/{coffee}")) == ""
    assert count_in_header(client.get(f"/products/{coffee}")) == "3"


@pytest.mark.parametrize(("language", "raw", "message"), [
    ("en", "lima puluh", "Enter the quantity in digits. Enter a whole number from 1 to 120."),
    ("en", "0", "This product is sold from 1 units."),
    ("en", "121", "Only 120 are in stock."),
    ("id", "1.5", "Tulis jumlahnya dengan angka. Masukkan bilangan bulat dari 1 sampai 120."),
    ("ms", "-1", "Tulis kuantiti dengan angka. Masukkan nombor bulat dari 1 hingga 120."),
    ("ms", str(2**63), "Tulis kuantiti dengan angka."),
])
def test_a_bad_quantity_is_told_in_the_readers_language_and_changes_nothing(client, coffee, language, raw, message):
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    add(client, coffee, raw)
    page = client.get("/cart/")
    assert message in text_of(page)
    assert count_in_header(page) == ""


def test_lines_change_and_go_and_a_courier_can_be_chosen(client, coffee):
    add(client, coffee, "2")
    changed = client.post("/cart/update", {"product_id": str(coffee), "quantity": "48"}, token_from="/cart/")
    assert changed.status_code == 302
    page = client.get("/cart/")
    assert "Quantity changed to 48." in text_of(page) and count_in_header(page) == "48"
    html = page.get_data(as_text=True)
    merchant_id = re.search(r'name="merchant_id" value="(\d+)"', html).group(1)
    client.post("/cart/courier", {"merchant_id": merchant_id, "service": "express", "state": "MY-12"},
                token_from="/cart/")
    sabah = client.get("/cart/?state=MY-12").get_data(as_text=True)
    assert re.search(r'<option value="express" selected>', sabah)
    refused = client.post("/cart/courier", {"merchant_id": merchant_id, "service": "teleport", "state": "MY-12"},
                          token_from="/cart/")
    assert refused.status_code == 302
    assert "That courier cannot carry this parcel" in text_of(client.get("/cart/?state=MY-12"))
    client.post("/cart/remove", {"product_id": str(coffee)}, token_from="/cart/")
    empty = client.get("/cart/")
    assert "Your cart is empty." in text_of(empty) and count_in_header(empty) == ""


def test_a_guest_cart_joins_the_buyers_cart_at_sign_in(app, client, coffee):
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    add(buyer, coffee, "10")
    add(client, coffee, "5")
    client.login("buyer@serumpun.example")
    page = client.get("/cart/")
    assert count_in_header(page) == "15"
    assert count_in_header(buyer.get("/cart/")) == "15"  # one cart, on every device


def test_merchants_have_no_cart(app, coffee):
    merchant = Client(app)
    merchant.login("keripik@serumpun.example")
    page = merchant.get(f"/products/{coffee}")
    assert "Add to cart" not in text_of(page) and count_in_header(page) == "(no cart link)"
    add(merchant, coffee, "2")
    assert "Hanya pembeli yang bisa membeli." in text_of(merchant.get("/cart/"))  # the merchant reads Indonesian


def test_a_cart_change_needs_its_token(client, coffee):
    refused = client.http.post("/cart/add", data={"product_id": str(coffee), "quantity": "2"})
    assert refused.status_code in (302, 400)
    assert count_in_header(client.get("/cart/")) == ""
