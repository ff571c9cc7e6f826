"""Every branch of the delivered-price box renders: Form D, a chapter's duty, no rate recorded, de minimis,
no courier, in each language a buyer can read it in."""
from __future__ import annotations

from datetime import date

import pytest

from ..helpers import Client, publish_product, text_of

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
    ("en", ["Goods MYR624.28", "Shipping MYR24.21",
            "Import duty (0% with Form D) ATIGA: Indonesian origin with a Certificate of Origin Form D, Jan 1, 2010 "
            "MYR0.00",
            "Sales tax on import Sales Tax Act 2018, Sep 1, 2018 MYR64.85",  # 10% of the CIF, RM648.49
            "Total, estimated MYR713.34"]),
    ("id", ["Barang MYR624,28", "Ongkos kirim MYR24,21", "Bea masuk (0% dengan Form D)",
            "Pajak penjualan impor Sales Tax Act 2018, 1 Sep 2018 MYR64,85", "Total (perkiraan) MYR713,34"]),
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
    assert "Import duty Test order for duty_chapter_52" in page and "MYR129.70" in page
    assert "Sales tax on import Sales Tax Act 2018, Sep 1, 2018 MYR77.82" in page
    assert "Cheapest: MYR856.01" in page
    assert "no rate recorded for the chapter" not in page


def test_an_unregistered_seller_shows_de_minimis_below_rm500(app, demo):
    product_id = publish_product(app)  # RM21.66 of coffee and RM24.21 of shipping: far below RM500
    officer = Client(app)
    officer.login("officer@serumpun.example")
    record_rule(officer, "lvg_registration_number", "")
    for language, text in (("en", "Import duty (de minimis: goods and shipping at most MYR500.00)"),
                           ("id", "Bea masuk (de minimis: barang dan ongkos kirim paling banyak MYR500,00)"),
                           ("ms", "Duti import (de minimis: barangan dan kos penghantaran tidak melebihi RM500.00)")):
        response = reader(app, language).get(f"/products/{product_id}")
        assert response.status_code == 200 and text in text_of(response), language
    assert "Sales tax on low value goods" not in text_of(Client(app).get(f"/products/{product_id}"))

