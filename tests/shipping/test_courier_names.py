"""Courier service names officers type in three languages: buyers read theirs, or the English one."""
from __future__ import annotations

import pytest

from tests.orders.conftest import two_shops  # noqa: F401  (a fixture)

from ..helpers import Client, publish_product, text_of
from .test_delivered import courier_form


def reader(app, language: str) -> Client:
    client = Client(app)
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.fixture()
def officer(app, demo) -> Client:
    client = Client(app)
    client.login("officer@serumpun.example")
    client.post("/language", {"language": "en", "next": "/"}, token_from="/")
    return client


@pytest.mark.parametrize(("language", "express"), [
    ("ms", "Kurier ekspres (kelas DHL Express)"),
    ("id", "Kurir ekspres (kelas DHL Express)"),
    ("en", "Express courier (DHL Express class)"),
])
def test_buyers_read_the_service_name_in_their_language_or_in_english(app, demo, language, express):
    product_id = publish_product(app)
    page = text_of(reader(app, language).get(f"/products/{product_id}"))
    assert express in page  # the fastest way
    # The economy service has only its English name: that is what every reader sees.
    assert "Economy consolidated (J&T class)" in page  # the cheapest way
    for other in {"Kurier ekspres (kelas DHL Express)", "Kurir ekspres (kelas DHL Express)",
                  "Express courier (DHL Express class)"} - {express}:
        assert other not in page


def test_a_name_officers_add_reaches_buyers_and_leaves_the_missing_list(app, officer):
    product_id = publish_product(app)
    listing = text_of(officer.get("/officer/couriers/")).replace(" :", ":")
    assert "Names missing a translation" in listing
    assert "Economy consolidated (J&T class): missing in Bahasa Indonesia, Bahasa Melayu" in listing
    assert "Pos Indonesia EMS: missing" not in listing

    saved = officer.post("/officer/couriers/new", courier_form(name_ms="SiCepat Antarabangsa"))
    assert saved.status_code == 302
    listing = text_of(officer.get("/officer/couriers/")).replace(" :", ":")
    assert "SiCepat International: missing in Bahasa Indonesia" in listing
    assert "SiCepat International: missing in Bahasa Indonesia, Bahasa Melayu" not in listing

    # The new service is the cheapest to Selangor: named in Malay for Malay readers, in English for Indonesian ones.
    assert "SiCepat Antarabangsa" in text_of(reader(app, "ms").get(f"/products/{product_id}"))
    indonesian = text_of(reader(app, "id").get(f"/products/{product_id}"))
    assert "SiCepat International" in indonesian and "SiCepat Antarabangsa" not in indonesian


def test_the_missing_list_is_gone_when_every_name_is_there(app, officer):
    from sqlalchemy import select

    from marketplace.extensions import db
    from marketplace.shipping.models import CourierService

    with app.app_context():
        economy = db.session.scalar(select(CourierService.id).where(CourierService.code == "economy"))
    form = officer.get(f"/officer/couriers/{economy}")
    assert 'value="Economy consolidated (J&amp;T class)"' in form.get_data(as_text=True)
    saved = officer.post(f"/officer/couriers/{economy}", {
        "code": "economy", "name": "Economy consolidated (J&T class)", "name_id": "Ekonomi gabungan (kelas J&T)",
        "name_ms": "Ekonomi gabungan (kelas J&T)", "level": "economy", "volumetric_divisor": "6000",
        "weight_step_g": "500", "max_weight_g": "20000", "max_longest_cm": "100", "max_sum_cm": "300",
        "transit_min_days": "5", "transit_max_days": "10", "west_first": "95000", "west_next": "32000",
        "east_first": "125000", "east_next": "41000", "active": "y", "sample": "y",
    })
    assert saved.status_code == 302
    assert "Names missing a translation" not in text_of(officer.get("/officer/couriers/"))


def test_the_csv_carries_the_names_and_an_older_file_keeps_them(app, officer):
    exported = officer.get("/officer/couriers/export.csv").get_data(as_text=True)
    header = exported.lstrip("\ufeff").splitlines()[0]
    assert header.startswith("code,name,name_id,name_ms,")
    assert "Kurir ekspres (kelas DHL Express),Kurier ekspres (kelas DHL Express)" in exported

    # A file written before the names in other languages: the services keep theirs.
    old_columns = [column for column in header.split(",") if column not in ("name_id", "name_ms")]
    old = ",".join(old_columns) + "\r\nexpress,Express courier (DHL Express class),express,5000,500,30000,120,300,1,3," \
        "310000,85000,360000,98000,,yes,yes\r\n"
    from io import BytesIO
    response = officer.post("/officer/couriers/import", {"file": (BytesIO(old.encode()), "old.csv")},
                            token_from="/officer/couriers/import", content_type="multipart/form-data")
    assert response.status_code == 302
    assert "Kurier ekspres (kelas DHL Express)" in text_of(reader(app, "ms").get(f"/products/{publish_product(app)}"))


def test_a_parcel_keeps_the_english_name_whatever_the_buyer_reads(app, two_shops):  # noqa: F811
    """The merchant's packing slip, the courier and customs read one name: the English one."""
    import secrets

    from sqlalchemy import select

    from marketplace.accounts import services as accounts
    from marketplace.catalog.models import Product
    from marketplace.core.models import utcnow
    from marketplace.core.unit_of_work import unit_of_work
    from marketplace.extensions import db
    from marketplace.orders import checkout
    from marketplace.orders.models import MerchantOrder
    from marketplace.rates.services import rates_in_force
    from marketplace.shipping.couriers import quote_services
    from marketplace.shipping.models import CourierService
    from tests.orders.conftest import ADDRESS, BUYER, fill_cart

    now = utcnow()
    with app.test_request_context(method="POST", headers={"Accept-Language": "ms"}):
        assert any(s.name.startswith("Kurier") for s in quote_services())  # the reader's names
        with unit_of_work(capture=False):
            cart = fill_cart(BUYER, {two_shops["coffee"]: 6})
            cart.choose_courier(db.session.get(Product, two_shops["coffee"]).merchant_id, "express")
        with unit_of_work(capture=False):
            order = checkout.place_order(accounts.find_user_by_email(BUYER), cart, ADDRESS, secrets.token_urlsafe(16),
                                         "bank_transfer", rates_in_force(now.date()), "MYR", "ms", now.date(), now, 30)
            [parcel] = db.session.scalars(select(MerchantOrder).where(MerchantOrder.order_id == order.id)).all()
            service = db.session.scalar(select(CourierService).where(CourierService.code == parcel.service_code))
            assert service.name_ms and service.name_ms != service.name  # the buyer read another name
            assert parcel.service_name == service.name
