"""Every product page shows what the parcel costs at the door in Malaysia, with its breakdown and rules."""
from __future__ import annotations

import re

from ..helpers import Client, buyer_form, publish_product, text_of


def money(text: str, label: str) -> float:
    return float(re.search(rf"{label}: RM([\d,]+\.\d\d)", text).group(1).replace(",", ""))


def test_delivered_price_to_selangor_by_default_and_dearer_to_sabah(app, demo):
    product_id = publish_product(app)
    visitor = Client(app)
    selangor = text_of(visitor.get(f"/products/{product_id}"))
    assert "Delivered to" in selangor and "Selangor" in selangor
    # 320 g in an 18 x 12 x 6.5 cm box: one 500 g step; economy west Rp95,000 = RM24.21; goods RM21.66;
    # LVG 10% of the goods (RM2.17): RM48.04 at the door.
    assert money(selangor, "Cheapest") == 48.04
    assert "Sales tax on low value goods" in selangor and "P.U.(A) 403/2023" in selangor
    assert "Fastest: RM" in selangor and "arrives in" in selangor
    sabah = text_of(visitor.get(f"/products/{product_id}?state=MY-12"))
    assert money(sabah, "Cheapest") == 55.68  # east rate Rp125,000 = RM31.85; 31.85 + 21.66 + 2.17
    assert money(sabah, "Cheapest") > money(selangor, "Cheapest")


def test_a_buyer_sees_the_price_to_the_state_in_the_profile(app, demo):
    product_id = publish_product(app)
    buyer = Client(app)
    buyer.login("buyer.sabah@serumpun.example")
    page = buyer.get(f"/products/{product_id}").get_data(as_text=True)
    assert '<option value="MY-12" selected>' in page


def test_a_buyer_who_moves_sees_the_new_state_at_once(app, demo):
    product_id = publish_product(app)
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    for _ in range(2):  # the first view shows the welcome message; the second is stored in the page cache
        assert '<option value="MY-10" selected>' in buyer.get(f"/products/{product_id}").get_data(as_text=True)
    # Only the address changes (the same name): the page for this reader must still follow the new state.
    details = {k: v for k, v in buyer_form(full_name="Nur Aisyah binti Hamzah", state="MY-13", city="Kuching",
                                           postcode="93050").items()
               if k not in ("email", "password", "confirm")}
    assert buyer.post("/buyer/profile", details).status_code == 302
    assert "Your details have been saved." in text_of(buyer.get("/buyer/profile"))
    assert '<option value="MY-13" selected>' in buyer.get(f"/products/{product_id}").get_data(as_text=True)


def test_wholesale_quantities_use_the_tier_price_and_may_leave_lvg(app, demo):
    product_id = publish_product(app)
    page = text_of(Client(app).get(f"/products/{product_id}?qty=48"))
    assert "Cheapest: RM" in page
    assert Client(app).get(f"/products/{product_id}?qty=abc&state=XX").status_code == 200
    # 400 units of 320 g are 128 kg: more boxes than one, and the page says how many.
    bulk = text_of(Client(app).get(f"/products/{product_id}?qty=400"))
    assert re.search(r"Cheapest: RM[\d,.]+ Economy consolidated \(J&T class\) · arrives in \d+–\d+ days · "
                     r"billed as [\d.]+ kg in 7 boxes", bulk), bulk[:2000]


def test_the_product_form_shows_what_the_box_costs_and_a_smaller_box(app, demo):
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    merchant.post("/language", {"language": "en", "next": "/"}, token_from="/")
    preview = text_of(merchant.get("/merchant/products/shipping-preview?packed_weight_g=900&box_length_cm=40"
                                   "&box_width_cm=30&box_height_cm=10"))
    assert "Billed as 2.5 kg because of its size; a box of 29 × 22 × 7 cm would be billed as 1.0 kg." in preview
    # Express bills five 500 g steps now (Rp310,000 + 4 x Rp85,000), two in the smaller box.
    assert "With Express courier (DHL Express class) that saves IDR255,000 on every parcel to West Malaysia." in preview
    assert "Express courier (DHL Express class) 2.4 kg 2.5 kg IDR650,000 IDR752,000" in preview
    assert "Some rates are sample figures" in preview
    fine = text_of(merchant.get("/merchant/products/shipping-preview?packed_weight_g=320&box_length_cm=18"
                                "&box_width_cm=12&box_height_cm=6.5"))
    assert "The box size costs nothing extra" in fine
    too_long = text_of(merchant.get("/merchant/products/shipping-preview?packed_weight_g=2000&box_length_cm=110"
                                    "&box_width_cm=10&box_height_cm=10"))
    assert "Too long" in too_long
    assert "Enter the packed weight" in text_of(merchant.get("/merchant/products/shipping-preview?box_length_cm=abc"))
    form = merchant.get("/merchant/products/new").get_data(as_text=True)
    assert 'data-shipping-preview="/merchant/products/shipping-preview"' in form
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    assert buyer.get("/merchant/products/shipping-preview?packed_weight_g=1").status_code == 403


