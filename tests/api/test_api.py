"""The JSON API answers what its own OpenAPI document promises."""
from __future__ import annotations

import json

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate as validate_spec
from referencing import Registry, Resource

from ..helpers import Client, product_form, publish_product

SPEC_URI = "urn:serumpun:openapi"


VALID_DOCUMENTS: set[str] = set()


@pytest.fixture()
def spec(client):
    document = client.get("/api/v1/openapi.json").json
    text = json.dumps(document, sort_keys=True)
    if text not in VALID_DOCUMENTS:  # the same document need not be checked again
        validate_spec(document)  # the document itself is valid OpenAPI 3.1
        VALID_DOCUMENTS.add(text)
    return document


@pytest.fixture()
def check(spec):
    # The whole document is one resource; "#/components/schemas/..." references resolve inside it.
    registry = Registry().with_resource(SPEC_URI, Resource.opaque(spec))

    def validate(response, schema: str):
        assert response.headers["Content-Type"].startswith("application/json")
        validator = Draft202012Validator({"$ref": f"{SPEC_URI}#/components/schemas/{schema}"}, registry=registry,
                                         format_checker=FormatChecker())
        errors = sorted(validator.iter_errors(response.json), key=lambda e: e.path)
        assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]
        return response.json

    return validate


@pytest.fixture(scope="module")
def published(shared_data):
    """Two published products of the demo coffee roaster, built once for the module."""
    with shared_data.building() as app:
        shared_data.seed_demo()
        return [publish_product(app, sku=sku, **extra) for sku, extra in (
            ("API-1", {}), ("API-2", {"name_en": "Malabar Black Tea", "name_id": "Teh Hitam Malabar",
                                      "price": "45000", "halal_body": "", "halal_number": "",
                                      "halal_expires_on": "", "tiers-0-min_quantity": "",
                                      "tiers-0-unit_price": "", "tiers-1-min_quantity": "",
                                      "tiers-1-unit_price": ""}))]


@pytest.mark.parametrize("query", ["endpoint=x", "_external=0", "_anchor=top"])
def test_odd_query_keys_are_data_not_instructions(client, check, published, query):
    response = client.get("/api/v1/products?per_page=1&" + query)
    assert response.status_code == 200
    assert check(response, "ProductList")["links"]["self"].startswith("http://localhost/api/v1/products?")


def test_products_list_matches_its_schema_and_carries_what_partners_need(client, check, published):
    body = check(client.get("/api/v1/products?per_page=10"), "ProductList")
    assert body["meta"]["total"] == 2
    coffee = next(p for p in body["data"] if p["sku"] == "API-1")
    assert coffee["price"] == {"idr": {"amount": 85000, "currency": "IDR"}, "myr": {"amount": 2166, "currency": "MYR"}}
    assert coffee["tiers"][0] == {"min_quantity": 12, "unit_price": {"idr": {"amount": 78000, "currency": "IDR"},
                                                                     "myr": {"amount": 1988, "currency": "MYR"}}}
    assert coffee["hs_code"] == "090121" and coffee["hs"]["chapter_name"] == "Coffee, tea and spices"
    assert coffee["box"] == {"length_mm": 180, "width_mm": 120, "height_mm": 65}
    assert coffee["packed_weight_g"] == 320 and coffee["moq"] == 1 and coffee["stock_status"] == "in_stock"
    assert coffee["certifications"]["halal"]["valid"] is True
    assert coffee["certifications"]["food_registration"] == {"kind": "BPOM MD", "number": "224510001234"}
    assert coffee["merchant"]["name"] == "Sangrai Preanger Coffee" and coffee["merchant"]["verified"] is True
    image = coffee["images"][0]["variants"][0]
    assert image["webp"].startswith("http://localhost/media/")
    assert client.get(image["webp"].removeprefix("http://localhost")).status_code == 200


