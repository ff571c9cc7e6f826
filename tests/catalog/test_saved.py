"""A buyer's saved products: save from the product page, see them on the list, remove them."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from marketplace.accounts import services as accounts
from marketplace.catalog import services as catalog
from marketplace.catalog.models import ProductStatus, SavedProduct
from marketplace.extensions import db

from ..helpers import Client, publish_product, text_of

COFFEE = "Java Preanger Arabica Coffee 250 g"


@pytest.fixture()
def buyer(app, demo) -> Client:
    client = Client(app)
    client.login("buyer@serumpun.example")
    return client


@pytest.fixture()
def coffee(app, demo) -> int:
    return publish_product(app)


def saved_rows(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SavedProduct))


def save(client: Client, product_id: int):
    return client.post(f"/account/saved/{product_id}", {"next": f"/products/{product_id}"},
                       token_from=f"/products/{product_id}")


def test_buyer_saves_a_product_from_its_page_and_finds_it_on_the_list(buyer, coffee):
    page = text_of(buyer.get(f"/products/{coffee}"))
    assert "Save for later" in page

    response = save(buyer, coffee)
    assert response.status_code == 302
    assert response.headers["Location"] == f"/products/{coffee}"
    page = text_of(buyer.get(f"/products/{coffee}"))
    assert "Saved to your list" in page and "Remove from saved" in page

    listed = text_of(buyer.get("/account/saved/"))
    assert COFFEE in listed
    assert "You have not saved any products yet." not in listed
    assert re.search(r"Delivered to Selangor from RM\d", listed)  # the card's delivered price, as in listings


def test_saving_twice_keeps_one_entry(app, buyer, coffee):
    assert save(buyer, coffee).status_code == 302
    assert save(buyer, coffee).status_code == 302
    assert saved_rows(app) == 1
    assert buyer.get("/account/saved/").get_data(as_text=True).count('class="product-card"') == 1


def test_buyer_removes_a_saved_product(app, buyer, coffee):
    save(buyer, coffee)
    response = buyer.post(f"/account/saved/{coffee}/remove", token_from="/account/saved/")
    assert response.status_code == 302
    assert response.headers["Location"] == "/account/saved/"
    listed = text_of(buyer.get("/account/saved/"))
    assert COFFEE not in listed
    assert "You have not saved any products yet." in listed
    assert saved_rows(app) == 0


def test_a_buyer_cannot_remove_another_buyers_saved_product(app, buyer, coffee):
    save(buyer, coffee)
    other = Client(app)
    other.login("buyer.kl@serumpun.example")
    assert other.post(f"/account/saved/{coffee}/remove", token_from="/account/saved/").status_code == 302
    assert saved_rows(app) == 1
    assert COFFEE in text_of(buyer.get("/account/saved/"))
    assert COFFEE not in text_of(other.get("/account/saved/"))


def test_the_empty_list_says_so_and_leads_to_the_products(buyer):
    response = buyer.get("/account/saved/")
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert "You have not saved any products yet." in text_of(response)
    assert 'href="/products"' in page


def test_a_product_taken_off_sale_drops_out_of_the_list_and_cannot_be_saved(app, buyer, coffee):
    other = publish_product(app, sku="KOPI-500", name_en="Java Preanger Arabica Coffee 500 g")
    save(buyer, coffee)
    save(buyer, other)
    with app.app_context():
        merchant = accounts.find_user_by_email("merchant@serumpun.example")
        catalog.change_status(merchant, coffee, ProductStatus.DRAFT)
        db.session.commit()
    listed = text_of(buyer.get("/account/saved/"))
    assert COFFEE not in listed
    assert "Java Preanger Arabica Coffee 500 g" in listed

    unpublished = publish_product(app, sku="KOPI-1K", name_en="Coffee kilo")
    with app.app_context():
        merchant = accounts.find_user_by_email("merchant@serumpun.example")
        catalog.change_status(merchant, unpublished, ProductStatus.DRAFT)
        db.session.commit()
    assert buyer.post(f"/account/saved/{unpublished}", token_from="/account/saved/").status_code == 404
    assert saved_rows(app) == 2  # the hidden one stays kept: it comes back if the merchant publishes it again


def test_a_guest_who_presses_save_signs_in_and_comes_back_with_it_saved(app, client, coffee):
    response = client.post(f"/account/saved/{coffee}", token_from=f"/products/{coffee}")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")
    assert f"/products/{coffee}" in response.headers["Location"]

    signed_in = client.post("/login", {"email": "buyer@serumpun.example", "password": "serumpun-demo",
                                       "next": f"/products/{coffee}"})
    assert signed_in.headers["Location"] == f"/products/{coffee}"
    assert "Saved to your list" in text_of(client.get(f"/products/{coffee}"))
    assert saved_rows(app) == 1


def test_merchants_have_no_save_button_and_cannot_save(app, coffee):
    rival = Client(app)
    rival.login("keripik@serumpun.example")
    assert "Save for later" not in text_of(rival.get(f"/products/{coffee}"))
    assert rival.post(f"/account/saved/{coffee}", token_from="/").status_code == 403
    assert saved_rows(app) == 0
