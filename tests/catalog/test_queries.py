"""Pages that list products make the same number of queries for 2 products as for 8 (no N+1)."""
from __future__ import annotations

import io
from contextlib import contextmanager

from sqlalchemy import event

from marketplace.extensions import db

from ..helpers import Client
from ..images import png


@contextmanager
def counting(app):
    statements = []
    with app.app_context():
        engine = db.engine

    def count(conn, cursor, statement, *args):
        # Statements that read rows: not transaction control, nor the planner's estimates and settings that
        # a PostgreSQL search with words asks for (EXPLAIN, SET LOCAL, RESET: catalog.search.planned_matches).
        if not statement.lstrip().upper().startswith(("BEGIN", "SAVEPOINT", "RELEASE", "PRAGMA", "EXPLAIN",
                                                      "SET LOCAL", "RESET")):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


def add_published(merchant, make_product, n, start=0) -> list[int]:
    ids = []
    for i in range(start, start + n):
        product_id = make_product(sku=f"Q-{i}", name_en=f"Product {i}")
        merchant.post(f"/merchant/products/{product_id}/photos", {"photos": [(io.BytesIO(png(300 + i, 300)), "a.png")]},
                      content_type="multipart/form-data")
        merchant.post(f"/merchant/products/{product_id}/status", {"status": "published"},
                      token_from="/merchant/products/")
        ids.append(product_id)
    return ids


def queries_for(app, client, url) -> int:
    client.get(url)  # warm up: the app keeps exchange rates for a minute
    with counting(app) as statements:
        assert client.get(url).status_code == 200
    return len(statements)


def test_storefront_and_product_list_do_not_grow_with_the_number_of_products(app, merchant, make_product):
    add_published(merchant, make_product, 2)
    visitor = Client(app)
    storefront_few = queries_for(app, visitor, "/merchants/sangrai-preanger-coffee")
    list_few = queries_for(app, merchant, "/merchant/products/")
    add_published(merchant, make_product, 6, start=2)
    assert queries_for(app, visitor, "/merchants/sangrai-preanger-coffee") == storefront_few
    assert queries_for(app, merchant, "/merchant/products/") == list_few
    assert storefront_few <= 6 and list_few <= 6


def test_product_page_query_count_is_small(app, merchant, make_product):
    [product_id] = add_published(merchant, make_product, 1)
    assert queries_for(app, Client(app), f"/products/{product_id}") <= 6


def test_search_home_and_api_query_counts_stay_small_without_any_cache(app_factory, demo):
    """With the cache off, every request does its real work: still a handful of queries."""
    from ..helpers import product_form

    app = app_factory(CACHE_TYPE="NullCache")
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")

    def make_product(**overrides):
        created = merchant.post("/merchant/products/new", product_form(**overrides))
        return int(created.headers["Location"].split("/")[-2])

    add_published(merchant, make_product, 3)
    visitor = Client(app)
    few = {url: queries_for(app, visitor, url) for url in
           ("/", "/products", "/products?q=kopi&halal=1", "/api/v1/products", "/api/v1/merchants")}
    add_published(merchant, make_product, 5, start=3)
    many = {url: queries_for(app, visitor, url) for url in few}
    assert many == few
    # The cards' delivered prices read the customs rules and the couriers once a page (cached when the cache is on).
    assert all(n <= 11 for n in few.values()), few