def courier_form(**overrides) -> dict:
    data = {"code": "sicepat-my", "name": "SiCepat International", "level": "economy", "volumetric_divisor": "6000",
            "weight_step_g": "500", "max_weight_g": "20000", "max_longest_cm": "100", "max_sum_cm": "300",
            "transit_min_days": "4", "transit_max_days": "8", "west_first": "70.000", "west_next": "25.000",
            "east_first": "", "east_next": "", "tracking_url_template": "https://track.example/{tracking}",
            "active": "y"}
    data.update(overrides)
    return data


def test_officers_keep_courier_services_and_delivered_prices_follow(app, demo):
    product_id = publish_product(app)
    visitor = Client(app)
    assert money(text_of(visitor.get(f"/products/{product_id}")), "Cheapest") == 48.04
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    assert "Pos Indonesia EMS" in text_of(officer.get("/officer/couriers/"))
    response = officer.post("/officer/couriers/new", courier_form())
    assert response.status_code == 302
    # Rp70,000 = RM17.84: the new service is the cheapest to Selangor, and does not go to Sabah.
    page = text_of(visitor.get(f"/products/{product_id}"))
    assert money(page, "Cheapest") == 41.67 and "SiCepat International" in page
    assert "SiCepat International" not in text_of(visitor.get(f"/products/{product_id}?state=MY-12"))


def test_courier_form_refuses_bad_data(app, demo):
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    for overrides, message in (
        ({"code": "express"}, "Another service has this code."),
        ({"transit_max_days": "2"}, "The most days cannot be fewer than the fewest."),
        ({"east_first": "90000"}, "Give both East Malaysia prices, or neither"),
        ({"tracking_url_template": "http://x.example/"}, "An https:// address with {tracking} in it."),
        ({"volumetric_divisor": "0"}, "Enter a number from 1000 to 10000."),
        ({"west_first": "-5"}, "Enter a price in rupiah"),
    ):
        response = officer.post("/officer/couriers/new", courier_form(**overrides))
        assert response.status_code == 400, overrides
        assert message in text_of(response), overrides
    assert officer.get("/officer/couriers/999999").status_code == 404
    merchant = Client(app)
    merchant.login("merchant@serumpun.example")
    assert merchant.get("/officer/couriers/").status_code == 403


def test_officers_change_a_tax_rule_and_the_breakdown_names_it(app, demo):
    from datetime import date

    product_id = publish_product(app)
    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    response = officer.post("/officer/customs/", {"key": "lvg_rate", "value": "8", "effective_on": date.today().isoformat(),
                                                  "source": "Budget 2027 (test)"})
    assert response.status_code == 302
    page = text_of(Client(app).get(f"/products/{product_id}"))
    assert "Budget 2027 (test)" in page
    assert money(page, "Cheapest") == 47.60  # 24.21 + 21.66 + 8% of 21.66 (1.73)
    for key, value, message in (("lvg_rate", "150", "Enter a percentage from 0 to 100"),
                                ("no_such_rule", "1", "no such rule"),
                                ("de_minimis_sen", "500.001", "Enter an amount in ringgit"),
                                ("reduced_chapters", "9,abc", "Enter HS chapters of two digits"),
                                ("form_d", "maybe", "Please choose one of the options.")):
        bad = officer.post("/officer/customs/", {"key": key, "value": value, "effective_on": "2026-01-01",
                                                 "source": "Test source"})
        assert bad.status_code == 400 and message in text_of(bad), key
    buyer = Client(app)
    buyer.login("buyer@serumpun.example")
    assert buyer.get("/officer/customs/").status_code == 403


