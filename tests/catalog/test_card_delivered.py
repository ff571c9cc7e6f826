"""Every product card says what it costs delivered to the buyer's state, without a query per card."""
from __future__ import annotations

import re

from ..helpers import Client, product_form, text_of
from .test_queries import add_published, queries_for

SHOP = "/merchants/sangrai-preanger-coffee"
CARD_PAGES = ("/products", "/", SHOP)


def delivered_lines(page: str, state: str = "Selangor") -> list[str]:
    return re.findall(rf"Delivered to {state} from (\S+)", page)


def cheapest_on_product_page(client: Client, product_id: int) -> str:
    return re.search(r"Cheapest: (\S+)", text_of(client.get(f"/products/{product_id}"))).group(1)


def test_a_page_of_2n_cards_makes_as_many_queries_as_a_page_of_n(app_factory, demo):
    """With the cache off, each card's delivered price comes from the rows already loaded and the rules read once."""
    app = app_factory(CACHE_TYPE="NullCache")
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")

    def make_product(**overrides):
        created = merchant.post("/merchant/products/new", product_form(**overrides))
        return int(created.headers["Location"].split("/")[-2])

    n = 3
    add_published(merchant, make_product, n)
    visitor = Client(app)
    few = {url: queries_for(app, visitor, url) for url in CARD_PAGES}
    for url in CARD_PAGES:
        assert len(delivered_lines(text_of(visitor.get(url)))) == n, url
    add_published(merchant, make_product, n, start=n)
    many = {url: queries_for(app, visitor, url) for url in CARD_PAGES}
    for url in CARD_PAGES:
        assert len(delivered_lines(text_of(visitor.get(url)))) == 2 * n, url
    assert many == few


def test_the_card_says_what_the_product_page_says_delivered_at_the_minimum_order(app, merchant, make_product):
    [one] = add_published(merchant, make_product, 1)
    [six] = add_published(merchant, make_product, 1, start=1)
    visitor = Client(app)
    # The second product is sold by six: its card shares the cheapest delivered total over the six units.
    merchant.post(f"/merchant/products/{six}/edit", product_form(sku="Q-1", name_en="Product 1", moq="6"))
    page = text_of(visitor.get("/products"))
    assert f"Delivered to Selangor from {cheapest_on_product_page(visitor, one)}" in page
    total_for_six = cheapest_on_product_page(visitor, six)
    [per_unit] = re.findall(r"Delivered to Selangor from (\S+) per unit", page)
    as_number = lambda text: float(re.sub(r"[^\d.]", "", text))  # noqa: E731
    assert abs(as_number(per_unit) * 6 - as_number(total_for_six)) < 0.04  # one rounding of the share


def test_a_signed_in_buyer_sees_their_own_state_and_visitors_still_see_selangor(app, merchant, make_product):
    add_published(merchant, make_product, 2)
    visitor = Client(app)
    for url in CARD_PAGES:
        text_of(visitor.get(url))  # cached for every visitor from now on
    sabah = Client(app)
    sabah.login("buyer.sabah@serumpun.example")
    for url in CARD_PAGES:
        page = text_of(sabah.get(url))
        assert len(delivered_lines(page, "Sabah")) == 2 and not delivered_lines(page), url
    for url in CARD_PAGES:
        page = text_of(visitor.get(url))
        assert len(delivered_lines(page)) == 2 and not delivered_lines(page, "Sabah"), url
    # East Malaysia is further: the same product costs more delivered there.
    assert delivered_lines(text_of(sabah.get(SHOP)), "Sabah") != delivered_lines(text_of(visitor.get(SHOP)))


def test_cards_follow_the_chosen_currency(app, merchant, make_product):
    add_published(merchant, make_product, 1)
    visitor = Client(app)
    visitor.post("/currency", {"currency": "SGD", "next": "/products"}, token_from="/")
    [amount] = delivered_lines(text_of(visitor.get("/products")))
    assert amount.startswith("SGD")
