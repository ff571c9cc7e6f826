"""CN22 / CN23 declarations: the form by value, the LVG number only where the tax was collected."""
from __future__ import annotations

import dataclasses

import pytest

from marketplace.customs.declaration import Good, declare, describe

from .test_landed import rules


def coffee(price_sen=8_000, quantity=1, hs="090121", description="Arabica Java Preanger, roasted beans 250 g"):
    return Good(description, hs, quantity, unit_weight_g=320, unit_price_sen=price_sen)


def test_a_cn22_up_to_exactly_the_limit_and_a_cn23_one_sen_above():
    limit = rules().cn22_limit_sen
    at = declare([coffee(price_sen=limit // 5, quantity=5)], 2_500, rules())
    assert (at.form, at.value_sen) == ("CN22", limit)
    above = declare([coffee(price_sen=limit // 5, quantity=5), coffee(price_sen=1)], 2_500, rules())
    assert (above.form, above.value_sen) == ("CN23", limit + 1)
    assert above.rule.key == "cn22_limit_sen"


def test_lines_carry_quantity_weight_value_hs_and_origin():
    form = declare([coffee(quantity=3), Good("Batik cap shirt", "620520", 1, 450, 25_000)], 3_000, rules())
    first, second = form.lines
    assert (first.quantity, first.weight_g, first.value_sen, first.hs_code, first.origin) == (3, 960, 24_000, "090121", "ID")
    assert (second.weight_g, second.value_sen) == (450, 25_000)
    assert (form.weight_g, form.value_sen, form.postage_sen, form.currency) == (1_410, 49_000, 3_000, "MYR")
    assert form.category == "sale_of_goods"


def test_the_lvg_number_goes_on_the_form_only_when_a_line_was_taxed_as_lvg():
    taxed = declare([coffee(price_sen=50_000)], 2_000, rules())  # RM500.00: LVG
    assert taxed.lines[0].lvg_taxed and taxed.lvg_registration_number == "LVG-SAMPLE-0001"

    dear = declare([coffee(price_sen=50_001)], 2_000, rules())  # RM500.01: import rules instead
    assert not dear.lines[0].lvg_taxed and dear.lvg_registration_number is None

    mixed = declare([coffee(price_sen=50_001), coffee(price_sen=9_000)], 2_000, rules())
    assert [line.lvg_taxed for line in mixed.lines] == [False, True]
    assert mixed.lvg_registration_number == "LVG-SAMPLE-0001"

    unregistered = declare([coffee()], 2_000, rules(registered=False))
    assert not unregistered.lines[0].lvg_taxed and unregistered.lvg_registration_number is None


def test_excluded_goods_are_never_marked_as_lvg_taxed():
    form = declare([coffee(hs="240220", description="Kretek")], 2_000, rules())
    assert not form.lines[0].lvg_taxed and form.lvg_registration_number is None


def test_form_d_is_named_on_a_cn23_when_claimed():
    big = [coffee(price_sen=60_000, quantity=3)]
    assert declare(big, 5_000, rules()).certificate_of_origin == "Form D"
    assert declare(big, 5_000, rules(form_d=False)).certificate_of_origin is None
    assert declare([coffee()], 5_000, rules()).certificate_of_origin is None  # a CN22 has no box for it


def test_the_cn22_limit_is_the_rule_officers_keep():
    lower = dataclasses.replace(rules(), cn22_limit_sen=10_000)
    assert declare([coffee(price_sen=10_001)], 0, lower).form == "CN23"
    assert declare([coffee(price_sen=10_001)], 0, rules()).form == "CN22"


def test_descriptions_fit_the_forms_box_and_are_cut_at_a_word():
    assert describe("  Kopi  Arabika\nPreanger ") == "Kopi Arabika Preanger"
    long = describe("Keripik tempe sagu renyah khas Bandung dengan bumbu daun jeruk, kemasan standing pouch 200 g")
    assert len(long) <= 60 and long.endswith("…") and not long[:-1].endswith(" ")
    assert long.startswith("Keripik tempe sagu renyah khas Bandung dengan bumbu daun")
    assert describe("x" * 80) == "x" * 59 + "…"


@pytest.mark.parametrize("goods, postage", [([], 0), ([coffee(quantity=0)], 0), ([coffee(price_sen=-1)], 0),
                                            ([coffee()], -1)])
def test_bad_input_is_refused(goods, postage):
    with pytest.raises(ValueError):
        declare(goods, postage, rules())
