"""Catalog pages are rendered once and served many times; nothing personal leaks between readers."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from contextlib import contextmanager
from datetime import date

import pytest
from flask import template_rendered
from sqlalchemy import event

from marketplace.catalog.models import Product
from marketplace.core.signals import catalog_changed
from marketplace.extensions import cache, db

from ..helpers import Client, product_form, publish_product, text_of


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


# --- Keyed by what the page shows, fresh per product and merchant -------------------------------------------------

@contextmanager
def rendering(app):
    """The names of the templates rendered while the block runs, one per render."""
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield names
    finally:
        template_rendered.disconnect(record, app)


def page_entries(app) -> list[str]:
    """Whole pages in the app's cache backend (SimpleCache in the tests: its keys carry no prefix)."""
    with app.app_context():
        return [key for key in cache.cache._cache if key.startswith("page:")]


@contextmanager
def statements(app):
    found: list[str] = []
    with app.app_context():
        engine = db.engine

    def record(conn, cursor, statement, *args):
        found.append(statement)

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield found
    finally:
        event.remove(engine, "before_cursor_execute", record)


def edit_product(merchant: Client, product_id: int, **overrides):
    response = merchant.post(f"/merchant/products/{product_id}/edit", product_form(**overrides))
    assert response.status_code == 302, text_of(response)[:500]


@pytest.fixture()
def shop(app, demo):
    """Two published coffees of the demo roaster, and the roaster signed in."""
    first = publish_product(app, sku="KOPI-A", name_en="Puntang Arabica")
    second = publish_product(app, sku="KOPI-B", name_id="Kopi Robusta Garut", name_en="Garut Robusta", price="95000")
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    return first, second, merchant


def test_thirty_requests_differing_only_in_an_unknown_parameter_are_one_cache_entry(app, shop):
    visitor = Client(app)
    with rendering(app) as rendered:
        pages = [visitor.get(f"/products?q=kopi&utm_source=campaign-{n}") for n in range(30)]
    assert all(page.status_code == 200 for page in pages)
    assert rendered.count("catalog/browse.html") == 1 and rendered.count("catalog/_results.html") == 1
    assert len(page_entries(app)) == 1
    assert "Puntang Arabica" in text_of(pages[-1])
    # Nothing of one reader's query is served to the next: links and fields carry the parsed search only.
    assert "utm_source" not in pages[-1].get_data(as_text=True).split("</header>", 1)[1]
    # The return address after a language change is each reader's own, filled in on every answer.
    assert 'value="/products?q=kopi&amp;utm_source=campaign-29"' in pages[-1].get_data(as_text=True)


def test_the_same_search_in_any_order_and_with_defaults_spelt_out_is_one_entry(app, shop):
    visitor = Client(app)
    with rendering(app) as rendered:
        first = visitor.get("/products?q=kopi&halal=1&category=coffee-tea&max_price=30")
        again = visitor.get("/products?max_price=30.00&category=coffee-tea&halal=yes&page=1&q=++kopi&sort=relevance")
        other = visitor.get("/products?q=kopi&halal=1&category=coffee-tea&max_price=30&sort=price_asc")
    assert rendered.count("catalog/browse.html") == 2  # the first and the other sort; "again" came from the cache
    assert text_of(first) == text_of(again)
    assert len(page_entries(app)) == 2
    assert 'name="max_price" inputmode="decimal" value="30"' in again.get_data(as_text=True)
    assert '<option value="price_asc" selected>' in other.get_data(as_text=True)


def test_bad_values_are_not_echoed_into_a_page_shared_with_others(app, shop):
    def main(response) -> str:  # the header's return address is each reader's own
        return response.get_data(as_text=True).split("</header>", 1)[1]

    first = main(Client(app).get("/products?min_price=%3Cb%3Echeap%3C/b%3E"))
    second = main(Client(app).get("/products?min_price=free"))
    assert "Some of the filters could not be used" in second
    assert "cheap" not in first and "cheap" not in second
    assert len(page_entries(app)) == 1


