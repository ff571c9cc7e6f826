"""A Malaysian buyer's words find Bandung listings: search synonyms, and the officers' table of them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from marketplace.audit.models import AuditEntry
from marketplace.catalog.models import SynonymGroup
from marketplace.extensions import db

from ..helpers import Client, create_product, text_of
from .test_queries import counting

PLAIN = {"tiers-0-min_quantity": "", "tiers-0-unit_price": "", "tiers-1-min_quantity": "", "tiers-1-unit_price": "",
         "description_id": "", "description_en": ""}
NOT_FOOD = {"halal_body": "", "halal_number": "", "halal_expires_on": "", "food_registration": "",
            "food_registration_number": ""}
CATALOG = [
    ("KRUPUK", dict(name_id="Kerupuk Udang Garut", name_en="Garut Prawn Puffs", category="snacks", hs_code="1905.90")),
    ("KERIPIK", dict(name_id="Keripik Singkong Pedas", name_en="Spicy Cassava Slices", category="snacks",
                     hs_code="2008.99")),
    ("KEREPEK", dict(name_id="Kerepek Pisang Tanduk", name_en="Plantain Slices", category="snacks", hs_code="2008.99")),
    ("PARFUM", dict(name_id="Parfum Melati", name_en="Jasmine Scent 30 ml", category="beauty-herbal",
                    hs_code="3303.00", **NOT_FOOD)),
    ("ATTAR", dict(name_id="Minyak Wangi Kasturi", name_en="Musk Attar 10 ml", category="beauty-herbal",
                   hs_code="3303.00", **NOT_FOOD)),
    ("GORENG", dict(name_id="Minyak Kelapa Wangi Pandan", name_en="Pandan Coconut Cooking Oil",
                    category="sauces-spices", hs_code="1513.19")),
    ("GOLEK", dict(name_id="Wayang Golek Cepot", name_en="Cepot Rod Figure", category="crafts-decor",
                   hs_code="4420.10", **NOT_FOOD)),
]


@pytest.fixture(scope="module")
def catalog(shared_data):
    """Snacks, scents and a craft, each named the Bandung way (the demo's synonym table is seeded too)."""
    with shared_data.building() as app:
        shared_data.seed_demo()
        return {sku: create_product(app, sku=sku, photos=1, publish=True, photo_size=(300, 300),
                                    **{**PLAIN, "price": "30000", **overrides})
                for sku, overrides in CATALOG}


def found(client, query: str) -> set[str]:
    response = client.get("/products?" + query)
    assert response.status_code == 200
    return set(re.findall(r'class="product-card__name">([^<]+)<', response.get_data(as_text=True)))


def groups(app) -> list[tuple[str | None, str]]:
    with app.app_context():
        return [(g.category, g.terms) for g in db.session.scalars(select(SynonymGroup).order_by(SynonymGroup.id))]


def audit_entries(app, action: str) -> list[tuple[str, dict | None, dict | None]]:
    with app.app_context():
        return [(e.object_id, e.before, e.after)
                for e in db.session.scalars(select(AuditEntry).where(AuditEntry.action == action))]


def reading(app, language: str) -> Client:
    client = Client(app)
    client.post("/language", {"language": language, "next": "/"}, token_from="/")
    return client


@pytest.fixture()
def buyer(app):
    return reading(app, "en")


@pytest.fixture()
def officer(app):
    client = Client(app)
    client.login("officer@serumpun.example")
    client.post("/language", {"language": "en", "next": "/"}, token_from="/")
    return client


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        ("keropok", {"Garut Prawn Puffs"}),  # Malay: the Indonesian kerupuk
        ("crackers", {"Garut Prawn Puffs", "Spicy Cassava Slices", "Plantain Slices"}),  # English: keripik too
        ("keripik", {"Spicy Cassava Slices", "Plantain Slices"}),  # Indonesian finds the Malay kerepek
        ("kerepek pedas", {"Spicy Cassava Slices"}),  # the other words still narrow it
        ("minyak wangi", {"Jasmine Scent 30 ml", "Musk Attar 10 ml"}),  # two words as one term
        ("perfume", {"Jasmine Scent 30 ml", "Musk Attar 10 ml"}),  # "minyak wangi" as a phrase: no cooking oil
        ("parfum", {"Jasmine Scent 30 ml", "Musk Attar 10 ml"}),
        ("minyak kelapa", {"Pandan Coconut Cooking Oil"}),  # no synonym: as before
    ],
)
def test_a_buyers_words_find_the_merchants_words(buyer, catalog, q, expected):
    assert found(buyer, f"q={q}") == expected


def test_the_api_finds_the_same_and_follows_the_table(app, officer, catalog):
    def ids(q: str) -> list[int]:
        return [item["id"] for item in Client(app).get(f"/api/v1/products?q={q}").get_json()["data"]]

    assert ids("keropok") == [catalog["KRUPUK"]]
    assert ids("puppet") == []  # cached until the table changes
    officer.post("/officer/synonyms/", {"category": "", "terms": "wayang golek, puppet"})
    assert ids("puppet") == [catalog["GOLEK"]]


