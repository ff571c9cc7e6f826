"""The product form as a merchant on a phone meets it: Indonesian is enough to publish, one tier row to start
with another added without JavaScript, photos chosen in the same form, HS codes offered by category."""
from __future__ import annotations

import io
import re

from sqlalchemy import select

from marketplace.catalog import hs
from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db

from ..helpers import Client, product_form, text_of
from ..images import png
from .test_photos import media_files
from .test_public import publish

INDONESIAN_ONLY = dict(sku="SAMBAL-ID", name_id="Sambal Cumi Asin Pedas", name_en="", description_en="",
                       description_id="Sambal cumi asin buatan rumahan, pedas gurih.", category="sauces-spices",
                       hs_code="2103.90", storage_note="Simpan di kulkas setelah dibuka.")


def products(app) -> list[Product]:
    with app.app_context():
        return list(db.session.scalars(select(Product).order_by(Product.id)))


def reader(app, language: str) -> Client:
    client = Client(app)
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


def post_new(merchant, form: dict, **files):
    """The new-product form sent as the browser sends it: multipart, with any photos chosen."""
    data = dict(form)
    for name, chosen in files.items():
        data[name] = [(io.BytesIO(content), filename) for filename, content in chosen]
    return merchant.post("/merchant/products/new", data, content_type="multipart/form-data")


def test_an_indonesian_only_product_publishes_and_english_and_malay_readers_see_it_marked(app, merchant, make_product):
    product_id = make_product(**INDONESIAN_ONLY)
    publish(merchant, product_id)
    assert products(app)[0].status == ProductStatus.PUBLISHED

    for language, label in (("en", "in Indonesian"), ("ms", "dalam bahasa Indonesia")):
        page = reader(app, language).get(f"/products/{product_id}").get_data(as_text=True)
        assert re.search(r'<h1 lang="id">Sambal Cumi Asin Pedas<span class="lang-label" lang="%s">%s</span></h1>'
                         % (language, label), page), language
        assert re.search(r'<div class="prose" lang="id">Sambal cumi asin buatan rumahan', page)
        assert re.search(r'<dd lang="id">Simpan di kulkas setelah dibuka\.<span class="lang-label"', page)
        # on the cards too: the shop's page and the search results
        for url in ("/merchants/sangrai-preanger-coffee", "/products?q=sambal"):
            listing = reader(app, language).get(url).get_data(as_text=True)
            assert re.search(r'<span class="product-card__name" lang="id">Sambal Cumi Asin Pedas</span>\s*'
                             r'<span class="lang-label" lang="%s">%s</span>' % (language, label), listing), url

    indonesian = reader(app, "id").get(f"/products/{product_id}").get_data(as_text=True)
    assert "<h1>Sambal Cumi Asin Pedas</h1>" in indonesian
    assert "lang-label" not in indonesian


def test_an_english_name_needs_no_label(app, merchant, make_product):
    product_id = make_product()
    publish(merchant, product_id)
    page = reader(app, "en").get(f"/products/{product_id}").get_data(as_text=True)
    assert "<h1>Java Preanger Arabica Coffee 250 g</h1>" in page
    assert ">in Indonesian<" not in page.split("<h2>")[0]


def test_the_edit_page_encourages_english_without_requiring_it(app, merchant, make_product):
    product_id = make_product(**INDONESIAN_ONLY)
    page = text_of(merchant.get(f"/merchant/products/{product_id}/edit"))
    assert "without it they read your Indonesian text. Missing: a name in English a description in English" in page
    assert "To publish, add: at least one photo" in page and "a name in English" not in page.split("Missing:")[0]
    complete = make_product(sku="KOPI-EN")
    assert "Missing:" not in text_of(merchant.get(f"/merchant/products/{complete}/edit"))
    listed = text_of(merchant.get("/merchant/products/"))
    assert listed.count("No English name yet") == 1 and listed.index("SAMBAL-ID") < listed.index("No English name yet")


def test_adding_a_tier_without_javascript_keeps_what_was_typed_and_the_photos(app, merchant):
    form = product_form(**{"name_id": "Kopi Tubruk", "tiers-1-min_quantity": None, "tiers-1-unit_price": None})
    page = merchant.get("/merchant/products/new").get_data(as_text=True)
    assert 'name="tiers-0-min_quantity"' in page and 'name="tiers-1-min_quantity"' not in page  # one row to start
    assert 'enctype="multipart/form-data"' in page

    added = post_new(merchant, {**form, "add_tier": "1"}, photos=[("kopi.png", png())])
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and products(app) == []  # nothing saved yet
    assert 'name="tiers-1-min_quantity"' in page and 'name="tiers-2-min_quantity"' not in page
    assert 'value="Kopi Tubruk"' in page and 'name="tiers-0-min_quantity" type="text" value="12"' in page
    tokens = re.findall(r'name="staged_photo" value="([^"]+)" checked', page)
    assert len(tokens) == 1  # the chosen photo is kept, shown as the cover
    assert '<details class="form-section" id="section-price" open>' in page

    saved = post_new(merchant, {**form, "tiers-1-min_quantity": "48", "tiers-1-unit_price": "72000",
                                "staged_photo": tokens})
    assert saved.status_code == 302
    product = products(app)[0]
    with app.app_context():
        product = db.session.get(Product, product.id)
        assert [(t.min_quantity, t.unit_price_idr) for t in product.tiers] == [(12, 78000), (48, 72000)]
        assert len(product.photos) == 1 and all(name in media_files(app) for name in product.photos[0].files)


