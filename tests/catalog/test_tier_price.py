"""The product page's headline price follows the quantity: the wholesale tier it reaches, and the line total."""
from __future__ import annotations

import json
import re
from html import unescape

import pytest
from flask_babel import force_locale

from marketplace.core.templating import format_money, format_with_pattern, money_pattern

from ..helpers import Client, publish_product, text_of


@pytest.fixture()
def coffee(app, demo) -> int:
    """Sold from 6 units: Rp 85,000 each, Rp 78,000 from 24, Rp 72,000 from 48 (MYR 21.66, 19.88, 18.35)."""
    return publish_product(app, moq="6", **{"tiers-0-min_quantity": "24", "tiers-1-min_quantity": "48"})


def headline(page: str) -> str:
    """The price block under the product's name, as text."""
    start, end = page.index("Kopi Arabika Java Preanger 250 g"), page.index("Halal")
    return page[start:end]


# The demo rate is of 15 October 2025, older than RATE_STALE_DAYS: the headline says "rate of" its date.
@pytest.mark.parametrize(("quantity", "shown"), [
    ("", "RM21.66 IDR85,000 rate of 15 Oct 2025: 1 RM = 3,924.50 IDR 6+ units: RM21.66 per unit "
         "Line total: 6 × RM21.66 = RM129.96 IDR510,000"),
    ("5", "6+ units: RM21.66 per unit Line total: 6 × RM21.66 = RM129.96"),  # below the MOQ: the MOQ
    ("6", "6+ units: RM21.66 per unit Line total: 6 × RM21.66 = RM129.96"),
    ("23", "RM21.66 IDR85,000 rate of 15 Oct 2025: 1 RM = 3,924.50 IDR 6+ units: RM21.66 per unit "
           "Line total: 23 × RM21.66 = RM498.18 IDR1,955,000"),
    ("24", "RM19.88 IDR78,000 rate of 15 Oct 2025: 1 RM = 3,924.50 IDR 24+ units: RM19.88 per unit "
           "Line total: 24 × RM19.88 = RM477.12 IDR1,872,000"),
    ("47", "47 × RM19.88 = RM934.36 IDR3,666,000"),
    ("48", "RM18.35 IDR72,000 rate of 15 Oct 2025: 1 RM = 3,924.50 IDR 48+ units: RM18.35 per unit "
           "Line total: 48 × RM18.35 = RM880.80 IDR3,456,000"),
])
def test_the_headline_price_is_the_tier_the_quantity_reaches(client, coffee, quantity, shown):
    page = text_of(client.get(f"/products/{coffee}" + (f"?qty={quantity}" if quantity else "")))
    assert shown in headline(page)


def test_the_buy_form_and_the_tier_table_start_from_the_same_quantity(client, coffee):
    html = client.get(f"/products/{coffee}?qty=30").get_data(as_text=True)
    assert re.search(r'id="buy-quantity"[^>]*value="30"', html)
    current = re.findall(r'<tr data-price-step="(\d)" class="tiers-table__current" aria-current="true">', html)
    assert current == ["1"]  # the 24+ row
    below = client.get(f"/products/{coffee}?qty=2").get_data(as_text=True)
    assert re.search(r'id="buy-quantity"[^>]*value="6"', below)  # never below the minimum order


@pytest.mark.parametrize(("language", "quantity", "shown"), [
    ("ms", "23", "6+ unit: RM21.66 seunit Jumlah harga: 23 × RM21.66 = RM498.18 IDR1,955,000"),
    ("ms", "24", "24+ unit: RM19.88 seunit Jumlah harga: 24 × RM19.88 = RM477.12 IDR1,872,000"),
    ("id", "47", "24+ unit: RM19,88 per unit Total harga: 47 × RM19,88 = RM934,36 Rp3.666.000"),
    ("id", "48", "48+ unit: RM18,35 per unit Total harga: 48 × RM18,35 = RM880,80 Rp3.456.000"),
])
def test_the_tier_and_line_total_read_in_the_readers_language(client, coffee, language, quantity, shown):
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    assert shown in text_of(client.get(f"/products/{coffee}?qty={quantity}"))


@pytest.mark.parametrize(("currency", "shown"), [
    ("SGD", "24+ units: SGD6.10 per unit Line total: 24 × SGD6.10 = SGD146.40 IDR1,872,000"),
    ("USD", "24+ units: US$4.70 per unit Line total: 24 × US$4.70 = US$112.80 IDR1,872,000"),
    ("IDR", "24+ units: IDR78,000 per unit Line total: 24 × IDR78,000 = IDR1,872,000"),
])
def test_the_line_total_is_the_shown_unit_price_times_the_quantity_in_any_currency(client, coffee, currency, shown):
    client.post("/currency", {"currency": currency, "next": "/"}, token_from="/")
    assert shown in text_of(client.get(f"/products/{coffee}?qty=24"))


def test_cached_pages_for_two_quantities_either_side_of_a_tier_stay_apart(app, coffee):
    first, second = Client(app), Client(app)  # anonymous readers: whole pages come from the cache
    for _ in range(2):
        assert "23 × RM21.66" in text_of(first.get(f"/products/{coffee}?qty=23"))
        assert "24 × RM19.88" in text_of(second.get(f"/products/{coffee}?qty=24"))
        assert "6 × RM21.66" in text_of(first.get(f"/products/{coffee}"))


def test_the_page_carries_every_tier_for_the_script(client, coffee):
    html = client.get(f"/products/{coffee}").get_data(as_text=True)
    steps = json.loads(unescape(re.search(r'data-price-steps="([^"]+)"', html).group(1)))
    assert [(s["min"], s["idr"], s["shown"], s["main"]) for s in steps] == [
        (6, 85_000, 2166, "RM21.66"), (24, 78_000, 1988, "RM19.88"), (48, 72_000, 1835, "RM18.35")]
    assert steps[1]["label"] == "24+ units: RM19.88 per unit"
    assert json.loads(unescape(re.search(r'data-money-shown="([^"]+)"', html).group(1))) == {
        "prefix": "RM", "group": ",", "decimal": ".", "digits": 2, "suffix": ""}


def test_a_product_without_tiers_has_one_price_and_a_line_total(client, app, demo):
    plain = publish_product(app, sku="PLAIN-1", **{"tiers-0-min_quantity": "", "tiers-0-unit_price": "",
                                                   "tiers-1-min_quantity": "", "tiers-1-unit_price": ""})
    page = text_of(client.get(f"/products/{plain}?qty=100"))
    assert "Line total: 100 × RM21.66 = RM2,166.00 IDR8,500,000" in page
    assert "units: " not in headline(page)


@pytest.mark.parametrize("language", ["en", "id", "ms"])
@pytest.mark.parametrize("currency", ["MYR", "SGD", "USD", "IDR"])
def test_the_scripts_money_pattern_writes_money_as_the_server_does(app, language, currency):
    with app.test_request_context(), force_locale(language):
        pattern = money_pattern(currency)
        assert pattern is not None
        for minor in (0, 5, 99, 100, 2166, 123_456, 1_000_000, 987_654_321, 12_345_678_901_234):
            assert format_with_pattern(minor, pattern) == format_money(minor, currency)
