"""The home page and the health check."""
from __future__ import annotations

import re

from sqlalchemy import create_engine

from ..helpers import text_of


def test_home_page_explains_serumpun_and_invites_both_sides(client):
    page = text_of(client.get("/"))
    assert "Bandung UMKM products, delivered to Malaysia." in page
    assert "Shop as a buyer" in page and "Sell as a Bandung UMKM" in page
    assert 'action="/products"' in client.get("/").get_data(as_text=True)
    # A buyer comes to shop: the button leads to the products, not to a sign-up form (issue 12).
    assert '<a class="button button--primary" href="/products">Shop as a buyer</a>' in client.get("/").get_data(
        as_text=True)


def test_home_page_shows_categories_with_counts_new_arrivals_and_verified_merchants(app, demo):
    import io

    from ..helpers import Client, product_form
    from ..images import png

    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    for sku in ("A-1", "A-2"):
        created = merchant.post("/merchant/products/new", product_form(sku=sku, name_en=f"Coffee {sku}"))
        product_id = int(created.headers["Location"].split("/")[-2])
        merchant.post(f"/merchant/products/{product_id}/photos", {"photos": [(io.BytesIO(png()), "a.png")]},
                      content_type="multipart/form-data")
        merchant.post(f"/merchant/products/{product_id}/status", {"status": "published"},
                      token_from="/merchant/products/")
    client = Client(app)
    html = client.get("/").get_data(as_text=True)
    page = text_of(client.get("/"))
    assert re.search(r'href="/products\?category=coffee-tea">Coffee and tea\s*<span class="count">2</span>', html)
    assert "Batik and textiles" not in page  # no batik published yet
    assert "Coffee A-1" in page and "Coffee A-2" in page
    assert "Sangrai Preanger Coffee" in page and "2 products" in page


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok", "database": "ok"}
    assert response.headers["Cache-Control"] == "no-store"


def test_healthz_says_when_the_database_is_down(app_factory, tmp_path):
    app = app_factory()
    from marketplace.extensions import db

    with app.app_context():
        real = db.engines[None]
        # Point the app at a database server that is not there.
        db.engines[None] = create_engine("postgresql+psycopg://nobody@127.0.0.1:1/none",
                                         connect_args={"connect_timeout": 1})
        try:
            response = app.test_client().get("/healthz")
        finally:
            db.engines[None] = real
    assert response.status_code == 503
    assert response.json == {"status": "degraded", "database": "unavailable"}