def test_filters_and_pages_work_as_on_the_site(client, check, published):
    body = check(client.get("/api/v1/products?q=teh&halal=1"), "ProductList")
    assert [p["sku"] for p in body["data"]] == ["API-1"]  # "teh": the tea's name, the coffee's category; only one halal
    body = check(client.get("/api/v1/products?per_page=1&sort=price_asc"), "ProductList")
    assert body["data"][0]["sku"] == "API-2" and body["meta"]["pages"] == 2
    assert body["links"]["next"].endswith("page=2") and "prev" not in body["links"]
    second = check(client.get(body["links"]["next"].removeprefix("http://localhost")), "ProductList")
    assert second["data"][0]["sku"] == "API-1"


def test_one_product_categories_merchants_and_rates(client, check, published):
    body = check(client.get(f"/api/v1/products/{published[0]}"), "ProductResponse")
    assert body["data"]["name"] == {"id": "Kopi Arabika Java Preanger 250 g", "en": "Java Preanger Arabica Coffee 250 g"}
    categories = check(client.get("/api/v1/categories"), "CategoryList")["data"]
    coffee = next(c for c in categories if c["code"] == "coffee-tea")
    assert coffee["product_count"] == 2 and coffee["name"]["id"] == "Kopi dan teh" and coffee["hs_heading"] == "0901"
    merchants = check(client.get("/api/v1/merchants"), "MerchantList")["data"]
    assert [m["slug"] for m in merchants] == ["sangrai-preanger-coffee"]
    merchant = check(client.get("/api/v1/merchants/sangrai-preanger-coffee"), "MerchantResponse")["data"]
    assert len(merchant["products"]) == 2
    rates = check(client.get("/api/v1/exchange-rates"), "RateList")["data"]
    assert {r["currency"]: r["idr_per_unit"] for r in rates} == {"MYR": "3924.5", "SGD": "12780", "USD": "16580"}


def test_a_change_to_the_tiers_alone_moves_updated_at(app, client, check, published):
    before = check(client.get(f"/api/v1/products/{published[0]}"), "ProductResponse")["data"]
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    response = merchant.post(f"/merchant/products/{published[0]}/edit",
                             product_form(sku="API-1", **{"tiers-0-unit_price": "77000"}))
    assert response.status_code == 302
    after = check(client.get(f"/api/v1/products/{published[0]}"), "ProductResponse")["data"]
    assert after["tiers"][0]["unit_price"]["idr"]["amount"] == 77000
    assert after["updated_at"] > before["updated_at"]


