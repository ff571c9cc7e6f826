"""The listing's active filters: one chip each, above the results, each a link to the same search without it."""
from __future__ import annotations

import re
from html import unescape
from urllib.parse import parse_qs, urlsplit

from ..helpers import Client, publish_product


def chips(response) -> dict[str, dict]:
    """Each chip's read-out name and the query its link asks for; and the "Clear all" link under "clear"."""
    html = response.get_data(as_text=True)
    found = {unescape(label): parse_qs(urlsplit(unescape(href)).query) for href, label in
             re.findall(r'<a class="chip" href="([^"]+)" aria-label="([^"]+)"', html)}
    clear = re.search(r'<a class="chips__clear" href="([^"]+)"', html)
    if clear:
        found["clear"] = parse_qs(urlsplit(unescape(clear.group(1))).query)
    return found


def test_each_active_filter_is_a_chip_that_removes_only_itself(app, demo):
    publish_product(app)  # a halal coffee of the demo merchant
    client = Client(app)
    client.post("/currency", {"currency": "MYR", "next": "/"}, token_from="/")
    response = client.get("/products?q=kopi&halal=1&category=coffee-tea&max_price=50&ships_within=7&sort=price_asc")
    assert response.status_code == 200
    found = chips(response)
    assert set(found) == {"Remove filter Coffee and tea", "Remove filter Halal certified", "Remove filter Up to RM50.00",
                          "Remove filter Ships within 7 days", "clear"}
    kept = {"q": ["kopi"], "sort": ["price_asc"]}
    assert found["Remove filter Halal certified"] == {**kept, "category": ["coffee-tea"], "max_price": ["50"],
                                                      "ships_within": ["7"]}
    assert found["Remove filter Coffee and tea"] == {**kept, "halal": ["1"], "max_price": ["50"], "ships_within": ["7"]}
    assert found["clear"] == kept  # the words and the order stay; every filter goes
    # The count comes before the folded filters, and the filters say how many are on.
    html = response.get_data(as_text=True)
    assert html.index('id="results-title"') < html.index('<details class="filter-panel">')
    assert re.search(r'class="filter-panel__count">4<', html)

    # In Malay, the chips are in Malay; and a search without filters has none.
    client.post("/language", {"language": "ms", "next": "/"}, token_from="/")
    assert "Buang penapis Bersijil halal" in chips(client.get("/products?halal=1"))
    assert chips(client.get("/products?q=kopi")) == {}
