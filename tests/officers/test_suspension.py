"""Suspending a merchant hides its products everywhere buyers look, at once (cached pages too); lifting brings
them back. Both are in the audit trail."""
from __future__ import annotations

import re

from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.extensions import db

from ..helpers import Client, publish_product, text_of
from .conftest import BUYER, MERCHANT, OFFICER, login, profile_of


def add_to_cart(client: Client, product_id: int, quantity: str = "2"):
    return client.post("/cart/add", {"product_id": str(product_id), "quantity": quantity, "next": "/cart/"},
                       token_from=f"/products/{product_id}")


def checkout_form(client: Client) -> dict:
    page = client.get("/checkout").get_data(as_text=True)
    key = re.search(r'name="checkout_key"[^>]*value="([^"]+)"', page)
    return {"name": "Nur Aisyah", "phone": "012-345 6789", "line1": "12 Jalan SS2/24", "line2": "",
            "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "bank_transfer",
            "checkout_key": key.group(1) if key else ""}


def visible_everywhere(anonymous: Client, product_id: int) -> dict[str, bool]:
    name = "Java Preanger Arabica Coffee 250 g"
    return {
        "listing": name in text_of(anonymous.get("/products")),
        "search": name in text_of(anonymous.get("/products?q=preanger")),
        "product page": anonymous.get(f"/products/{product_id}").status_code == 200,
        "storefront": anonymous.get("/merchants/sangrai-preanger-coffee").status_code == 200,
        "home": name in text_of(anonymous.get("/")),
        "api": any(p["id"] == product_id for p in anonymous.get("/api/v1/products").get_json()["data"]),
        "api product": anonymous.get(f"/api/v1/products/{product_id}").status_code == 200,
        "api merchant": anonymous.get("/api/v1/merchants/sangrai-preanger-coffee").status_code == 200,
    }


def test_suspending_hides_the_products_at_once_and_lifting_brings_them_back(app, demo):
    product = publish_product(app)
    anonymous = Client(app)
    assert all(visible_everywhere(anonymous, product).values())  # and now every page is in the cache
    buyer = login(Client(app), BUYER)
    assert add_to_cart(buyer, product).status_code == 302
    with app.app_context():
        merchant_id = profile_of(MERCHANT).id
    officer = login(Client(app), OFFICER)
    response = officer.post(f"/officer/merchants/{merchant_id}/suspend",
                            {"suspend-reason": "complaints", "suspend-note": "Tiga pembeli tidak menerima barang."})
    assert response.status_code == 302

    assert not any(visible_everywhere(anonymous, product).values()), visible_everywhere(anonymous, product)
    assert buyer.get(f"/products/{product}").status_code == 404
    cart = text_of(buyer.get("/cart/"))
    assert "A product you added is no longer for sale (2 units)." in cart
    placed = buyer.post("/checkout", checkout_form(buyer))
    assert placed.status_code != 303  # no order
    refused = add_to_cart(buyer, product)
    assert refused.status_code in (302, 400, 404)
    merchant = login(Client(app), MERCHANT)
    dashboard = text_of(merchant.get("/merchant/"))
    assert "Your shop is suspended by an officer." in dashboard and "Tiga pembeli tidak menerima barang." in dashboard
    assert merchant.get(f"/products/{product}").status_code == 200  # its own preview still works

    assert officer.post(f"/officer/merchants/{merchant_id}/lift", {}).status_code == 302
    assert all(visible_everywhere(anonymous, product).values())
    assert "A product you added is no longer for sale" not in text_of(buyer.get("/cart/"))
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "merchant")
                                     .order_by(AuditEntry.id)).all()
        assert [e.action for e in entries] == ["merchant.suspended", "merchant.reinstated"]
        assert entries[0].after == {"suspended": True, "reason": "complaints",
                                    "note": "Tiga pembeli tidak menerima barang."}
        assert all(e.actor_name.startswith("Rina Kartika") for e in entries)


def test_a_suspension_needs_a_reason_and_cannot_be_doubled(app, demo):
    with app.app_context():
        merchant_id = profile_of(MERCHANT).id
    officer = login(Client(app), OFFICER)
    response = officer.post(f"/officer/merchants/{merchant_id}/suspend", {"suspend-reason": "", "suspend-note": ""})
    assert response.status_code == 400 and "Please choose one." in text_of(response)
    response = officer.post(f"/officer/merchants/{merchant_id}/suspend", {"suspend-reason": "other", "suspend-note": ""})
    assert response.status_code == 400 and "Write why the merchant is suspended." in text_of(response)
    officer.post(f"/officer/merchants/{merchant_id}/suspend", {"suspend-reason": "merchant_request"})
    again = officer.post(f"/officer/merchants/{merchant_id}/suspend", {"suspend-reason": "merchant_request"})
    assert again.status_code == 400 and "already suspended" in text_of(again)
    with app.app_context():
        assert profile_of(MERCHANT).is_suspended
        assert db.session.scalar(select(AuditEntry.action).where(AuditEntry.object_kind == "merchant")) \
            == "merchant.suspended"
        assert len(db.session.scalars(select(AuditEntry).where(AuditEntry.object_kind == "merchant")).all()) == 1
