"""Finding products: words in Indonesian or English, prefixes, filters that agree with their counts."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import text

from marketplace.accounts import services as accounts
from marketplace.catalog import search
from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import cache, db

from ..helpers import Client, create_product, text_of

# Everything but the first product: no tiers, and no coffee words in the description.
NO_TIERS = {"tiers-0-min_quantity": "", "tiers-0-unit_price": "", "tiers-1-min_quantity": "", "tiers-1-unit_price": "",
            "description_id": "", "description_en": ""}
NO_HALAL = dict(halal_body="", halal_number="", halal_expires_on="", food_registration="", food_registration_number="")
CATALOG = [
    # sku, overrides
    ("KOPI-1", dict(name_id="Kopi Arabika Java Preanger", name_en="Java Preanger Arabica Coffee", price="85000")),
    ("KOPI-2", dict(name_id="Kopi Robusta Garut", name_en="Garut Robusta Coffee", price="60000", halal_body="",
                    halal_number="", halal_expires_on="", food_registration="", food_registration_number="",
                    moq="12")),
    ("TEH-1", dict(name_id="Teh Hitam Malabar", name_en="Malabar Black Tea", price="45000", recyclable="",
                   food_registration="pirt", food_registration_number="2063273010123-24")),
    ("BATIK-1", dict(name_id="Kain Batik Tulis Kujang", name_en="Hand-drawn Kujang Batik Cloth", category="batik-textiles",
                     hs_code="5208.52", price="850000", halal_body="", halal_number="", halal_expires_on="",
                     food_registration="", food_registration_number="", processing="made_to_order",
                     made_to_order_days="21", description_id="Batik tulis pewarna alam.",
                     description_en="Natural dyes, drawn by hand.")),
    ("BATIK-2", dict(name_id="Kemeja Batik Cap", name_en="Stamped Batik Shirt", category="batik-textiles",
                     hs_code="6205.30", price="395000", halal_body="", halal_number="", halal_expires_on="",
                     food_registration="", food_registration_number="")),
    ("SAMBAL-1", dict(name_id="Sambal Bawang Pedas", name_en="Spicy Shallot Sambal", category="sauces-spices",
                      hs_code="2103.90", price="32000",
                      halal_expires_on=(date.today() - timedelta(days=10)).isoformat())),
]


@pytest.fixture(scope="module")
def catalog(shared_data):
    """Six published products and a draft, built once for the module (its tests only read them)."""
    ids = {}
    with shared_data.building() as app:
        shared_data.seed_demo()
        for sku, overrides in CATALOG:
            ids[sku] = create_product(app, sku=sku, photos=1, publish=True, photo_size=(300, 300),
                                      **{**({} if sku == "KOPI-1" else NO_TIERS), **overrides})
            with app.app_context():
                assert db.session.get(Product, ids[sku]).status == ProductStatus.PUBLISHED, sku
        create_product(app, sku="DRAFT-1", name_id="Kopi Rahasia", name_en="Secret Coffee")  # never shown
    return ids


def found(client, query: str) -> list[str]:
    """Product names on the results page, in order."""
    response = client.get("/products?" + query)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    return re.findall(r'class="product-card__name">([^<]+)<', html)


@pytest.fixture()
def buyer(app):
    client = Client(app)
    client.post("/currency", {"currency": "IDR", "next": "/"}, token_from="/")
    return client


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("kopi", {"Java Preanger Arabica Coffee", "Garut Robusta Coffee", "Malabar Black Tea"}),
        ("coffee", {"Java Preanger Arabica Coffee", "Garut Robusta Coffee", "Malabar Black Tea"}),
        ("batik tu", {"Hand-drawn Kujang Batik Cloth"}),
        ("batik", {"Hand-drawn Kujang Batik Cloth", "Stamped Batik Shirt"}),
        ("arab", {"Java Preanger Arabica Coffee"}),
        ("Kopi   ARABIKA", {"Java Preanger Arabica Coffee"}),
        ("pewarna", {"Hand-drawn Kujang Batik Cloth"}),
        ("sambal pedas", {"Spicy Shallot Sambal"}),
        ("teh", {"Malabar Black Tea", "Java Preanger Arabica Coffee", "Garut Robusta Coffee"}),
        ("rahasia", set()),
        ("durian", set()),
    ],
)
def test_words_in_either_language_and_prefixes(buyer, catalog, q, expected):
    assert set(found(buyer, f"q={q}")) == expected


def test_names_rank_above_descriptions_and_categories(buyer, catalog):
    results = found(buyer, "q=kopi")
    assert results[-1] == "Malabar Black Tea"  # matched only by its category, "Kopi dan teh"


def test_operators_and_html_in_the_query_are_harmless(buyer, catalog):
    for q in ('"kopi', "kopi*", "kopi OR batik", "NEAR(kopi", "kopi -teh", "' OR 1=1 --", "%", "\\", "::"):
        response = buyer.get("/products", query_string={"q": q})
        assert response.status_code == 200, q
    response = buyer.get("/products", query_string={"q": "<script>alert(1)</script> kopi"})
    html = response.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt; kopi" in html


def test_filters_combine_and_agree_with_their_counts(buyer, catalog):
    html = buyer.get("/products").get_data(as_text=True)
    assert "6 products" in text_of(buyer.get("/products"))

    def count(label_html: str, name: str, value: str = "1") -> int:
        match = re.search(rf'name="{name}" value="{value}"[^>]*>\s*<span>[^<]*<span class="count">(\d+)</span>',
                          label_html)
        return int(match.group(1))

    # Each count is what clicking the filter gives.
    for name, value in (("halal", "1"), ("bpom", "1"), ("recyclable", "1"), ("verified", "1"),
                        ("category", "batik-textiles"), ("category", "coffee-tea"), ("ships_within", "7")):
        expected = count(html, name, value)
        assert len(found(buyer, f"{name}={value}")) == expected, (name, value)

    assert set(found(buyer, "halal=1")) == {"Java Preanger Arabica Coffee", "Malabar Black Tea"}  # sambal's expired
    assert set(found(buyer, "category=coffee-tea&bpom=1")) == {"Java Preanger Arabica Coffee"}
    assert set(found(buyer, "q=batik&ships_within=7")) == {"Stamped Batik Shirt"}
    assert set(found(buyer, "moq_max=5&category=coffee-tea")) == {"Java Preanger Arabica Coffee", "Malabar Black Tea"}
    assert set(found(buyer, "min_price=50000&max_price=400000")) == {
        "Java Preanger Arabica Coffee", "Garut Robusta Coffee", "Stamped Batik Shirt"}

    # With a filter on, the other counts are counted within it.
    halal_html = buyer.get("/products?halal=1").get_data(as_text=True)
    assert count(halal_html, "category", "coffee-tea") == 2 and count(halal_html, "category", "batik-textiles") == 0
    assert count(halal_html, "bpom") == len(found(buyer, "halal=1&bpom=1")) == 1


def test_price_range_in_ringgit_uses_the_rate(app, catalog):
    visitor = Client(app)  # ringgit by default; 1 RM = 3,924.50 IDR
    assert set(found(visitor, "max_price=15")) == {"Spicy Shallot Sambal", "Malabar Black Tea"}  # Rp 58,867 or less
    assert set(found(visitor, "min_price=15.25&max_price=21.66")) == {"Garut Robusta Coffee", "Java Preanger Arabica Coffee"}
    assert set(found(visitor, "min_price=15.30&max_price=21.66")) == {"Java Preanger Arabica Coffee"}  # Rp 60,045+
    # A bound equal to the price shown keeps the product, from either side; "21,66" is read as 21.66.
    assert found(visitor, "min_price=21.66&max_price=21.66") == ["Java Preanger Arabica Coffee"]
    assert found(visitor, "min_price=21,66&max_price=21,66") == ["Java Preanger Arabica Coffee"]


def test_sorts(buyer, catalog):
    assert found(buyer, "sort=price_asc")[:2] == ["Spicy Shallot Sambal", "Malabar Black Tea"]
    assert found(buyer, "sort=price_desc")[0] == "Hand-drawn Kujang Batik Cloth"
    assert found(buyer, "sort=newest")[0] == "Spicy Shallot Sambal"
    assert found(buyer, "q=kopi&sort=price_asc")[0] == "Malabar Black Tea"


def test_pages_and_the_url_keep_every_choice(app, buyer, catalog):
    html = buyer.get("/products?category=coffee-tea&sort=price_asc&halal=1").get_data(as_text=True)
    assert 'value="coffee-tea" checked' in html and 'name="halal" value="1" checked' in html
    assert '<option value="price_asc" selected>' in html


def test_absurd_pages_and_bad_parameters_get_a_friendly_page(buyer, catalog):
    page = buyer.get("/products?page=999")
    assert page.status_code == 200 and "There is no page 999." in text_of(page)
    for query in ("page=-1", "page=abc", "page=99999999999999999999", "min_price=abc", "max_price=1e999",
                  "ships_within=0", "moq_max=-5", "sort=drop", "category=weapons", "min_price=100&max_price=5",
                  "q=" + "x" * 5000, "halal=maybe", "min_price=99999999999999999999",
                  "max_price=99999999999999999999", "endpoint=x", "_external=0"):
        response = buyer.get("/products?" + query)
        assert response.status_code == 200, query
    assert "Some of the filters could not be used" in text_of(buyer.get("/products?min_price=abc"))
    assert "Nothing matches yet." in text_of(buyer.get("/products?q=durian"))


def test_cached_pages_follow_every_change_at_once(app, merchant, buyer, catalog, make_product):
    assert "Stamped Batik Shirt" in found(buyer, "q=batik")
    merchant.post(f"/merchant/products/{catalog['BATIK-2']}/status", {"status": "draft"}, token_from="/merchant/products/")
    assert "Stamped Batik Shirt" not in found(buyer, "q=batik")
    assert "6 products" not in text_of(buyer.get("/products"))

    visitor = Client(app)
    assert "RM21.66" in text_of(visitor.get("/products?q=arabika"))
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": "4250", "effective_on": date.today().isoformat(),
                                     "source": "Bank Indonesia JISDOR"})
    assert "RM20.00" in text_of(visitor.get("/products?q=arabika"))  # 85,000 / 4,250


def test_seed_bench_makes_a_searchable_catalog(app, demo):
    result = app.test_cli_runner().invoke(args=["seed-bench", "--merchants", "12", "--products", "240"])
    assert result.exit_code == 0, result.output
    assert "12 merchants and 240 products" in result.output
    again = app.test_cli_runner().invoke(args=["seed-bench", "--merchants", "12", "--products", "240"])
    assert "already there: 240 products" in again.output
    client = Client(app)
    page = text_of(client.get("/products?q=kopi&halal=1"))
    assert re.search(r"\d+ products for “kopi”", page)
    assert client.get("/api/v1/products?q=batik&verified=1").status_code == 200
    # Rows made after the bulk load get fresh ids (PostgreSQL's sequences moved past the bench rows).
    assert create_product(app, "merchant@serumpun.example") > 240
    with app.test_request_context():
        buyer = accounts.register_buyer(accounts.BuyerSignup(
            email="after-bench@example.com", password="a long pass phrase 77", locale="en",
            details=accounts.BuyerDetails(full_name="Nur", company=None, country="MY", state="MY-10", region=None,
                                          city="Petaling Jaya", postcode="47300", phone="+60123456789")))
        db.session.flush()
        assert buyer.id > 12


def test_a_typed_word_finds_the_longer_words_it_starts_and_new_words_at_once(app, demo):
    """PostgreSQL searches a typed word as the catalog's words starting with it (catalog.search.word_starts,
    from the table the document's trigger keeps); SQLite's FTS5 matches the prefix itself. Both find the same."""
    create_product(app, sku="TLS-1", publish=True, photos=1, photo_size=(300, 300), name_id="Batik Tulisan Tangan Sumedang",
                   name_en="Sumedang Handwritten Batik", category="batik-textiles", hs_code="5208.52",
                   **NO_HALAL)
    client = Client(app)
    assert found(client, "q=batik+tulis") == ["Sumedang Handwritten Batik"]
    assert found(client, "q=tulisa") == ["Sumedang Handwritten Batik"]
    # A word nobody had used: found as soon as the product is saved (no index to rebuild, no wait).
    create_product(app, sku="TLS-2", publish=True, photos=1, photo_size=(300, 300), name_id="Kain Batik Tulis-an Garut", name_en="Garut Qwzyx Cloth",
                   category="batik-textiles", hs_code="5208.52", **NO_HALAL)
    assert found(client, "q=qwz") == ["Garut Qwzyx Cloth"]
    # "Tulis-an" is kept as "tulis-an" (next to "batik"), then "tulis" and "an": only the prefix finds it after
    # "batik", so that "tulis" is searched as a prefix again, not as the plain words starting with it.
    assert set(found(client, "q=batik+tulis")) == {"Sumedang Handwritten Batik", "Garut Qwzyx Cloth"}
    with app.app_context():
        if db.engine.dialect.name == "postgresql":
            starts = search.word_starts(["tulisa", "tulis", "qwz", "zzzq"])
            assert starts == {"tulisa": ("tulisan",), "tulis": None, "qwz": ("qwzyx",), "zzzq": ()}


def test_a_prefix_that_starts_too_many_words_stays_a_prefix(app, demo, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("SQLite's FTS5 matches prefixes itself")
    create_product(app, sku="KP-1", publish=True, photos=1, photo_size=(300, 300), name_id="Kopi Kopyor Kopitiam", name_en="Kopitiam Coffee", **NO_HALAL)
    with app.app_context():
        assert search.word_starts(["kop"])["kop"] == ("kopi", "kopitiam", "kopyor")
        # A word may be in the table twice (no unique constraint): still three words, not a short list.
        db.session.execute(text("INSERT INTO search_words (word) VALUES ('kopi'), ('kopi'), ('kopi')"))
        db.session.commit()
        cache.clear()
        monkeypatch.setattr(search, "MAX_STARTS", 3)
        assert search.word_starts(["kop"])["kop"] == ("kopi", "kopitiam", "kopyor")
        cache.clear()
        monkeypatch.setattr(search, "MAX_STARTS", 2)
        assert search.word_starts(["kop"])["kop"] is None
    assert found(Client(app), "q=kop") == ["Kopitiam Coffee"]
