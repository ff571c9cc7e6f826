"""CSV export and import: a preview that lists each bad row before anything is written."""
from __future__ import annotations

import csv
import io

from sqlalchemy import select

from marketplace.catalog.models import Product, ProductStatus
from marketplace.extensions import db

from ..helpers import product_form, text_of
from ..images import png

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
        "K-2,Keripik Pedas,,snacks,1905,-100,5,1,,250,20,15,8,no",
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
            ((r.split("</td>")[0].split(">")[-1], r) for r in html.split('<tr class="row--error">')[1:])}
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
    assert "These columns are missing: sku." in text_of(check(merchant, "name_id,category,stock\nA,other,1\n"))
    assert "These columns are not known: harga." in text_of(check(merchant, HEADER.strip() + ",harga\n"))
    assert "The file has no products in it." in text_of(check(merchant, HEADER))
    # A UTF-8 file (it starts with the UTF-8 mark) with one damaged byte: said so, not read as Windows-1252.
    damaged = b"\xef\xbb\xbf" + HEADER.encode() + b"KOPI-9,Kopi \xff\n"
    assert "The file's characters could not be read. Save it as CSV UTF-8." in text_of(check(merchant, damaged))
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
    with app.app_context():
        rows = {(p.merchant.business_name, p.name_id) for p in db.session.scalars(select(Product))}
    assert rows == {("Sangrai Preanger Coffee", "Kopi Arabika Java Preanger 250 g"),
                    ("Keripik Ceu Enok", "Keripik Curian")}


def test_a_price_list_changes_only_the_columns_it_has(app, merchant, make_product):
    make_product(sku="KOPI-250")
    content = "sku,price_idr\nKOPI-250,87.500\n"
    assert "All 1 rows are ready to import." in text_of(check(merchant, content))
    confirm(merchant, content)
    with app.app_context():
        product = db.session.scalar(select(Product).where(Product.sku == "KOPI-250"))
        assert product.price_idr == 87500
        assert product.name_en == "Java Preanger Arabica Coffee 250 g" and product.hs_code == "090121"
        assert product.halal_number == "ID32110000123450124" and len(product.tiers) == 2


def test_a_new_product_needs_its_name_category_price_and_stock(app, merchant):
    response = check(merchant, "sku,price_idr\nNEW-1,5000\n")
    assert response.status_code == 400
    page = text_of(response)
    assert "name_id" in page and "category" in page and "stock" in page
    assert products(app) == {}


def test_spreadsheet_damage_is_repaired(app, merchant):
    """Excel drops the 0 of 0901.21 and rewrites dates as 31/01/2029."""
    content = HEADER.strip() + ",halal_body,halal_number,halal_expires_on\n" + \
        "TEH-2,Teh,Tea,coffee-tea,90230,35000,10,1,,100,10,10,10,no,bpjph,ID123,31/01/2029\n"
    assert check(merchant, content).status_code == 200
    confirm(merchant, content)
    product = products(app)["TEH-2"]
    assert product.hs_code == "090230" and product.halal_expires_on.isoformat() == "2029-01-31"


def test_more_than_five_tiers_are_refused(app, merchant):
    tiers = ";".join(f"{q}:{50000 - q * 100}" for q in (2, 5, 10, 20, 50, 100))
    content = HEADER + f"T-1,Produk,Product,snacks,1905.90,60000,5,1,{tiers},100,10,10,10,no\n"
    assert "At most 5 wholesale tiers." in text_of(check(merchant, content))


def test_a_nul_byte_anywhere_is_refused_at_once(merchant):
    content = (HEADER + "T-1,Produk,Product,snacks,1905.90,60000,5,1,,100,10,10,10,no\n") * 200 + "\x00"
    assert "This is not a CSV file." in text_of(check(merchant, content))


def test_an_enormous_cell_is_a_problem_with_the_file_not_an_error(merchant):
    content = HEADER + 'T-1,"' + "x" * 200_000 + '",Product,snacks,1905.90,60000,5,1,,100,10,10,10,no\n'
    response = check(merchant, content)
    assert response.status_code == 400
    assert "could not be read as CSV" in text_of(response)


def test_export_never_hands_a_spreadsheet_a_formula(app, merchant, make_product):
    make_product(sku="F-1", name_id='=HYPERLINK("http://evil.example","Klik")', name_en="+SUM(1,1)")
    exported = merchant.get("/merchant/products/export.csv").get_data(as_text=True)
    row = next(csv.DictReader(io.StringIO(exported.lstrip("\ufeff"))))
    assert row["name_id"].startswith("'=") and row["name_en"].startswith("'+")
    confirm(merchant, exported)  # and it comes back as it was
    assert products(app)["F-1"].name_id == '=HYPERLINK("http://evil.example","Klik")'


def test_a_published_product_cannot_lose_what_publishing_needs(app, merchant, make_product):
    product_id = make_product(sku="PUB-1")
    merchant.post(f"/merchant/products/{product_id}/photos", {"photos": [(io.BytesIO(png()), "a.png")]},
                  content_type="multipart/form-data")
    merchant.post(f"/merchant/products/{product_id}/status", {"status": "published"}, token_from="/merchant/products/")
    assert products(app)["PUB-1"].status == ProductStatus.PUBLISHED
    response = check(merchant, "sku,name_en,hs_code\nPUB-1,,\n")
    assert response.status_code == 400
    assert "A published product needs this." in text_of(response)
    edit = merchant.post(f"/merchant/products/{product_id}/edit", product_form(sku="PUB-1", hs_code=""))
    assert edit.status_code == 400
    assert "A published product needs this." in text_of(edit)
    assert products(app)["PUB-1"].hs_code == "090121"


def test_the_export_names_its_type_and_charset_once(app, merchant, make_product):
    make_product(sku="KOPI-250")
    response = merchant.get("/merchant/products/export.csv")
    assert response.headers["Content-Type"] == "text/csv; charset=utf-8"