def test_a_category_uses_its_own_groups_and_the_general_ones(buyer, catalog):
    assert found(buyer, "q=keropok&category=snacks") == {"Garut Prawn Puffs"}
    assert found(buyer, "q=keropok&category=beauty-herbal") == set()  # the snack groups are not used there
    assert "Showing results for" not in text_of(buyer.get("/products?q=keropok&category=beauty-herbal"))


def test_the_results_say_which_words_were_searched(app, buyer, catalog):
    page = text_of(buyer.get("/products?q=keropok"))
    assert "1 product for “keropok”" in page
    assert re.search(r"Showing results for “keropok”, “kerupuk”, .*“crackers”", page)
    assert "Showing results for" not in text_of(buyer.get("/products?q=minyak+kelapa"))
    malay = text_of(reading(app, "ms").get("/products?q=keropok"))
    assert re.search(r"Memaparkan hasil untuk “keropok”, “kerupuk”, .* dan “cracker”", malay)
    indonesian = text_of(reading(app, "id").get("/products?q=minyak+wangi"))
    assert re.search(r"Menampilkan hasil untuk “minyak wangi”, “parfum”, .* dan “pewangi”", indonesian)


def test_synonyms_cost_no_query_of_their_own(app, catalog):
    """The table is read from the cache: a search with synonyms makes as many queries as one without."""
    visitor = Client(app)

    def queries(q: str) -> int:
        visitor.get(f"/products?q={q}")  # reads the rates and the synonym table once
        with counting(app) as statements:  # another order of the same search: its results are not cached yet
            assert visitor.get(f"/products?q={q}&sort=price_asc").status_code == 200
        return len(statements)

    assert queries("keropok+udang") == queries("garut+udang")


def test_an_officer_adds_a_group_and_search_uses_it_at_once(app, buyer, officer, catalog):
    visitor = Client(app)
    assert found(visitor, "q=puppet") == set()  # cached now, for every anonymous reader
    page = officer.get("/officer/synonyms/")
    assert page.status_code == 200
    assert "keropok" in text_of(page)
    response = officer.post("/officer/synonyms/", {"category": "crafts-decor", "terms": "Wayang Golek, puppet,\n boneka"})
    assert response.status_code == 302
    assert "wayang golek, puppet, boneka" in text_of(officer.get("/officer/synonyms/"))
    assert found(visitor, "q=puppet") == {"Cepot Rod Figure"}
    assert "Showing results for “puppet”, “wayang golek”, and “boneka”." in text_of(visitor.get("/products?q=puppet"))

    assert ("crafts-decor", "wayang golek, puppet, boneka") in groups(app)
    [(object_id, before, after)] = audit_entries(app, "synonyms.added")
    assert before is None and after == {"category": "crafts-decor", "terms": ["wayang golek", "puppet", "boneka"]}
    assert "Search synonyms added" in text_of(officer.get("/officer/audit"))

    officer.post(f"/officer/synonyms/{object_id}/remove", {}, token_from="/officer/synonyms/")
    assert found(visitor, "q=puppet") == set()
    assert "wayang golek" not in text_of(officer.get("/officer/synonyms/"))
    [(removed_id, before, after)] = audit_entries(app, "synonyms.removed")
    assert removed_id == object_id and before["terms"][0] == "wayang golek" and after is None


@pytest.mark.parametrize(
    ("terms", "message"),
    [
        ("", "Enter at least two words that mean the same, separated by commas."),
        (" , ;  ", "Enter at least two words that mean the same, separated by commas."),
        ("keropok", "A group needs at least two different words: “keropok” has nothing to stand for."),
        ("Keropok, keropok!", "A group needs at least two different words: “keropok” has nothing to stand for."),
        ("kerupuk, krupuk, keropok, crackers, cracker", "This group is already in the table."),
        ("a b c d e, f", "“a b c d e” is too long: a term has at most 4 words."),
    ],
)
def test_bad_groups_are_refused_with_a_clear_message(app, officer, catalog, terms, message):
    before = groups(app)
    response = officer.post("/officer/synonyms/", {"category": "snacks", "terms": terms})
    assert response.status_code == 400
    assert message in text_of(response)
    assert groups(app) == before
    assert audit_entries(app, "synonyms.added") == []


def test_an_unknown_category_is_refused(officer, catalog):
    response = officer.post("/officer/synonyms/", {"category": "durian", "terms": "durian, musang king"})
    assert response.status_code == 400
    assert "Please choose one of the options." in text_of(response)


@pytest.mark.parametrize("email", [None, "buyer@serumpun.example", "merchant@serumpun.example"])
def test_only_officers_keep_the_table(app, catalog, email):
    client = Client(app)
    if email:
        client.login(email)
    before = groups(app)
    with app.app_context():
        group_id = db.session.scalar(select(SynonymGroup.id).limit(1))
    for response in (client.get("/officer/synonyms/"),
                     client.post("/officer/synonyms/", {"terms": "durian, musang king"}, token_from="/"),
                     client.post(f"/officer/synonyms/{group_id}/remove", {}, token_from="/")):
        assert response.status_code == (403 if email else 302)
    assert groups(app) == before