def test_the_rules_page_reads_in_ringgit_and_names_what_is_missing(app, demo):
    from marketplace.customs.models import CustomsRule
    from marketplace.extensions import db

    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    page = text_of(officer.get("/officer/customs/"))
    # Amounts stored in sen read as ringgit, not as "50000".
    assert "Low value goods: items sold at no more than RM500.00 In force from" in page
    assert "CN22 declaration up to this value, CN23 above RM1,750.00 In force from" in page
    assert "Form D claimed: no duty on Indonesian goods Yes In force from" in page
    assert "Missing" not in page and "_sen" not in page and "duty_chapter" not in page
    officer.post("/officer/customs/", {"key": "duty_chapter", "chapter": "62", "value": "20.0",
                                       "effective_on": "2026-01-01", "source": "Customs Duties Order 2022 (test)"})
    assert "Import duty without a Form D, HS chapter 62 20% In force from" in text_of(officer.get("/officer/customs/"))
    with app.app_context():
        db.session.execute(db.delete(CustomsRule).where(CustomsRule.key == "de_minimis_sen"))
        db.session.commit()
    page = text_of(officer.get("/officer/customs/"))
    assert "Delivered prices are not shown until every rule has a value. Missing: " \
           "De minimis: air and postal consignments up to this CIF value In force on" in page


def test_courier_services_round_trip_through_csv_all_or_nothing(app, demo):
    import io as stdio

    officer = Client(app)
    officer.login("officer@serumpun.example")
    officer.post("/language", {"language": "en", "next": "/"}, token_from="/")
    exported = officer.get("/officer/couriers/export.csv").get_data(as_text=True)
    assert exported.lstrip("\ufeff").startswith("code,name,name_id,name_ms,level")
    changed = exported.replace("95000", "99000")  # the economy service's first West Malaysia step
    response = officer.post("/officer/couriers/import", {"file": (stdio.BytesIO(changed.encode()), "c.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 302
    assert "IDR99,000" in text_of(officer.get("/officer/couriers/"))
    broken = changed.replace("99000", "-1").replace("6000,500", "0,500")
    response = officer.post("/officer/couriers/import", {"file": (stdio.BytesIO(broken.encode()), "c.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 400
    page = text_of(response)
    assert "Nothing was saved" in page and "west_first" in page and "volumetric_divisor" in page
    assert "IDR99,000" in text_of(officer.get("/officer/couriers/"))
    # A new code on two rows: the second row is named, nothing is saved (not a half-saved import).
    header, *rows = changed.strip().splitlines()
    twice = "\n".join([header, rows[0].replace("express", "kilat", 1), rows[0].replace("express", "kilat", 1)])
    response = officer.post("/officer/couriers/import", {"file": (stdio.BytesIO(twice.encode()), "c.csv")},
                            content_type="multipart/form-data")
    assert response.status_code == 400 and "This code is already on line 2." in text_of(response)
    assert "kilat" not in text_of(officer.get("/officer/couriers/"))


def test_each_kind_of_box_of_a_split_parcel_gets_its_declaration(app, demo):
    # 8 kg cartons of coffee: 51 of them are 408 kg, many boxes of two or three cartons and a last one.
    product_id = publish_product(app, sku="KOPI-KARTON", packed_weight_g="8000", box_length_cm="40",
                                 box_width_cm="30", box_height_cm="30", moq="1", stock="100")
    response = Client(app).http.post("/api/v1/quotes", json={"state": "Selangor",
                                                             "items": [{"product_id": product_id, "quantity": 51}]})
    assert response.status_code == 200, response.json
    [parcel] = response.json["parcels"]
    cheapest = next(s for s in parcel["services"] if s["code"] == parcel["cheapest"])
    forms = parcel["declarations"]
    assert len(forms) == 2 and forms[0]["boxes"] > 1 and forms[1]["boxes"] == 1  # full boxes, then the rest
    assert sum(form["boxes"] for form in forms) == cheapest["parcels"]
    assert sum(form["boxes"] * line["quantity"] for form in forms for line in form["lines"]) == 51
    assert sum(form["boxes"] * form["weight_g"] for form in forms) == 51 * 8000
    assert sum(form["boxes"] * form["value"]["amount"] for form in forms) == parcel["breakdown"]["goods"]["amount"]
    assert sum(form["boxes"] * form["postage"]["amount"] for form in forms) == parcel["breakdown"]["shipping"]["amount"]
    assert cheapest["price"]["myr"]["amount"] == parcel["breakdown"]["shipping"]["amount"]


def test_the_courier_export_names_its_type_and_charset_once(app, demo):
    officer = Client(app)
    officer.login("officer@serumpun.example")
    response = officer.get("/officer/couriers/export.csv")
    assert response.status_code == 200 and response.headers["Content-Type"] == "text/csv; charset=utf-8"
