"""Landed cost: LVG sales tax, de minimis with freight counted, duty and import sales tax above it."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.customs.landed import Line, Rule, Rules, landed_cost, percent_of


def rules(registered=True, form_d=True) -> Rules:
    return Rules(
        lvg_rate=Decimal(10), lvg_threshold_sen=50_000, lvg_registered=registered,
        lvg_registration_number="LVG-SAMPLE-0001" if registered else None,
        lvg_rule=Rule("lvg", date(2024, 1, 1), "P.U.(A) 403/2023"),
        de_minimis_sen=50_000, de_minimis_rule=Rule("de_minimis", date(2017, 1, 1), "Customs Duties (Exemption) Order 2017"),
        duty_by_chapter={"09": Decimal(15), "62": Decimal(20)}, form_d=form_d,
        duty_chapter_rules={"09": Rule("duty_chapter_09", date(2025, 1, 1), "Customs Duties Order 2022, ch. 09"),
                            "62": Rule("duty_chapter_62", date(2025, 1, 1), "Customs Duties Order 2022, ch. 62")},
        duty_rule=Rule("duty", date(2025, 1, 1), "ATIGA / chapter rates"),
        sales_tax_standard=Decimal(10), sales_tax_reduced=Decimal(5), reduced_chapters=frozenset({"09"}),
        sales_tax_rule=Rule("import_sales_tax", date(2018, 9, 1), "Sales Tax Act 2018"),
        sales_tax_reduced_rule=Rule("sales_tax_reduced", date(2018, 9, 1), "Sales Tax (Rates of Tax) Order 2018"),
        cn22_limit_sen=175_000, cn22_rule=Rule("cn22_limit_sen", date(2024, 1, 1), "UPU: 300 SDR"),
    )


def test_lvg_sales_tax_on_items_up_to_exactly_rm500_and_never_on_shipping():
    at_limit = landed_cost([Line("090121", 50_000, 1)], 3_000, rules())
    assert at_limit.amount("lvg_sales_tax") == 5_000  # 10% of RM500.00, not of shipping
    assert at_limit.amount("import_duty") == 0 and at_limit.amount("import_sales_tax") == 0
    assert at_limit.lvg_registration_number == "LVG-SAMPLE-0001"

    above = landed_cost([Line("090121", 50_001, 1)], 3_000, rules(form_d=False))
    assert above.amount("lvg_sales_tax") == 0
    # RM500.01 + RM30 freight = RM530.01 CIF, over de minimis: 15% duty, then 5% (chapter 09) on CIF + duty
    assert above.amount("import_duty") == percent_of(53_001, Decimal(15)) == 7_950
    assert above.amount("import_sales_tax") == percent_of(53_001 + 7_950, Decimal(5)) == 3_048


def test_de_minimis_counts_the_freight():
    unregistered = rules(registered=False, form_d=False)
    inside = landed_cost([Line("620442", 47_000, 1)], 3_000, unregistered)  # CIF exactly RM500.00
    assert inside.de_minimis_applies and inside.amount("import_duty") == 0 and inside.amount("import_sales_tax") == 0
    outside = landed_cost([Line("620442", 47_000, 1)], 3_001, unregistered)  # CIF RM500.01
    assert not outside.de_minimis_applies
    assert outside.amount("import_duty") == percent_of(50_001, Decimal(20))
    by_sea = landed_cost([Line("620442", 10_000, 1)], 1_000, unregistered, by_air_or_post=False)
    assert not by_sea.de_minimis_applies and by_sea.amount("import_sales_tax") > 0


def test_form_d_removes_duty_but_not_import_sales_tax():
    result = landed_cost([Line("620442", 60_000, 1)], 5_000, rules(registered=False, form_d=True))
    assert result.amount("import_duty") == 0
    assert result.amount("import_sales_tax") == percent_of(65_000, Decimal(10))


def test_excluded_goods_never_get_lvg_treatment():
    result = landed_cost([Line("220421", 10_000, 1)], 2_000, rules())
    assert result.amount("lvg_sales_tax") == 0


def test_each_line_names_its_rule_and_date_and_the_whole_is_an_estimate():
    result = landed_cost([Line("090121", 2_166, 3)], 5_400, rules())
    assert result.estimate
    taxed = [e for e in result.entries if e.key == "lvg_sales_tax"]
    assert taxed[0].rule.effective_on == date(2024, 1, 1) and "403/2023" in taxed[0].rule.source
    assert result.amount("lvg_sales_tax") == 650  # 10% of 64.98, half up per line: 6.498 -> 6.50


def test_duty_and_sales_tax_name_the_rule_that_set_their_rate():
    # Without a Form D: a batik shirt (chapter 62, 20% duty, 10% tax) and coffee (chapter 09, 15%, reduced 5%),
    # both over RM500 so neither is LVG; and a chapter with no duty rate recorded (44: wood).
    lines = [Line("620520", 60_000, 1), Line("090121", 60_000, 1), Line("442199", 60_000, 1)]
    result = landed_cost(lines, 6_000, rules(form_d=False))
    duties = {e.rule.key: e.amount_sen for e in result.entries if e.key == "import_duty"}
    taxes = {e.rule.key: e.amount_sen for e in result.entries if e.key == "import_sales_tax"}
    cif = 60_000 + 2_000  # freight shared by value
    assert duties == {"duty_chapter_62": percent_of(cif, Decimal(20)), "duty_chapter_09": percent_of(cif, Decimal(15)),
                      "duty": 0}
    assert next(e.note for e in result.entries if e.key == "import_duty" and e.rule.key == "duty") == "no_chapter_rate"
    assert taxes == {
        "import_sales_tax": percent_of(cif + duties["duty_chapter_62"], Decimal(10)) + percent_of(cif, Decimal(10)),
        "sales_tax_reduced": percent_of(cif + duties["duty_chapter_09"], Decimal(5)),
    }
    with_form_d = landed_cost(lines, 6_000, rules(form_d=True))
    assert [(e.rule.key, e.amount_sen, e.note) for e in with_form_d.entries if e.key == "import_duty"] == \
        [("duty", 0, "form_d")]


def test_negative_amounts_are_refused():
    with pytest.raises(ValueError):
        landed_cost([Line("090121", -1, 1)], 0, rules())
    with pytest.raises(ValueError):
        landed_cost([Line("090121", 100, 0)], 0, rules())


@given(st.lists(st.builds(Line, st.sampled_from(["090121", "620442", "190590", "220421", "330499"]),
                          st.integers(0, 200_000), st.integers(1, 20)), min_size=1, max_size=5),
       st.integers(0, 100_000), st.booleans(), st.booleans(), st.booleans())
def test_a_breakdown_always_sums_to_its_total_and_nothing_is_negative(lines, shipping, registered, form_d, air):
    result = landed_cost(lines, shipping, rules(registered, form_d), by_air_or_post=air)
    assert result.total_sen == sum(e.amount_sen for e in result.entries)
    assert all(e.amount_sen >= 0 for e in result.entries)
    assert result.amount("goods") == sum(line.value_sen for line in lines)
    assert result.amount("shipping") == shipping
    assert all(e.rule is not None for e in result.entries if e.key not in ("goods", "shipping"))


@pytest.mark.parametrize(("lines", "shipping", "duty", "tax"), [
    # RM10 of freight over RM1,300.01 of goods: the shirt's share is 461.54 sen -> 462 (it was floored to 461,
    # so its 20% duty came out one sen under: 12,092 instead of 20% of 60,463 = 12,092.6 -> 12,093).
    ([Line("620520", 60_001, 1), Line("090121", 70_000, 1)], 1_000,
     {"duty_chapter_62": 12_093, "duty_chapter_09": 10_581},  # 15% of 70,538 = 10,580.7 -> 10,581
     {"import_sales_tax": 7_256, "sales_tax_reduced": 4_056}),  # 10% of 72,556; 5% of 81,119 = 4,055.95
    # Exactly half a sen rounds up: 5 sen over two equal lines is 2.5 each -> 3, CIF 60,003 per line,
    # 20% duty 12,000.6 -> 12,001 per line (floored shares gave 12,000).
    ([Line("620520", 60_000, 1), Line("620442", 60_000, 1)], 5,
     {"duty_chapter_62": 12_001 * 2},
     {"import_sales_tax": 7_200 * 2}),  # 10% of 72,004 = 7,200.4 -> 7,200 per line
])
def test_a_lines_share_of_the_freight_is_rounded_half_up_per_line(lines, shipping, duty, tax):
    result = landed_cost(lines, shipping, rules(registered=False, form_d=False))
    assert {e.rule.key: e.amount_sen for e in result.entries if e.key == "import_duty"} == duty
    assert {e.rule.key: e.amount_sen for e in result.entries if e.key == "import_sales_tax"} == tax