def test_etags_answer_304_until_the_price_moves_with_the_rate(app, client, published):
    from datetime import date

    first = client.get(f"/api/v1/products/{published[0]}")
    assert first.headers["ETag"] and "Last-Modified" not in first.headers
    assert client.get(f"/api/v1/products/{published[0]}", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/officer/rates/", {"currency": "MYR", "idr_per_unit": "4000", "effective_on": date.today().isoformat(),
                                     "source": "Test"})
    moved = client.get(f"/api/v1/products/{published[0]}", headers={"If-None-Match": first.headers["ETag"]})
    assert moved.status_code == 200 and moved.json["data"]["price"]["myr"]["amount"] == 2125  # Rp85,000 / 4,000
    listing = client.get("/api/v1/products")
    again = client.get("/api/v1/products", headers={"If-None-Match": listing.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    changed = client.get("/api/v1/products?sort=price_asc", headers={"If-None-Match": listing.headers["ETag"]})
    assert changed.status_code == 200


def test_read_only_cors(client, published):
    response = client.get("/api/v1/products", headers={"Origin": "https://bcc.bandung.go.id"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET, HEAD, OPTIONS"
    preflight = client.http.options("/api/v1/products", headers={"Origin": "https://x.example",
                                                             "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 200
    assert client.http.post("/api/v1/products", json={}).status_code == 405
    assert client.http.delete(f"/api/v1/products/{published[0]}").status_code == 405


@pytest.mark.parametrize(
    ("url", "status", "needle"),
    [
        ("/api/v1/products?page=abc", 400, "page"),
        ("/api/v1/products?page=0", 400, "page"),
        ("/api/v1/products?page=50", 400, "There are 1 pages."),
        ("/api/v1/products?per_page=500", 400, "per_page"),
        ("/api/v1/products?min_price=cheap", 400, "min_price"),
        ("/api/v1/products?sort=random", 400, "sort"),
        ("/api/v1/products?category=weapons", 400, "category"),
        ("/api/v1/products/999999", 404, "not find"),
        ("/api/v1/products/99999999999999999999", 404, "not find"),
        ("/api/v1/merchants/no-such-shop", 404, "not find"),
        ("/api/v1/nothing-here", 404, "not find"),
    ],
)
def test_errors_are_json_with_a_clear_message(client, check, published, url, status, needle):
    response = client.get(url)
    assert response.status_code == status
    body = check(response, "Error")
    assert needle in body["error"]["message"]


def test_html_in_queries_comes_back_as_data_not_markup(client, check, published):
    body = check(client.get("/api/v1/products", query_string={"q": "<script>alert(1)</script>"}), "ProductList")
    assert body["data"] == [] and body["meta"]["total"] == 0


def test_unpublished_products_are_not_in_the_api(app, client, published):
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    merchant.post(f"/merchant/products/{published[0]}/status", {"status": "draft"}, token_from="/merchant/products/")
    assert client.get(f"/api/v1/products/{published[0]}").status_code == 404
    assert [p["sku"] for p in client.get("/api/v1/products").json["data"]] == ["API-2"]


def test_quotes_answer_parcels_services_and_a_taxed_breakdown(client, check, published):
    response = client.http.post("/api/v1/quotes", json={"state": "Selangor", "items": [
        {"product_id": published[0], "quantity": 3}, {"product_id": published[1], "quantity": 1}]})
    assert response.status_code == 200
    body = check(response, "QuoteResponse")
    assert body["state"] == {"code": "MY-10", "name": "Selangor", "zone": "west"}
    [parcel] = body["parcels"]  # both products come from the same merchant: one parcel
    assert parcel["actual_weight_g"] == 4 * 320
    assert {s["code"] for s in parcel["services"]} == {"express", "pos-ems", "economy"}
    breakdown = body["breakdown"]
    # Goods: 3 x RM21.66 (coffee) + RM11.47 (tea, Rp45,000).
    assert breakdown["goods"]["amount"] == 3 * 2166 + 1147
    assert breakdown["lvg_sales_tax"]["amount"] == 650 + 115
    assert breakdown["lvg_sales_tax"]["rule"]["source"].startswith("Sales Tax (Determination of Low Value Goods)")
    assert breakdown["total"]["amount"] == sum(breakdown[k]["amount"] for k in
                                              ("goods", "shipping", "lvg_sales_tax", "import_duty", "import_sales_tax"))
    assert breakdown["estimate"] is True and breakdown["lvg_registration_number"] == "LVG-SAMPLE-0001"
    assert parcel["breakdown"]["total"] == breakdown["total"]  # one merchant: its parcel is the whole order

    # What goes on the box: a CN22 (well under 300 SDR) with the LVG number, since both lines were taxed as LVG.
    [form] = parcel["declarations"]
    assert (form["boxes"], form["form"], form["lvg_registration_number"], form["certificate_of_origin"]) == \
        (1, "CN22", "LVG-SAMPLE-0001", None)
    assert [(line["description"], line["quantity"], line["weight_g"], line["value"]["amount"], line["hs_code"])
            for line in form["lines"]] == [("Java Preanger Arabica Coffee 250 g", 3, 960, 3 * 2166, "090121"),
                                           ("Malabar Black Tea", 1, 320, 1147, "090121")]
    assert all(line["lvg_taxed"] and line["origin"] == "ID" for line in form["lines"])
    assert form["value"]["amount"] == breakdown["goods"]["amount"]
    assert form["postage"]["amount"] == breakdown["shipping"]["amount"]

    sabah = client.http.post("/api/v1/quotes", json={"state": "Sabah", "items": [{"product_id": published[0]}]}).json
    west = client.http.post("/api/v1/quotes", json={"state": "MY-10", "items": [{"product_id": published[0]}]}).json
    assert sabah["state"]["zone"] == "east"
    assert sabah["breakdown"]["shipping"]["amount"] > west["breakdown"]["shipping"]["amount"]


def test_a_product_on_two_lines_is_quoted_as_one_line_at_its_tier(client, check, published):
    def goods(items):
        body = check(client.http.post("/api/v1/quotes", json={"state": "Selangor", "items": items}), "QuoteResponse")
        return body["breakdown"]["goods"]["amount"]

    whole = goods([{"product_id": published[0], "quantity": 48}])
    assert goods([{"product_id": published[0], "quantity": 1}, {"product_id": published[0], "quantity": 47}]) == whole
    assert goods([{"product_id": published[0], "quantity": 47}, {"product_id": published[0], "quantity": 1}]) == whole


def test_a_suspended_merchants_products_are_not_quoted(app, client, check, published):
    from marketplace.accounts.models import User
    from marketplace.extensions import db

    with app.app_context():
        merchant = db.session.scalar(db.select(User).where(User.email == "merchant@serumpun.example"))
        merchant.active = False
        db.session.commit()
    response = client.http.post("/api/v1/quotes", json={"state": "Selangor", "items": [{"product_id": published[0]}]})
    assert response.status_code == 400 and "not for sale" in check(response, "Error")["error"]["message"]


@pytest.mark.parametrize(
    ("body", "needle"),
    [
        (None, "Send JSON"),
        ([], "Send JSON"),
        ({"state": "Atlantis", "items": [{"product_id": 1}]}, "state"),
        ({"state": "Selangor", "items": []}, "items"),
        ({"state": "Selangor", "items": [{"product_id": "1"}]}, "items[0]"),
        ({"state": "Selangor", "items": [{"product_id": 1, "quantity": 0}]}, "items[0]"),
        ({"state": "Selangor", "items": [{"product_id": 1, "quantity": True}]}, "items[0]"),
        ({"state": "Selangor", "items": [{"product_id": 99999999999}]}, "items[0]"),
        ({"state": "Selangor", "items": [{"product_id": 999999}]}, "not for sale"),
    ],
)
def test_bad_quote_requests_get_a_400_with_a_message(client, check, published, body, needle):
    response = client.http.post("/api/v1/quotes", json=body) if body is not None else \
        client.http.post("/api/v1/quotes", data="not json", content_type="application/json")
    assert response.status_code == 400
    assert needle in check(response, "Error")["error"]["message"]


@pytest.mark.parametrize(("body", "needle"), [
    ({"state": "Selangor", "items": [{"product_id": 1}], "coupon": "FREE"}, "coupon: Unknown property"),
    ({"state": "Selangor", "items": [{"product_id": 1, "quantitiy": 3}]}, "items[0].quantitiy: Unknown property"),
])
def test_a_quote_request_with_a_key_the_schema_does_not_allow_is_refused(client, check, spec, published, body,
                                                                          needle):
    body = {**body, "items": [{**item, "product_id": published[0]} for item in body["items"]]}
    schema = spec["components"]["schemas"]["QuoteRequest"]
    assert schema["additionalProperties"] is False and schema["properties"]["items"]["items"]["additionalProperties"] \
        is False  # what the document says, the endpoint does
    response = client.http.post("/api/v1/quotes", json=body)
    assert response.status_code == 400
    assert needle in check(response, "Error")["error"]["message"]


def test_deeply_nested_json_is_a_400_with_a_message_not_a_crash(client, check):
    for body in ("[" * 5_000 + "]" * 5_000, '{"state": "Selangor", "items": ' + "[" * 100_000):
        response = client.http.post("/api/v1/quotes", data=body, content_type="application/json")
        assert response.status_code == 400
        assert "Send JSON" in check(response, "Error")["error"]["message"]
    # The sign-in form reads JSON bodies too (its rate limit is keyed by the typed email).
    response = client.http.post("/login", data="[" * 5_000 + "]" * 5_000, content_type="application/json")
    assert response.status_code == 400