def test_a_signed_in_reader_gets_cached_results_but_never_a_stored_page(app, shop):
    Client(app).get("/products?q=kopi")  # an anonymous visitor: the page and its results are cached
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    buyer.get("/products?q=kopi")  # the welcome is shown once
    with rendering(app) as rendered, statements(app) as sql:
        pages = [buyer.get("/products?utm_source=x&q=kopi") for _ in range(2)]
    assert rendered.count("catalog/browse.html") == 2  # the page around the results, for this reader, each time
    assert "catalog/_results.html" not in rendered  # the results, with their counts, came from the cache
    assert not [s for s in sql if "products" in s.lower()], sql  # no query of the catalog at all
    assert len(page_entries(app)) == 1  # the visitor's page only
    assert "Puntang Arabica" in text_of(pages[-1]) and "Sign out" in text_of(pages[-1])


def test_a_signed_in_reader_reuses_the_cached_product_body_with_its_delivered_price(app, shop):
    first, _, _ = shop
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    buyer.get(f"/products/{first}")  # the welcome is shown once; the body is cached for everyone in Selangor
    with rendering(app) as rendered:
        page = buyer.get(f"/products/{first}-any-words?qty=1")  # the moq and the slug are the same page
        anonymous = Client(app).get(f"/products/{first}?state=MY-10")
    assert rendered.count("catalog/product.html") == 2 and "catalog/_product.html" not in rendered
    assert "Cheapest: RM" in text_of(page) and "Cheapest: RM" in text_of(anonymous)
    assert len(page_entries(app)) == 1  # the anonymous page only


def test_a_stock_change_leaves_other_products_and_the_listings_cached(app, shop):
    first, second, merchant = shop
    visitor = Client(app)
    urls = (f"/products/{second}", "/products", "/merchants/sangrai-preanger-coffee", "/", "/api/v1/products")
    for url in (f"/products/{first}", *urls):
        assert visitor.get(url).status_code == 200
    edit_product(merchant, first, sku="KOPI-A", name_en="Puntang Arabica", stock="7")  # a sale took 113
    with rendering(app) as rendered:
        assert "Garut Robusta" in text_of(visitor.get(f"/products/{second}"))
        for url in urls[1:]:
            assert visitor.get(url).status_code == 200
        assert "Ready to ship" in text_of(visitor.get(f"/products/{first}"))
    # its own page only (with its add-to-cart form and its ask-for-a-quote box); the rest from the cache
    assert rendered == ["catalog/_product.html", "orders/_buy_form.html", "catalog/_save_form.html",
                        "trade/_ask_box.html", "catalog/product.html"]
    # The last one sold: its page says so, and lists are rebuilt (the API's list says whether it is in stock).
    edit_product(merchant, first, sku="KOPI-A", name_en="Puntang Arabica", stock="0")
    assert "Out of stock" in text_of(visitor.get(f"/products/{first}"))
    listed = visitor.get("/api/v1/products").get_json()["data"]
    assert {p["sku"]: p["stock_status"] for p in listed} == {"KOPI-A": "out_of_stock", "KOPI-B": "in_stock"}


def test_a_price_change_reaches_its_page_and_the_listings_but_not_other_pages(app, shop):
    first, second, merchant = shop
    visitor = Client(app)
    visitor.get(f"/products/{second}")
    assert "RM21.66" in text_of(visitor.get("/products?q=arabica"))  # 85,000 at 3,924.50
    edit_product(merchant, first, sku="KOPI-A", name_en="Puntang Arabica", price="98.100")
    assert "RM25.00" in text_of(visitor.get("/products?q=arabica"))
    assert "RM25.00" in text_of(visitor.get(f"/products/{first}"))
    with rendering(app) as rendered:
        visitor.get(f"/products/{second}")
    assert rendered == []


def test_publishing_a_product_puts_it_on_the_cached_listings(app, shop):
    _, _, merchant = shop
    visitor = Client(app)
    for url in ("/products", "/merchants/sangrai-preanger-coffee", "/", "/api/v1/products"):
        assert "Batik Kujang" not in visitor.get(url).get_data(as_text=True)
    new = publish_product(app, sku="BATIK-1", name_en="Batik Kujang", category="batik-textiles", hs_code="5208.52")
    for url in ("/products", "/products?q=batik", "/merchants/sangrai-preanger-coffee", "/", "/api/v1/products"):
        assert "Batik Kujang" in visitor.get(url).get_data(as_text=True), url
    merchant.post(f"/merchant/products/{new}/status", {"status": "draft"}, token_from="/merchant/products/")
    assert visitor.get(f"/products/{new}").status_code == 404
    assert "Batik Kujang" not in text_of(visitor.get("/products"))


