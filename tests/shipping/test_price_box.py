"""Every branch of the delivered-price box renders: Form D, a chapter's duty, no rate recorded, de minimis,
no courier, in each language a buyer can read it in."""
from __future__ import annotations

from datetime import date

import pytest

from ..helpers import Client, product_form, publish_product, text_of

NO_TIERS = {"tiers-0-min_quantity": "", "tiers-0-unit_price": "", "tiers-1-min_quantity": "", "tiers-1-unit_price": ""}


def publish_batik_tulis(app) -> int:
    """Rp2,450,000 is RM624.28 at the demo rate: above RM500, so no LVG tax, and over de minimis."""
    return publish_product(app, sku="BATIK-TULIS", name_id="Kain Batik Tulis Kujang 2 m",
                           name_en="Hand-drawn Kujang Batik Cloth, 2 m", category="batik-textiles",
                           hs_code="5208.52", price="2.450.000", **NO_TIERS)


def reader(app, language: str) -> Client:
    client = Client(app)
    client.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = language
    return client


@pytest.mark.parametrize(("language", "lines"), [
    ("en", ["Goods RM624.28", "Shipping RM24.21",
            "Import duty (0% with Form D) ATIGA: Indonesian origin with a Certificate of Origin Form D, 1 Jan 2010 "
            "RM0.00",
            "Sales tax on import Sales Tax Act 2018, 1 Sept 2018 RM64.85",  # 10% of the CIF, RM648.49
            "Total, estimated RM713.34"]),
    ("id", ["Barang RM624,28", "Ongkos kirim RM24,21", "Bea masuk (0% dengan Form D)",
            "Pajak penjualan impor Sales Tax Act 2018, 1 Sep 2018 RM64,85", "Total (perkiraan) RM713,34"]),
    ("ms", ["Barangan RM624.28", "Kos penghantaran RM24.21", "Duti import (0% dengan Borang D)",
            "Cukai jualan import Sales Tax Act 2018, 1 Sep 2018 RM64.85", "Jumlah (anggaran) RM713.34"]),
])
def test_a_product_above_rm500_shows_duty_with_form_d_and_import_sales_tax(app, demo, language, lines):
    product_id = publish_batik_tulis(app)
    response = reader(app, language).get(f"/products/{product_id}")
    assert response.status_code == 200
    page = text_of(response)
    for line in lines:
        assert line in page, line
    assert "LVG" not in page and "low value goods" not in page  # sold above RM500: not a low value good


def record_rule(officer: Client, key: str, value: str) -> None:
    response = officer.post("/officer/customs/", {"key": key, "value": value, "effective_on": date.today().isoformat(),
                                                  "source": f"Test order for {key}"})
    assert response.status_code == 302, text_of(response)


def test_without_form_d_the_box_names_the_chapters_duty_or_says_none_is_recorded(app, demo):
    product_id = publish_batik_tulis(app)
    officer = Client(app)
    officer.login("officer@serumpun.example")
    record_rule(officer, "form_d", "0")
    page = text_of(Client(app).get(f"/products/{product_id}"))
    assert "Import duty (no rate recorded for the chapter)" in page and "0% with Form D" not in page
    record_rule(officer, "duty_chapter_52", "20")
    page = text_of(Client(app).get(f"/products/{product_id}"))
    # 20% of the CIF (RM624.28 + RM24.21), then 10% sales tax on the CIF plus the duty.
    assert "Import duty Test order for duty_chapter_52" in page and "RM129.70" in page
    assert "Sales tax on import Sales Tax Act 2018, 1 Sept 2018 RM77.82" in page
    assert "Cheapest: RM856.01" in page
    assert "no rate recorded for the chapter" not in page


def test_an_unregistered_seller_shows_de_minimis_below_rm500(app, demo):
    product_id = publish_product(app)  # RM21.66 of coffee and RM24.21 of shipping: far below RM500
    officer = Client(app)
    officer.login("officer@serumpun.example")
    record_rule(officer, "lvg_registration_number", "")
    for language, text in (("en", "Import duty (de minimis: goods and shipping at most RM500.00)"),
                           ("id", "Bea masuk (de minimis: barang dan ongkos kirim maksimal RM500,00)"),
                           ("ms", "Duti import (de minimis: barangan dan kos penghantaran tidak melebihi RM500.00)")):
        response = reader(app, language).get(f"/products/{product_id}")
        assert response.status_code == 200 and text in text_of(response), language
    assert "Sales tax on low value goods" not in text_of(Client(app).get(f"/products/{product_id}"))



def test_a_parcel_no_courier_can_carry_says_so(app, demo):
    # 130 cm long: longer than every service takes (Express 120 cm, Pos 105 cm, economy 100 cm).
    product_id = publish_product(app, sku="BAMBU-130", box_length_cm="130", box_width_cm="20", box_height_cm="10")
    page = text_of(Client(app).get(f"/products/{product_id}"))
    assert "No courier on Serumpun can carry this parcel to this state." in page
    assert "Cheapest:" not in page


def test_without_a_customs_rule_buyers_are_told_why_there_is_no_estimate(app, demo):
    from marketplace.customs.models import CustomsRule
    from marketplace.extensions import db

    product_id = publish_product(app)
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    merchant.post("/language", {"language": "en", "next": "/"}, token_from="/")
    created = merchant.post("/merchant/products/new", product_form(sku="DRAFT-NO-HS", hs_code=""))
    draft_id = int(created.headers["Location"].split("/")[-2])
    assert "A delivered price will show once the merchant adds the packed weight, box size and HS code." \
        in text_of(merchant.get(f"/products/{draft_id}"))  # the merchant's preview of an incomplete draft
    with app.app_context():
        db.session.execute(db.delete(CustomsRule).where(CustomsRule.key == "de_minimis_sen"))
        db.session.commit()
    page = text_of(Client(app).get(f"/products/{product_id}"))
    assert "No delivered price can be estimated today: an exchange rate or a customs rule is missing." in page
    assert "once the merchant adds" not in page  # not the merchant's fault: the product has all it needs


def test_real_courier_rates_drop_the_sample_note(app, demo):
    from marketplace.extensions import db
    from marketplace.shipping.models import CourierService

    with app.app_context():  # as if officers had entered every courier's published price list
        db.session.execute(db.update(CourierService).values(sample=False))
        db.session.commit()
    page = text_of(Client(app).get(f"/products/{publish_product(app)}"))
    assert "An estimate: taxes follow the rules shown, with their dates; the courier may weigh the parcel " \
           "differently." in page
    assert "courier rates are sample data" not in page
