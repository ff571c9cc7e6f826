"""CSV export and import: a preview that lists each bad row before anything is written."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db

from ..helpers import text_of

HEADER = "sku,name_id,name_en,category,hs_code,price_idr,stock,moq,tiers,packed_weight_g,box_length_cm,box_width_cm,box_height_cm,recyclable\n"


def products(app) -> dict[str, Product]:
    with app.app_context():
        return {p.sku: p for p in db.session.scalars(select(Product))}


def check(client, content: str | bytes, name="produk.csv"):
    data = content.encode() if isinstance(content, str) else content
    return client.post("/merchant/products/import", {"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


def confirm(client, content: str):
    return client.post("/merchant/products/import", {"content": content, "confirm": "1"},
                       token_from="/merchant/products/import")


def test_export_lists_every_product_in_the_import_format(app, merchant, make_product):
    make_product(sku="KOPI-250")
    make_product(sku="KOPI-1KG", price="310000", name_id="Kopi 1 kg")
    response = merchant.get("/merchant/products/export.csv")
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert [r["sku"] for r in rows] == ["KOPI-1KG", "KOPI-250"]
    row = rows[1]
    assert row["price_idr"] == "85000" and row["hs_code"] == "090121" and row["tiers"] == "12:78000;48:72000"
    assert (row["box_length_cm"], row["box_height_cm"]) == ("18", "6.5")
    assert row["status"] == "draft" and row["label_languages"] == "id;en" and row["recyclable"] == "yes"


def test_export_then_import_updates_without_changes_or_duplicates(app, merchant, make_product):
    make_product()
    exported = merchant.get("/merchant/products/export.csv").get_data(as_text=True)
    preview = check(merchant, exported)
    assert preview.status_code == 200
    assert "All 1 rows are ready to import." in text_of(preview)
    assert confirm(merchant, exported).status_code == 302
    assert list(products(app)) == ["KOPI-250"]
    assert products(app)["KOPI-250"].price_idr == 85000


def test_preview_lists_each_bad_row_and_writes_nothing(app, merchant):
    content = HEADER + "\n".join([
        "K-1,Keripik Singkong,Cassava Chips,snacks,1905.90,15000,50,1,,250,20,15,8,yes",
        "K-2,Keripik Pedas,,snacks,19059,-100,5,1,,250,20,15,8,no",
        "K-3,Sambal Bawang,,sauces-spices,2103.90,25000,ten,1,10:30000,250,20,15,8,maybe",
        "K-1,Keripik Lagi,,snacks,1905.90,15000,5,1,,250,20,15,8,no",
        ",Tanpa SKU,,other,,12.5,1,1,,,,,,",
    ]) + "\n"
    response = check(merchant, content)
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing has been saved." in page
    html = response.get_data(as_text=True)
    rows = {int(line): cells for line, cells in
            ((r.split("</td>")[0].split("<td>")[-1], r) for r in html.split('<tr class="row--error">')[1:])}
    assert set(rows) == {3, 4, 5, 6}
    assert "hs_code" in rows[3] and "An HS code has six digits" in rows[3]
    assert "price_idr" in rows[3] and "Enter a price in rupiah" in rows[3]
    assert "Enter a whole number." in rows[4] and "Write yes or no." in rows[4]
    assert "A wholesale price must be below the retail price." not in rows[4]  # the row stopped at its format errors
    assert "This SKU is also on line 2." in rows[5]
    assert "This field is required." in rows[6] and "Rupiah prices are whole numbers" in rows[6]
    assert "Import" not in html.split("</table>")[1].split("Upload another file")[0]  # no confirm button
    assert products(app) == {}


def test_confirm_creates_drafts_and_updates_by_sku(app, merchant, make_product):
    make_product(sku="KOPI-250")
    content = HEADER + "\n".join([
        "KOPI-250,Kopi Arabika 250 g,Arabica 250 g,coffee-tea,0901.21,87.500,80,1,12:80000,320,18,12,6.5,yes",
        "TEH-100,Teh Hijau Malabar,Malabar Green Tea,coffee-tea,0902.10,45000,30,1,,150,12,8,8,no",
    ]) + "\n"
    assert "All 2 rows are ready to import." in text_of(check(merchant, content))
    response = confirm(merchant, content)
    assert response.status_code == 302
    assert "Import done: 1 new, 1 updated." in text_of(merchant.get(response.headers["Location"]))
    found = products(app)
    assert found["KOPI-250"].price_idr == 87500 and found["KOPI-250"].stock == 80
    assert found["TEH-100"].status == ProductStatus.DRAFT and found["TEH-100"].hs_code == "090210"


def test_semicolons_and_an_excel_bom_are_understood(app, merchant):
    content = "\ufeff" + HEADER.replace(",", ";") + \
        "TEH-1;Teh Melati;Jasmine Tea;coffee-tea;0902.30;35.000;10;1;;100;10;10;10;ya\n"
    assert check(merchant, content.encode("utf-8")).status_code == 200
    confirm(merchant, content)
    assert products(app)["TEH-1"].price_idr == 35000 and products(app)["TEH-1"].recyclable


def test_unreadable_files_are_refused_with_a_reason(app, merchant):
    assert "The file is empty." in text_of(check(merchant, b""))
    assert "This is not a CSV file." in text_of(check(merchant, b"\x89PNG\r\n\x1a\n\x00\x00\x00"))
    assert "These columns are missing: sku, price_idr." in text_of(check(merchant, "name_id,category,stock\nA,other,1\n"))
    assert "These columns are not known: harga." in text_of(check(merchant, HEADER.strip() + ",harga\n"))
    assert "The file has no products in it." in text_of(check(merchant, HEADER))
    assert products(app) == {}


def test_a_tampered_confirmation_is_checked_again(app, merchant):
    bad = HEADER + "X-1,Produk,,snacks,1905.90,0,1,1,,100,10,10,10,no\n"
    response = confirm(merchant, bad)
    assert response.status_code == 400
    assert products(app) == {}


def test_import_cannot_touch_another_merchants_products(app, merchant, rival, make_product):
    make_product(sku="KOPI-250")
    content = HEADER + "KOPI-250,Keripik Curian,,snacks,1905.90,1000,1,1,,100,10,10,10,no\n"
    check(rival, content)
    confirm(rival, content)
    found = {(p.merchant_id, p.sku, p.name_id) for p in products(app).values()}
    with app.app_context():
        all_products = list(db.session.scalars(select(Product)))
    assert {p.name_id for p in all_products} == {"Kopi Arabika Java Preanger 250 g", "Keripik Curian"}
    assert len({p.merchant_id for p in all_products}) == 2
    assert found