def test_a_new_rate_changes_the_converted_prices_on_cached_pages(app, shop):
    first, _, _ = shop
    visitor = Client(app)
    assert "RM21.66" in text_of(visitor.get(f"/products/{first}"))
    assert "RM21.66" in text_of(visitor.get("/merchants/sangrai-preanger-coffee"))
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": "4250", "effective_on": date.today().isoformat(),
                                     "source": "Bank Indonesia JISDOR"})
    assert "RM20.00" in text_of(visitor.get(f"/products/{first}"))  # 85,000 / 4,250
    assert "RM20.00" in text_of(visitor.get("/merchants/sangrai-preanger-coffee"))


def test_catalog_changes_are_announced_after_commit_with_the_product_and_merchant(app, shop):
    first, _, merchant = shop
    heard = []

    def listen(sender, **data):
        heard.append(data)

    catalog_changed.connect(listen)
    try:
        edit_product(merchant, first, sku="KOPI-A", name_en="Puntang Arabica", stock="7")
        refused = merchant.post(f"/merchant/products/{first}/edit", product_form(sku="KOPI-A", price="0"))
        assert refused.status_code == 400  # nothing changed, nothing announced
        edit_product(merchant, first, sku="KOPI-A", name_en="Puntang Arabica Natural")
    finally:
        catalog_changed.disconnect(listen)
    with app.app_context():
        merchant_id = db.session.get(Product, first).merchant_id
    assert heard == [{"product_id": first, "merchant_id": merchant_id, "listed": False},
                     {"product_id": first, "merchant_id": merchant_id, "listed": True}]


def test_core_cache_imports_no_domain_package():
    code = ("import sys, marketplace.core.cache; "
            "print(sorted(m for m in sys.modules if m.startswith('marketplace.') and m != 'marketplace.core' "
            "and not m.startswith(('marketplace.core.', 'marketplace.extensions', 'marketplace.config'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]", result.stdout


def test_versions_work_on_redis_as_in_production(app_factory, demo):
    """The same rules on the shared backend production uses: one entry, a stock change bumps one product."""
    redis = pytest.importorskip("redis")
    url = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
    connection = redis.Redis.from_url(url)
    try:
        connection.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            raise
        pytest.skip(f"no Redis at {url}")
    prefix = f"serumpun-test-{uuid.uuid4().hex[:8]}:"  # the server is shared: only our own keys, removed after
    app = app_factory(CACHE_TYPE="RedisCache", CACHE_REDIS_URL=url, CACHE_KEY_PREFIX=prefix)
    try:
        first = publish_product(app, sku="KOPI-A", name_en="Puntang Arabica")
        second = publish_product(app, sku="KOPI-B", name_id="Kopi Robusta Garut", name_en="Garut Robusta",
                                 price="95000")
        merchant = Client(app)
        merchant.login("merchant@serumpun.example")
        visitor = Client(app)
        with rendering(app) as rendered:
            for n in range(30):
                assert visitor.get(f"/products?utm_source={n}").status_code == 200
        assert rendered.count("catalog/browse.html") == 1
        assert len(connection.keys(f"{prefix}page:*")) == 1
        visitor.get(f"/products/{first}")
        visitor.get(f"/products/{second}")
        edit_product(merchant, first, sku="KOPI-A", name_en="Puntang Arabica", stock="0")
        with rendering(app) as rendered:
            visitor.get(f"/products/{second}")
            assert "Out of stock" in text_of(visitor.get(f"/products/{first}"))
        assert rendered == ["catalog/_product.html", "orders/_buy_form.html", "catalog/_save_form.html",
                        "trade/_ask_box.html", "catalog/product.html"]
    finally:
        for key in connection.scan_iter(f"{prefix}*"):
            connection.delete(key)
