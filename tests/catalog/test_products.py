"""A merchant lists products: every field checked, drafts, publishing, ownership."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from marketplace.catalog.models import PriceTier, Product, ProductStatus
from marketplace.extensions import db

from ..helpers import Client, product_form, text_of


def products(app) -> list[Product]:
    with app.app_context():
        return list(db.session.scalars(select(Product).order_by(Product.id)))


def test_merchant_creates_a_draft_with_every_detail(app, merchant, make_product):
    product_id = make_product()
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert product.status == ProductStatus.DRAFT
        assert product.merchant.business_name == "Sangrai Preanger Coffee"
        assert product.price_idr == 85000  # typed as "85.000"
        assert product.hs_code == "090121"
        assert (product.box_length_mm, product.box_width_mm, product.box_height_mm) == (180, 120, 65)
        assert [(t.min_quantity, t.unit_price_idr) for t in product.tiers] == [(12, 78000), (48, 72000)]
        assert product.label_languages == ["id", "en"]
        assert product.halal_expires_on == date(2029, 1, 31)
        assert product.recyclable and not product.plastic_free
    page = text_of(merchant.get("/merchant/products/"))
    assert "Kopi Arabika Java Preanger 250 g" in page and "Draft" in page


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"price": "-5000"}, "Enter a price in rupiah"),
        ({"price": "0"}, "A price must be more than zero."),
        ({"price": "99999999999"}, "A price can be at most Rp 1.000.000.000."),
        ({"price": "85000,50"}, "Rupiah prices are whole numbers: no sen."),
        ({"price": "85.000,123"}, "Rupiah prices are whole numbers: no sen."),
        ({"price": "12.5"}, "Rupiah prices are whole numbers: no sen."),
        ({"price": "1e9"}, "Enter a price in rupiah"),
        ({"price": ""}, "This field is required."),
        ({"stock": "-1"}, "Enter a whole number."),
        ({"stock": "2.5"}, "Enter a whole number."),
        ({"stock": "99999999"}, "Enter a number from 0 to 1000000."),
        ({"moq": "0"}, "Enter a number from 1 to 100000."),
        ({"hs_code": "0901"}, "An HS code has six digits"),
        ({"hs_code": "09O121"}, "An HS code has six digits"),
        ({"hs_code": "090121123"}, "An HS code has six digits"),
        ({"hs_code": "2204.21"}, "cannot be sold on Serumpun"),
        ({"hs_code": "2402.20"}, "cannot be sold on Serumpun"),
        ({"hs_code": "9614.00"}, "cannot be sold on Serumpun"),  # smoking pipes
        ({"hs_code": "8543.40"}, "cannot be sold on Serumpun"),  # e-cigarettes
        ({"tiers-0-min_quantity": "60"}, "Each tier needs a larger quantity than the one before."),
        ({"tiers-1-unit_price": "79000"}, "Prices must fall as quantities rise."),
        ({"tiers-0-unit_price": "90000"}, "A wholesale price must be below the retail price."),
        ({"moq": "12"}, "A wholesale tier starts above the minimum order quantity."),
        ({"tiers-1-unit_price": ""}, "Fill in both the quantity and the price, or neither."),
        ({"tiers-0-min_quantity": "1"}, "Enter a number from 2 to 1000000."),
        ({"sku": "kopi 250!"}, "Use letters, digits, dots and dashes only"),
        ({"sku": ""}, "This field is required."),
        ({"name_id": ""}, "This field is required."),
        ({"name_id": "x" * 141}, "Use between 2 and 140 characters."),
        ({"category": "weapons"}, "Please choose one of the options."),
        ({"processing": "made_to_order", "made_to_order_days": ""}, "Say how many days it takes to make."),
        ({"processing": "made_to_order", "made_to_order_days": "400"}, "Enter a number from 1 to 180."),
        ({"box_height_cm": ""}, "Give all three box dimensions, or none."),
        ({"box_height_cm": "6.55"}, "Use at most one decimal"),
        ({"box_height_cm": "0"}, "Enter a length from 0.1 to 300 cm."),
        ({"box_height_cm": "tall"}, "Enter a length in centimetres"),
        ({"box_height_cm": "Infinity"}, "Enter a length in centimetres"),
        ({"box_height_cm": "1e999999"}, "Enter a length in centimetres"),
        ({"box_height_cm": "sNaN"}, "Enter a length in centimetres"),
        ({"stock": "9" * 5000}, "Enter a number from 0 to 1000000."),
        ({"price": "9" * 5000}, "Enter a price in rupiah"),
        ({"price": "1" + ".000" * 1500}, "Enter a price in rupiah"),
        ({"packed_weight_g": "0"}, "Enter a number from 1 to 70000."),
        ({"halal_number": ""}, "A halal certificate needs its issuer, number and expiry date."),
        ({"halal_expires_on": "31/01/2029"}, "Enter a date, like 2027-06-30."),
        ({"halal_body": "other"}, "Name the body that issued the certificate."),
        ({"food_registration_number": "MD 123"}, "A BPOM MD number has 12 digits"),
        ({"food_registration": ""}, "Choose the kind of food registration and enter its number."),
        ({"npra_notification": "12345"}, "An NPRA notification number looks like NOT210512345K."),
        ({"label_languages": ["id", "klingon"]}, "Please choose only from the options."),
    ],
)
def test_bad_input_gets_a_clear_message_and_saves_nothing(app, merchant, overrides, message):
    response = merchant.post("/merchant/products/new", product_form(**overrides))
    assert response.status_code == 400
    assert message in text_of(response)
    assert products(app) == []


def test_a_bad_date_is_refused_in_the_readers_language_only(app, merchant):
    merchant.post("/language", {"language": "id", "next": "/"}, token_from="/")
    page = text_of(merchant.post("/merchant/products/new", product_form(halal_expires_on="31-02-2029")))
    assert "Masukkan tanggal, misalnya 2027-06-30." in page and "Not a valid date" not in page
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": "ms", "next": "/"}, token_from="/")
    for url, form in (("/officer/rates/", {"currency": "MYR", "idr_per_unit": "3924.50"}),
                      ("/officer/customs/", {"key": "lvg_rate", "value": "10"})):
        page = text_of(officer.post(url, {**form, "effective_on": "esok", "source": "Ujian"}))
        assert "Masukkan tarikh" in page and "Not a valid date" not in page, url


@pytest.mark.parametrize("price", ["85000", "85.000", "85,000", "Rp 85.000", "rp85000"])
def test_prices_as_indonesians_type_them(app, merchant, price):
    assert merchant.post("/merchant/products/new", product_form(price=price)).status_code == 302
    assert products(app)[0].price_idr == 85000


def test_unicode_and_emoji_names_are_kept_and_html_is_shown_as_text(app, merchant, make_product):
    name = "Keripik Pedas 🌶️ <b>Level 5</b> <script>alert(1)</script> — ñ ü 辣"
    product_id = make_product(name_id=name, name_en=name)
    page = merchant.get(f"/products/{product_id}").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page and "<b>Level 5</b>" not in page
    assert "Keripik Pedas 🌶️ &lt;b&gt;Level 5&lt;/b&gt; &lt;script&gt;alert(1)&lt;/script&gt; — ñ ü 辣" in page


def test_sku_is_unique_per_merchant_but_not_across_merchants(app, merchant, rival, make_product):
    make_product(sku="KOPI-250")
    again = merchant.post("/merchant/products/new", product_form(sku="kopi-250"))
    assert again.status_code == 400
    assert "You already have a product with this SKU." in text_of(again)
    assert rival.post("/merchant/products/new", product_form(sku="KOPI-250", category="snacks")).status_code == 302
    assert len(products(app)) == 2


def test_publishing_says_what_is_missing(app, merchant, make_product):
    product_id = make_product(hs_code="", box_length_cm="", box_width_cm="", box_height_cm="")
    response = merchant.post(f"/merchant/products/{product_id}/status", {"status": "published"},
                             token_from="/merchant/products/")
    page = text_of(merchant.get(response.headers["Location"]))
    assert "To publish, add: at least one photo, the box dimensions, and an HS code." in page
    assert products(app)[0].status == ProductStatus.DRAFT


def test_edit_keeps_what_was_typed_and_replaces_tiers(app, merchant, make_product):
    product_id = make_product()
    edit_page = merchant.get(f"/merchant/products/{product_id}/edit").get_data(as_text=True)
    assert 'value="0901.21"' in edit_page and 'value="6.5"' in edit_page and 'value="85000"' in edit_page
    response = merchant.post(f"/merchant/products/{product_id}/edit",
                             product_form(price="90000", **{"tiers-0-min_quantity": "24", "tiers-0-unit_price": "80000",
                                                            "tiers-1-min_quantity": "", "tiers-1-unit_price": ""}))
    assert response.status_code == 302
    with app.app_context():
        product = db.session.get(Product, product_id)
        assert product.price_idr == 90000
        assert [(t.min_quantity, t.unit_price_idr) for t in product.tiers] == [(24, 80000)]
        assert db.session.scalar(select(func.count()).select_from(PriceTier)) == 1


def test_duplicate_makes_a_draft_copy_with_a_new_sku(app, merchant, make_product):
    product_id = make_product()
    response = merchant.post(f"/merchant/products/{product_id}/duplicate", token_from="/merchant/products/")
    assert response.status_code == 302
    original, copy = products(app)
    assert copy.sku == "KOPI-250-copy" and copy.status == ProductStatus.DRAFT
    assert copy.name_id == original.name_id and copy.price_idr == original.price_idr
    merchant.post(f"/merchant/products/{product_id}/duplicate", token_from="/merchant/products/")
    assert products(app)[2].sku == "KOPI-250-copy2"


def test_archive_and_restore_follow_the_allowed_moves(app, merchant, make_product):
    product_id = make_product()
    status = f"/merchant/products/{product_id}/status"
    merchant.post(status, {"status": "archived"}, token_from="/merchant/products/")
    assert products(app)[0].status == ProductStatus.ARCHIVED
    refused = merchant.post(status, {"status": "published"}, token_from="/merchant/products/")
    assert "cannot be changed that way" in text_of(merchant.get(refused.headers["Location"]))
    assert products(app)[0].status == ProductStatus.ARCHIVED
    merchant.post(status, {"status": "draft"}, token_from="/merchant/products/")
    assert products(app)[0].status == ProductStatus.DRAFT


def test_another_merchant_cannot_see_or_touch_the_product(app, merchant, rival, make_product):
    product_id = make_product()
    before = products(app)[0]
    for url in (f"/merchant/products/{product_id}/edit", f"/merchant/products/{product_id}/photos"):
        assert rival.get(url).status_code == 404
    token_page = "/merchant/products/"
    attempts = [
        (f"/merchant/products/{product_id}/edit", product_form(name_id="Dicuri", sku="X-1")),
        (f"/merchant/products/{product_id}/status", {"status": "archived"}),
        (f"/merchant/products/{product_id}/duplicate", {}),
    ]
    for url, data in attempts:
        assert rival.post(url, data, token_from=token_page).status_code == 404, url
    after = products(app)
    assert len(after) == 1
    assert (after[0].name_id, after[0].status) == (before.name_id, before.status)


def test_buyers_and_visitors_cannot_use_the_merchant_pages(app, demo, make_product):

    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    assert buyer.get("/merchant/products/").status_code == 403
    assert buyer.post("/merchant/products/new", product_form(), token_from="/").status_code == 403
    assert Client(app).get("/merchant/products/new").status_code == 302


def test_halal_badge_only_while_the_certificate_is_valid(app, merchant, make_product):
    valid = make_product(sku="A-1")
    expired = make_product(sku="A-2", halal_expires_on=(date.today() - timedelta(days=1)).isoformat())
    with app.app_context():
        assert db.session.get(Product, valid).halal_valid_on(date.today())
        assert not db.session.get(Product, expired).halal_valid_on(date.today())
    assert "Halal" in merchant.get(f"/products/{valid}").get_data(as_text=True).split("badges")[1][:600]
    expired_page = merchant.get(f"/products/{expired}").get_data(as_text=True)
    assert "badge--halal" not in expired_page


def test_merchant_is_warned_of_an_expired_or_expiring_certificate(merchant, make_product):
    expired = make_product(sku="H-1", halal_expires_on=(date.today() - timedelta(days=3)).isoformat())
    soon = make_product(sku="H-2", halal_expires_on=(date.today() + timedelta(days=20)).isoformat())
    later = make_product(sku="H-3", halal_expires_on=(date.today() + timedelta(days=400)).isoformat())
    assert "The halal certificate expired on" in text_of(merchant.get(f"/merchant/products/{expired}/edit"))
    assert "The halal certificate expires on" in text_of(merchant.get(f"/merchant/products/{soon}/edit"))
    page = text_of(merchant.get(f"/merchant/products/{later}/edit"))
    assert "The halal certificate expire" not in page
    assert "Halal certificate expired" in text_of(merchant.get("/merchant/products/"))


def test_a_tier_problem_is_shown_on_its_own_row(merchant):
    response = merchant.post("/merchant/products/new", product_form(**{
        "tiers-0-min_quantity": "", "tiers-0-unit_price": "", "tiers-1-min_quantity": "12",
        "tiers-1-unit_price": "90000", "tiers-2-min_quantity": "", "tiers-2-unit_price": ""}))
    html = response.get_data(as_text=True)
    assert "A wholesale price must be below the retail price." in html

    def tier_input(row):
        return re.search(rf'<input[^>]*id="tiers-{row}-min_quantity"[^>]*>', html).group(0)

    assert 'aria-invalid="true"' in tier_input(1)
    assert 'aria-invalid="true"' not in tier_input(0)


def test_absurd_product_ids_are_not_found(client, merchant):
    assert client.get("/products/99999999999999999999").status_code == 404
    assert merchant.get("/merchant/products/99999999999999999999/edit").status_code == 404
    assert client.get("/products/0").status_code == 404


def test_a_disabled_merchants_products_are_hidden(app, merchant, make_product):
    from marketplace.accounts.models import User

    product_id = make_product()
    with app.app_context():
        product = db.session.get(Product, product_id)
        product.status = ProductStatus.PUBLISHED
        db.session.scalar(select(User).where(User.email == "merchant@serumpun.example")).active = False
        db.session.commit()

    assert Client(app).get(f"/products/{product_id}").status_code == 404
    # Nor do they turn up in search, in the API or in the category counts.
    visitor = Client(app)
    assert "Java Preanger Arabica Coffee" not in visitor.get("/products").get_data(as_text=True)
    assert visitor.get("/api/v1/products").json["meta"]["total"] == 0
    coffee = next(c for c in visitor.get("/api/v1/categories").json["data"] if c["code"] == "coffee-tea")
    assert coffee["product_count"] == 0
