"""Counts on a large catalog (PostgreSQL): said as estimates ("about"), close to the truth, exact when small.

The sample is shrunk from 2,000 to a few dozen products, so that a catalog of a few hundred bench products
behaves as a catalog of a million does.
"""
from __future__ import annotations

import re

import pytest

from marketplace.catalog import search
from marketplace.catalog.synonyms import seed_sample_synonyms
from marketplace.demo.bench import seed_bench
from marketplace.demo.seed import seed_rates
from marketplace.extensions import cache, db
from marketplace.media.storage import storage

from ..helpers import text_of


def test_an_estimate_is_said_as_a_person_would_say_it():
    assert [search.about(n) for n in (0, 7, 99, 100, 987, 1_050, 41_237, 1_000_000)] == \
        [0, 7, 99, 100, 990, 1_100, 41_000, 1_000_000]


def heading(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return " ".join(re.sub(r"<[^>]+>", " ", re.search(r'<h1 id="results-title"[^>]*>(.*?)</h1>',
                                                     response.get_data(as_text=True), re.S).group(1)).split())


def counts(client, path: str, monkeypatch, sample: int) -> dict:
    monkeypatch.setattr(search, "SAMPLE", sample)
    with client.app.app_context():
        cache.clear()  # pages and counts are cached for a minute: each sample size counts afresh
    body = client.get("/api/v1/products?" + path).get_json()
    return {"total": body["meta"]["total"], "estimated": body["meta"]["estimated"],
            "facets_estimated": body["meta"]["facets_estimated"], **body["facets"]["flags"],
            **body["facets"]["category"]}


def near(estimate: int, exact: int) -> bool:
    return abs(estimate - exact) <= max(10, exact * 0.3)


@pytest.fixture()
def large_catalog(app, monkeypatch):
    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("estimated counts are PostgreSQL's (SQLite counts exactly, see catalog.search.SAMPLE)")
        seed_bench(storage(), merchants=12, products=470)  # also ANALYZEs, so that the planner knows them
        seed_rates()
        seed_sample_synonyms()
        db.session.commit()
    monkeypatch.setattr(search, "SAMPLE", 120)


def test_a_search_matching_more_than_the_sample_says_about_and_is_near_the_count(app, client, large_catalog,
                                                                                  monkeypatch):
    for query in ("", "q=kopi", "q=kopi&halal=1&category=coffee-tea", "q=batik+tulis&verified=1",
                  "q=sambal&bpom=1&sort=price_asc", "recyclable=1&ships_within=30"):
        exact = counts(client, query, monkeypatch, sample=10**6)
        estimate = counts(client, query, monkeypatch, sample=120)
        assert not exact["estimated"] and not exact["facets_estimated"], query
        if exact["total"] > 120:
            assert estimate["facets_estimated"], query
        for name, value in exact.items():
            if isinstance(value, int) and not isinstance(value, bool):
                assert near(estimate[name], value), (query, name, estimate[name], value)

    monkeypatch.setattr(search, "SAMPLE", 30)  # "kopi" matches more than this
    with app.app_context():
        cache.clear()
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ms"
    assert re.fullmatch(r"Kira-kira [\d,]+ produk untuk “kopi”", heading(client, "/products?q=kopi"))
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    assert re.fullmatch(r"Sekitar [\d.]+ produk", heading(client, "/products"))
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
    page = text_of(client.get("/products?q=kopi"))
    assert re.search(r"Halal certified ~ about [\d,]+", page)  # the facets are marked too, and read out


def test_a_search_within_the_sample_or_ending_on_its_page_is_counted_exactly(app, client, large_catalog,
                                                                             monkeypatch):
    exact = counts(client, "q=batik+tulis&verified=1&category=batik-textiles", monkeypatch, sample=10**6)
    assert 0 < exact["total"] <= 120
    assert heading(client, "/products?q=batik+tulis&verified=1&category=batik-textiles") == \
        f"{exact['total']} products for “batik tulis”"

    # More matches than the sample, but the last page is not full: what is shown is the whole count.
    total = counts(client, "", monkeypatch, sample=10**6)["total"]
    last = -(-total // search.PER_PAGE)
    assert total % search.PER_PAGE  # 470 bench products: not a whole number of pages
    monkeypatch.setattr(search, "SAMPLE", 120)
    assert heading(client, f"/products?page={last}") == f"{total} products"
    assert heading(client, "/products?q=nothingmatchesthis") == "0 products for “nothingmatchesthis”"


def test_many_matches_list_the_names_first_newest_first_over_pages_that_neither_repeat_nor_skip(
        app, client, large_catalog, monkeypatch):
    def page_of(query: str) -> tuple[list[dict], dict]:
        body = client.get("/api/v1/products?per_page=10&" + query).get_json()
        return body["data"], body["meta"]

    monkeypatch.setattr(search, "RANK_LIMIT", 10**6)  # ranked one by one: every match, once
    ranked, meta = [], None
    for page in range(1, 20):
        with app.app_context():
            cache.clear()
        rows, meta = page_of(f"q=kopi&page={page}")
        ranked += rows
        if page >= meta["pages"]:
            break
    assert len(ranked) == meta["total"] > 30

    monkeypatch.setattr(search, "RANK_LIMIT", 30)
    walked = []
    for page in range(1, meta["pages"] + 1):
        with app.app_context():
            cache.clear()
        rows, _ = page_of(f"q=kopi&page={page}")
        walked += rows
    assert sorted(p["id"] for p in walked) == sorted(p["id"] for p in ranked)  # each match once

    def named(product: dict) -> bool:
        return any(word in (product["name"]["id"] + " " + (product["name"]["en"] or "")).lower()
                   for word in ("kopi", "coffee"))

    marks = [named(p) for p in walked]
    assert marks == sorted(marks, reverse=True) and True in marks and False in marks  # teas (category words) last
    for part in (True, False):
        dates = [p["published_at"] for p in walked if named(p) is part]
        assert dates == sorted(dates, reverse=True)

    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ms"
    with app.app_context():
        cache.clear()
    assert "Terlalu banyak produk sepadan" in text_of(client.get("/products?q=kopi"))
