"""The cart as guests and buyers use it: add from the product page, see parcels, change, sign in."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

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


# How Babel writes money in each language (CLDR): the symbol, then digits grouped by three.
SYMBOLS = {"en": {"MYR": "RM", "SGD": "SGD", "USD": "US$", "IDR": "IDR"},
           "ms": {"MYR": "RM", "SGD": "SGD", "USD": "USD", "IDR": "IDR"},
           "id": {"MYR": "RM", "SGD": "SGD", "USD": "US$", "IDR": "Rp"}}
MARKS = {"en": (",", "."), "ms": (",", "."), "id": (".", ",")}
RUPIAH_PER = {"MYR": Decimal("3924.50"), "SGD": Decimal("12780.00"), "USD": Decimal("16580.00"), "IDR": Decimal(1)}
DIGITS = {"MYR": 2, "SGD": 2, "USD": 2, "IDR": 0}
TOTAL = {"en": "Total delivered, estimated: {}", "ms": "Jumlah sampai ke destinasi, anggaran: {}",
         "id": "Total sampai tujuan, perkiraan: {}"}
EACH = {"en": "About {} per unit at your door.", "ms": "Kira-kira {} seunit sampai di pintu anda.",
        "id": "Sekitar {} per unit sampai di pintu Anda."}


def written(minor: int, currency: str, language: str) -> str:
    group, decimal = MARKS[language]
    whole, fraction = divmod(minor, 10 ** DIGITS[currency])
    text = f"{whole:,}".replace(",", group)
    if DIGITS[currency]:
        text += decimal + f"{fraction:0{DIGITS[currency]}d}"
    return SYMBOLS[language][currency] + text


def from_sen(sen: int, currency: str, units: int = 1) -> int:
    """Ringgit sen -> rupiah -> the currency, the long way, rounded once, half up."""
    exact = Decimal(sen) / 100 * RUPIAH_PER["MYR"] / RUPIAH_PER[currency] * 10 ** DIGITS[currency] / units
    return int(exact.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def amount_as_seen(sen: int, currency: str, language: str, units: int = 1) -> str:
    """What the buyer reads: their currency, the rupiah beside it, and the ringgit when they chose another."""
    parts = [written(from_sen(sen, currency, units), currency, language)]
    if currency != "IDR":
        parts.append(written(from_sen(sen, "IDR", units), "IDR", language))
    if currency != "MYR":
        parts.append(written(from_sen(sen, "MYR", units), "MYR", language))
    return " ".join(parts)


@pytest.mark.parametrize(("language", "currency"), [
    ("en", "MYR"), ("en", "SGD"), ("en", "USD"), ("en", "IDR"),
    ("ms", "MYR"), ("ms", "SGD"), ("id", "USD"), ("id", "IDR"),
])
def test_the_cart_total_reads_in_the_buyers_currency_with_the_rupiah_beside(client, coffee, language, currency):
    add(client, coffee, "12")  # the Rp 78,000 tier
    page = text_of(client.get("/cart/"))  # in ringgit, as every new reader sees it
    total_sen = int(re.search(r"Total delivered, estimated: RM([\d,]+\.\d\d)", page).group(1).replace(",", "")
                    .replace(".", ""))
    parcel_sen = int(re.search(r"Total, estimated RM([\d,]+\.\d\d)", page).group(1).replace(",", "").replace(".", ""))
    assert parcel_sen == total_sen  # one parcel

    client.post("/currency", {"currency": currency, "next": "/cart/"}, token_from="/")
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    page = text_of(client.get("/cart/"))
    assert TOTAL[language].format(amount_as_seen(total_sen, currency, language)) in page
    assert EACH[language].format(amount_as_seen(total_sen, currency, language, units=12)) in page
    assert amount_as_seen(parcel_sen, currency, language) in page  # the parcel's own total
    group, decimal = MARKS[language]
    for used in dict.fromkeys(("MYR", currency if currency != "IDR" else "MYR")):  # the rates, with their dates
        rate = f"{RUPIAH_PER[used]:,.2f}".replace(",", "_").replace(".", decimal).replace("_", group)
        assert f"1 {'RM' if used == 'MYR' else used} = {rate} IDR" in page
    assert "1 SGD" not in page or currency == "SGD"