def test_at_most_five_tiers(app, merchant):
    form = product_form(**{f"tiers-{i}-{f}": "" for i in range(5) for f in ("min_quantity", "unit_price")})
    page = merchant.post("/merchant/products/new", {**form, "add_tier": "1"}).get_data(as_text=True)
    assert 'name="tiers-4-min_quantity"' in page and 'name="tiers-5-min_quantity"' not in page
    assert 'name="add_tier"' not in page


def test_photos_chosen_with_a_new_product_are_saved_with_it(app, merchant):
    response = post_new(merchant, product_form(), photos=[("a.png", png()), ("b.png", png(900, 600))])
    assert response.status_code == 302 and response.headers["Location"].endswith("/edit")
    with app.app_context():
        product = db.session.scalars(select(Product)).one()
        assert [p.position for p in product.photos] == [0, 1]


def test_a_bad_photo_creates_nothing_and_keeps_the_good_one(app, merchant):
    response = post_new(merchant, product_form(), photos=[("good.png", png()), ("notes.png", b"not an image")])
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "notes.png is not a JPEG, PNG or WebP image." in text_of(response)
    assert products(app) == []
    tokens = re.findall(r'name="staged_photo" value="([^"]+)" checked', page)
    assert len(tokens) == 1
    assert '<details class="form-section" id="section-photos" open>' in page  # its section opens
    saved = post_new(merchant, {**product_form(), "staged_photo": tokens})
    assert saved.status_code == 302
    with app.app_context():
        assert len(db.session.scalars(select(Product)).one().photos) == 1


def test_a_kept_photo_cannot_be_forged_or_taken_from_another_merchant(app, merchant, rival):
    page = post_new(merchant, {**product_form(), "add_tier": "1"}, photos=[("a.png", png())]).get_data(as_text=True)
    token = re.findall(r'name="staged_photo" value="([^"]+)"', page)[0]
    assert rival.post("/merchant/products/new", {**product_form(category="snacks"), "staged_photo": [token]}
                      ).status_code == 302
    forged = merchant.post("/merchant/products/new", {**product_form(sku="K-2"), "staged_photo": [token[:-3] + "abc"]})
    assert forged.status_code == 302
    with app.app_context():
        assert [len(p.photos) for p in db.session.scalars(select(Product).order_by(Product.id))] == [0, 0]


def test_form_errors_open_their_section_and_new_forms_open_only_the_first(app, merchant):
    page = merchant.get("/merchant/products/new").get_data(as_text=True)
    assert re.findall(r'<details class="form-section" id="section-(\w+)" open>', page) == ["product"]
    wrong = merchant.post("/merchant/products/new", product_form(halal_expires_on="soon")).get_data(as_text=True)
    assert set(re.findall(r'<details class="form-section" id="section-(\w+)" open>', wrong)) == {
        "product", "certificates"}


def test_hs_codes_are_offered_for_each_category(app, merchant):
    page = merchant.get("/merchant/products/new").get_data(as_text=True)
    assert 'list="hs-suggestions"' in page
    assert '<option value="0901.21" label="Roasted coffee beans or ground coffee (Coffee and tea)"' in page
    for codes in hs.SUGGESTIONS.values():
        for code, _ in codes:
            assert hs.HS_CODE.match(code) and not hs.is_excluded(code), code
    assert "Sambal and other sauces" in text_of(merchant.get("/merchant/products/new"))


def test_adding_a_tier_to_an_existing_product_saves_nothing_until_save(app, merchant, make_product):
    product_id = make_product()
    edit = merchant.get(f"/merchant/products/{product_id}/edit").get_data(as_text=True)
    assert 'name="tiers-1-min_quantity"' in edit and 'name="tiers-2-min_quantity"' not in edit  # its two tiers
    added = merchant.post(f"/merchant/products/{product_id}/edit", {**product_form(price="90000"), "add_tier": "1"})
    page = added.get_data(as_text=True)
    assert added.status_code == 200 and 'name="tiers-2-min_quantity"' in page and 'value="90000"' in page
    assert products(app)[0].price_idr == 85000
    # A product without photos or box sizes opens the sections that lack what publishing needs.
    bare = make_product(sku="BARE-1", box_length_cm="", box_width_cm="", box_height_cm="")
    page = merchant.get(f"/merchant/products/{bare}/edit").get_data(as_text=True)
    assert set(re.findall(r'<details class="form-section" id="section-(\w+)" open>', page)) == {"product", "packaging"}
