"""One rule for what buyers may see, asked the same way by every reader of the catalog."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from marketplace.accounts import services as accounts
from marketplace.catalog import delivery, search
from marketplace.catalog import services as catalog
from marketplace.catalog.models import Product, ProductStatus
from marketplace.catalog.queries import is_visible, only_visible
from marketplace.core.errors import NotFound
from marketplace.extensions import db
from marketplace.media.storage import storage
from marketplace.orders import quotes
from marketplace.rates.services import rates_in_force

from ..helpers import Client
from ..images import png

TODAY = date(2026, 12, 2)


def make(email: str, sku: str, status: ProductStatus, **overrides) -> int:
    """A complete product through the catalog's services, in the given status."""
    user = accounts.find_user_by_email(email)
    data = catalog.ProductData(
        sku=sku, name_id=f"Kopi {sku}", name_en=f"Coffee {sku}", category="coffee-tea", price_idr=85_000, stock=50,
        hs_code="090121", packed_weight_g=320, box_length_mm=180, box_width_mm=120, box_height_mm=65,
        **overrides)
    product = catalog.create_product(user, data)
    catalog.add_photos(user, product.id, [("a.png", png(400, 300))], storage())
    if status != ProductStatus.DRAFT:
        catalog.change_status(user, product.id, ProductStatus.PUBLISHED)
    if status == ProductStatus.ARCHIVED:
        catalog.change_status(user, product.id, ProductStatus.ARCHIVED)
    return product.id


@pytest.fixture()
def shelf(app, demo):
    """Products of every status from an active merchant and from one whose account is suspended."""
    with app.test_request_context():
        ids = {}
        for email, who in (("merchant@serumpun.example", "active"), ("keripik@serumpun.example", "suspended")):
            for status in ProductStatus:
                ids[(who, status)] = make(email, f"V-{who[:3]}-{status.value}", status)
        accounts.find_user_by_email("keripik@serumpun.example").active = False
        db.session.commit()
    return ids


def test_the_query_and_the_check_agree_on_every_product(app, shelf):
    with app.test_request_context():
        everything = db.session.scalars(select(Product)).all()
        shown = set(db.session.scalars(only_visible(select(Product.id))).all())
        assert shown == {p.id for p in everything if is_visible(p)}
        assert {shelf[("active", ProductStatus.PUBLISHED)]} == shown & set(shelf.values())


def test_every_reader_of_the_catalog_follows_the_rule(app, shelf):
    visible = shelf[("active", ProductStatus.PUBLISHED)]
    hidden = [pid for key, pid in shelf.items() if pid != visible]
    with app.test_request_context():
        rate = rates_in_force(TODAY)["MYR"]
        found = {p.id for p in search.search(search.Filters(), rate, TODAY).products}
        assert visible in found and not found & set(hidden)
        assert {p.id for p in catalog.new_arrivals(50)} & set(shelf.values()) == {visible}
        for pid in hidden:
            with pytest.raises(NotFound):
                catalog.get_published_product(pid)
            product = db.session.get(Product, pid)
            assert delivery.delivered_price(product, 1, "MY-10", rate, TODAY) is None
            with pytest.raises(quotes.QuoteRefused):
                quotes.quote_order([(pid, 1)], "MY-10", rate, TODAY)
        product = catalog.get_published_product(visible)
        assert delivery.delivered_price(product, 1, "MY-10", rate, TODAY) is not None
        assert quotes.quote_order([(visible, 1)], "MY-10", rate, TODAY).parcels
    client = Client(app)
    assert client.get(f"/products/{visible}").status_code == 200
    assert client.get(f"/api/v1/products/{visible}").status_code == 200
    for pid in hidden:
        assert client.get(f"/products/{pid}").status_code == 404
        assert client.get(f"/api/v1/products/{pid}").status_code == 404


def test_a_merchant_previews_its_own_draft_with_its_delivered_price(app, shelf):
    draft = shelf[("active", ProductStatus.DRAFT)]
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    merchant.post("/language", {"language": "en", "next": "/"}, token_from="/")
    page = merchant.get(f"/products/{draft}")
    assert page.status_code == 200 and 'class="breakdown' in page.get_data(as_text=True)
    rival = Client(app)
    rival.login("herbal@serumpun.example")
    assert rival.get(f"/products/{draft}").status_code == 404


def test_halal_means_the_same_on_the_page_and_in_the_filter(app, demo):
    with app.test_request_context():
        valid = make("merchant@serumpun.example", "H-OK", ProductStatus.PUBLISHED, halal_body="bpjph",
                     halal_number="ID3211000012345", halal_expires_on=TODAY)
        expired = make("merchant@serumpun.example", "H-OLD", ProductStatus.PUBLISHED, halal_body="bpjph",
                       halal_number="ID3211000012346", halal_expires_on=TODAY - timedelta(days=1))
        none = make("merchant@serumpun.example", "H-NO", ProductStatus.PUBLISHED)
        db.session.commit()
        by_sql = set(db.session.scalars(select(Product.id).where(Product.halal_valid_on(TODAY))))
        by_python = {p.id for p in db.session.scalars(select(Product)) if p.halal_valid_on(TODAY)}
        assert by_sql == by_python and valid in by_sql and not {expired, none} & by_sql
        rate = rates_in_force(TODAY)["MYR"]
        halal = search.search(search.Filters(halal=True), rate, TODAY)
        assert valid in {p.id for p in halal.products} and expired not in {p.id for p in halal.products}
