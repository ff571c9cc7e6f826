"""A test client that behaves like a browser with forms: it sends the CSRF token."""
from __future__ import annotations

import re
from html import unescape

from flask import Flask

DEMO_PASSWORD = "serumpun-demo"
CSRF_RE = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Client:
    def __init__(self, app: Flask):
        self.app = app
        self.http = app.test_client()
        # Tests read English unless they ask for another language.
        self.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"

    def get(self, url: str, **kwargs):
        return self.http.get(url, **kwargs)

    def csrf_token(self, url: str = "/login") -> str:
        page = self.http.get(url).get_data(as_text=True)
        match = CSRF_RE.search(page)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def post(self, url: str, data: dict | None = None, token_from: str | None = None, **kwargs):
        """Post a form as a browser would: with the token from the page it came from."""
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token(token_from or url))
        return self.http.post(url, data=data, **kwargs)

    def login(self, email: str, password: str = DEMO_PASSWORD, **extra):
        return self.post("/login", {"email": email, "password": password, **extra})

    def logout(self):
        return self.post("/logout", token_from="/")


def text_of(response) -> str:
    """The visible text of a page, roughly: tags removed, entities decoded."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


def html_lang(response) -> str:
    match = re.search(r'<html lang="([^"]+)"', response.get_data(as_text=True))
    return match.group(1) if match else ""


def merchant_form(**overrides) -> dict:
    data = {
        "email": "toko@example.id",
        "password": "kopi-sangrai-2026",
        "confirm": "kopi-sangrai-2026",
        "business_name": "Kopi Gunung Puntang",
        "owner_name": "Ujang Sutisna",
        "whatsapp": "0812 2143 5566",
        "nib": "1234567890123",
        "address_line": "Jl. Cihampelas No. 10",
        "kecamatan": "coblong",
        "postcode": "40131",
        "categories": ["coffee-tea"],
    }
    data.update(overrides)
    return data


def buyer_form(**overrides) -> dict:
    data = {
        "email": "aminah@example.my",
        "password": "nasi-lemak-pedas",
        "confirm": "nasi-lemak-pedas",
        "full_name": "Aminah binti Yusof",
        "company": "",
        "country": "MY",
        "state": "MY-10",
        "region": "",
        "city": "Petaling Jaya",
        "postcode": "46100",
        "phone": "012-345 6789",
    }
    data.update(overrides)
    return data


def product_form(**overrides) -> dict:
    """A complete, publishable product as a merchant would type it (photos come separately)."""
    data = {
        "name_id": "Kopi Arabika Java Preanger 250 g",
        "name_en": "Java Preanger Arabica Coffee 250 g",
        "description_id": "Biji kopi sangrai medium dari Gunung Puntang.",
        "description_en": "Medium-roast beans from Mount Puntang.",
        "category": "coffee-tea",
        "hs_code": "0901.21",
        "sku": "KOPI-250",
        "price": "85.000",
        "stock": "120",
        "moq": "1",
        "processing": "ready",
        "made_to_order_days": "",
        "tiers-0-min_quantity": "12",
        "tiers-0-unit_price": "78000",
        "tiers-1-min_quantity": "48",
        "tiers-1-unit_price": "72000",
        "packed_weight_g": "320",
        "box_length_cm": "18",
        "box_width_cm": "12",
        "box_height_cm": "6.5",
        "net_content": "250",
        "net_content_unit": "g",
        "units_per_carton": "24",
        "packaging_material": "paper",
        "recyclable": "y",
        "shelf_life_days": "365",
        "storage_note": "Simpan di tempat sejuk dan kering.",
        "label_languages": ["id", "en"],
        "halal_body": "bpjph",
        "halal_number": "ID32110000123450124",
        "halal_expires_on": "2029-01-31",
        "food_registration": "md",
        "food_registration_number": "MD 224510001234",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def publish_product(app, email: str = "merchant@serumpun.example", **overrides) -> int:
    """A product made, photographed and published through the merchant's pages; returns its id."""
    import io

    from .images import png

    merchant = Client(app)
    merchant.login(email)
    created = merchant.post("/merchant/products/new", product_form(**overrides))
    product_id = int(created.headers["Location"].split("/")[-2])
    merchant.post(f"/merchant/products/{product_id}/photos", {"photos": [(io.BytesIO(png()), "a.png")]},
                  content_type="multipart/form-data")
    merchant.post(f"/merchant/products/{product_id}/status", {"status": "published"}, token_from="/merchant/products/")
    return product_id
