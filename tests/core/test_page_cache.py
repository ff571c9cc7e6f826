"""Catalog pages are rendered once and served many times; nothing personal leaks between readers."""
from __future__ import annotations

import re

from ..helpers import Client, product_form, text_of


def token_in(page) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page.get_data(as_text=True)).group(1)


def test_each_visitor_gets_a_working_token_from_a_cached_page(app, demo):
    first, second = Client(app), Client(app)
    assert first.get("/products").status_code == 200
    page = second.get("/products")  # served from the cache
    token = token_in(page)
    assert token != token_in(first.get("/products"))
    response = second.http.post("/language", data={"csrf_token": token, "language": "ms", "next": "/products"})
    assert response.status_code == 302
    assert 'lang="ms"' in second.get("/products").get_data(as_text=True)
    assert 'value="/products?q=kopi"' in second.get("/products?q=kopi").get_data(as_text=True)


def test_a_merchants_draft_preview_is_never_served_to_others(app, demo):
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    merchant.post("/language", {"language": "en", "next": "/"}, token_from="/")
    created = merchant.post("/merchant/products/new", product_form())
    product_id = int(created.headers["Location"].split("/")[-2])
    assert "Preview: buyers cannot see this product" in text_of(merchant.get(f"/products/{product_id}"))
    assert Client(app).get(f"/products/{product_id}").status_code == 404
    rival = Client(app)
    rival.login("keripik@serumpun.example")
    assert rival.get(f"/products/{product_id}").status_code == 404


def test_flashed_messages_are_shown_once_and_never_cached(app, demo):
    visitor = Client(app)
    visitor.get("/")  # cache the home page
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    buyer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    response = buyer.logout()
    page = buyer.get(response.headers["Location"])
    assert "You have signed out." in text_of(page)
    assert "You have signed out." not in text_of(buyer.get("/"))
    assert "You have signed out." not in text_of(Client(app).get("/"))


def test_the_header_shows_the_signed_in_reader(app, demo):
    Client(app).get("/products")
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    page = text_of(merchant.get("/products"))
    assert "Sangrai Preanger Coffee" in page and "Sign in" not in page.split("Products")[0]
    assert "Sangrai Preanger Coffee" not in text_of(Client(app).get("/products")).split("Bandung UMKM")[0]


def test_a_renamed_shop_shows_at_once_on_its_storefront(app, demo):
    visitor = Client(app)
    assert "Sangrai Preanger Coffee" in text_of(visitor.get("/merchants/sangrai-preanger-coffee"))
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    merchant.post("/merchant/shop", {
        "business_name": "Sangrai Preanger Roastery", "owner_name": "Dadang Suherman", "whatsapp": "081221430001",
        "address_line": "Jl. Dago No. 112", "kecamatan": "coblong", "postcode": "40135", "categories": ["coffee-tea"],
    })
    assert "Sangrai Preanger Roastery" in text_of(visitor.get("/merchants/sangrai-preanger-coffee"))
