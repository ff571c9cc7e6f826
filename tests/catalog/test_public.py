"""What buyers see: the product page and the merchant's storefront."""
from __future__ import annotations

import io

from ..helpers import Client, html_lang, text_of
from ..images import png


def publish(merchant, product_id):
    merchant.post(f"/merchant/products/{product_id}/photos", {"photos": [(io.BytesIO(png()), "a.png")]},
                  content_type="multipart/form-data")
    response = merchant.post(f"/merchant/products/{product_id}/status", {"status": "published"},
                             token_from="/merchant/products/")
    assert "Published" in text_of(merchant.get(response.headers["Location"]))


def test_product_page_in_the_buyers_language_with_packaging_and_certificates(app, merchant, make_product):
    product_id = make_product()
    publish(merchant, product_id)
    buyer = Client(app)
    page = buyer.get(f"/products/{product_id}-java-preanger-arabica-coffee-250-g")
    assert page.status_code == 200
    text = text_of(page)
    assert "Java Preanger Arabica Coffee 250 g" in text.split("Sangrai")[0]
    assert "Kopi Arabika Java Preanger 250 g" in text  # the original name, in smaller print
    for fact in ("IDR85,000", "12+", "IDR78,000", "48+", "IDR72,000", "320 g", "18 × 12 × 6.5 cm", "250 g",
                 "Paper or cardboard", "0901.21", "Coffee, tea and spices", "BPOM MD 224510001234",
                 "ID32110000123450124", "valid until", "Recyclable packaging", "Sangrai Preanger Coffee", "Coblong"):
        assert fact in text, fact
    assert "Halal" in text

    indonesian = Client(app)
    indonesian.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "id"
    page = indonesian.get(f"/products/{product_id}")
    assert html_lang(page) == "id"
    assert "Rp85.000" in text_of(page)
    assert "<h1>Kopi Arabika Java Preanger 250 g</h1>" in page.get_data(as_text=True)


def test_drafts_are_hidden_from_everyone_but_their_merchant(app, merchant, rival, make_product):
    product_id = make_product()
    assert Client(app).get(f"/products/{product_id}").status_code == 404
    assert rival.get(f"/products/{product_id}").status_code == 404
    preview = merchant.get(f"/products/{product_id}")
    assert preview.status_code == 200
    assert "Preview: buyers cannot see this product until you publish it." in text_of(preview)


def test_unpublished_products_disappear_again(app, merchant, make_product):
    product_id = make_product()
    publish(merchant, product_id)
    assert Client(app).get(f"/products/{product_id}").status_code == 200
    merchant.post(f"/merchant/products/{product_id}/status", {"status": "draft"}, token_from="/merchant/products/")
    assert Client(app).get(f"/products/{product_id}").status_code == 404


def test_storefront_shows_the_story_badges_and_published_products_only(app, merchant, make_product):
    published = make_product(sku="P-1", name_en="Arabica Beans")
    make_product(sku="P-2", name_en="Secret Draft Blend")
    publish(merchant, published)
    page = text_of(Client(app).get("/merchants/sangrai-preanger-coffee"))
    assert "Sangrai Preanger Coffee" in page and "Coblong" in page and "Verified" in page
    assert "Gunung Puntang" in page  # the story
    assert "Arabica Beans" in page
    assert "Secret Draft Blend" not in page
    assert Client(app).get("/merchants/no-such-shop").status_code == 404


def test_storefront_with_nothing_published_says_so(app, demo):
    page = text_of(Client(app).get("/merchants/keripik-ceu-enok"))
    assert "No products published yet." in page
