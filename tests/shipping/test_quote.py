"""Parcel quotes: chargeable weight, steps, splits, zones and what a service cannot carry."""
from __future__ import annotations

from dataclasses import replace

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.shipping.quote import (
    Box,
    Item,
    Rate,
    Service,
    chargeable_g,
    check_box,
    estimate_box,
    fits,
    parcel_of,
    price_idr,
    quote,
    volumetric_g,
)

EXPRESS = Service("express", "Express", "express", 5000, 500, 30_000, 1200, 3000, 1, 3,
                  {"west": Rate(250_000, 60_000), "east": Rate(300_000, 75_000)})
EMS = Service("ems", "EMS", "postal", 6000, 500, 30_000, 1050, 2000, 3, 7,
              {"west": Rate(180_000, 45_000), "east": Rate(210_000, 52_000)})
ECONOMY = Service("economy", "Economy", "economy", 6000, 1000, 20_000, 1000, 3000, 5, 10,
                  {"west": Rate(90_000, 30_000)})  # no East Malaysia rate


def item(weight=320, l=180, w=120, h=65, qty=1):
    return Item(weight, l, w, h, qty)


@pytest.mark.parametrize(
    ("weight", "box", "divisor", "step", "expected"),
    [
        (320, (180, 120, 65), 5000, 500, 500),  # 1404 cm3 / 5000 = 281 g; actual 320 g -> one step
        (320, (400, 300, 200), 5000, 500, 5000),  # 24,000 cm3 / 5000 = 4800 g -> 5.0 kg
        (320, (400, 300, 200), 6000, 500, 4000),  # divisor 6000: 4000 g exactly
        (4001, (100, 100, 100), 6000, 500, 4500),  # heavier than its size: actual weight, stepped up
        (1000, (200, 150, 80), 5000, 500, 1000),  # 2400 cm3 -> 480 g; actual 1000 -> 1.0 kg exactly
        (1001, (200, 150, 80), 5000, 1000, 2000),  # a 1 kg step
    ],
)
def test_chargeable_weight_is_the_larger_of_actual_and_volumetric_stepped_up(weight, box, divisor, step, expected):
    parcel = parcel_of([Item(weight, *box)])
    service = Service("s", "S", "x", divisor, step, 30_000, 2000, 3000, 1, 2, {"west": Rate(1, 1)})
    assert chargeable_g(parcel, service) == expected


def test_volumetric_weight():
    assert volumetric_g(Box(300, 150, 100), 5000) == 900  # 30 x 15 x 10 cm = 4500 cm3 / 5 = 900 g


def test_price_first_step_then_each_further_step():
    rate = Rate(100_000, 25_000)
    assert price_idr(500, rate, 500) == 100_000
    assert price_idr(1500, rate, 500) == 150_000


def test_the_estimated_box_is_never_smaller_than_the_largest_item():
    items = [item(qty=3), Item(900, 400, 50, 50)]
    box = estimate_box(items)
    assert box.length_mm >= 400 and box.width_mm >= 120 and box.height_mm >= 65
    volume = sum(i.volume_mm3 * i.quantity for i in items)
    assert box.length_mm * box.width_mm * box.height_mm >= volume


def test_one_item_travels_in_its_own_box():
    assert estimate_box([item()]) == Box(180, 120, 65)


def test_zones_and_services_that_cannot_serve_them():
    west, east = quote([item()], [EXPRESS, EMS, ECONOMY], "west"), quote([item()], [EXPRESS, EMS, ECONOMY], "east")
    assert {o.service.code: o.price_idr for o in west.options} == {"express": 250_000, "ems": 180_000, "economy": 90_000}
    assert {o.service.code: o.price_idr for o in east.options} == {"express": 300_000, "ems": 210_000}
    assert [(r.service.code, r.reason) for r in east.refusals] == [("economy", "no_rate")]
    assert west.cheapest.service.code == "economy" and west.fastest.service.code == "express"


def test_parcels_split_when_heavier_than_a_service_allows():
    heavy = [item(weight=8000, l=300, w=200, h=200, qty=3)]  # 24 kg
    result = quote(heavy, [ECONOMY, EXPRESS], "west")
    economy = next(o for o in result.options if o.service.code == "economy")
    assert len(economy.parcels) == 2 and sorted(p.weight_g for p in economy.parcels) == [8000, 16000]
    express = next(o for o in result.options if o.service.code == "express")
    assert len(express.parcels) == 1


def test_what_a_service_cannot_carry_is_left_out_with_the_reason():
    too_heavy = quote([item(weight=25_000, l=300, w=300, h=300)], [ECONOMY, EXPRESS], "west")
    assert [(r.service.code, r.reason) for r in too_heavy.refusals] == [("economy", "too_heavy_item")]
    too_long = quote([item(weight=2000, l=1100, w=100, h=100)], [ECONOMY, EMS, EXPRESS], "west")
    assert {(r.service.code, r.reason) for r in too_long.refusals} == {("economy", "too_long"), ("ems", "too_long")}
    assert [o.service.code for o in too_long.options] == ["express"]


@given(st.lists(st.builds(Item, st.integers(1, 15_000), st.integers(10, 600), st.integers(10, 600),
                          st.integers(10, 600), st.integers(1, 400)), min_size=1, max_size=4))
def test_every_option_carries_every_unit_within_its_limits(items):
    result = quote(items, [EXPRESS, EMS, ECONOMY], "west")
    units = sum(i.quantity for i in items)
    for option in result.options:
        service = option.service
        assert sum(i.quantity for p in option.parcels for i in p.items) == units
        assert all(p.weight_g <= service.max_weight_g and p.box.longest_mm <= service.max_longest_mm
                   and p.box.sum_mm <= service.max_sum_mm for p in option.parcels)
        pairs = zip(option.chargeable_g, option.parcels, strict=True)
        assert all(c % service.step_g == 0 and p.weight_g <= c <= service.max_weight_g for c, p in pairs)
        assert option.price_idr > 0
    # A service refuses only when one unit alone is beyond it: bulk is split, never refused.
    for refusal in result.refusals:
        assert any(fits((replace(i, quantity=1),), refusal.service) for i in items)
    assert len(result.options) + len(result.refusals) == 3


def test_light_bulky_orders_are_split_by_size_not_refused():
    # 500 g in a 30 cm cube: six of them make a box too big for one parcel, so several boxes go.
    result = quote([item(weight=500, l=300, w=300, h=300, qty=6)], [EXPRESS, EMS, ECONOMY], "west")
    assert result.refusals == [] and len(result.options) == 3
    boxes = {o.service.code: len(o.parcels) for o in result.options}
    # Express (divisor 5000, 30 kg) and economy (6000, 20 kg) need two boxes; EMS (6000, 30 kg) takes one of 30 kg.
    assert boxes == {"express": 2, "economy": 2, "ems": 1}


def test_a_large_wholesale_order_packs_into_identical_full_boxes_and_one_remainder():
    # 60,000 sachets of 25 g: economy carries at most 20 kg, so 800 per box by weight if the box allows it.
    result = quote([item(weight=25, l=100, w=80, h=10, qty=60_000)], [ECONOMY], "west")
    [option] = result.options
    sizes = [p.items[0].quantity for p in option.parcels]
    assert sum(sizes) == 60_000 and len(set(sizes[:-1])) == 1 and sizes[-1] <= sizes[0]
    assert all(fits(p.items, ECONOMY) is None for p in option.parcels)


def test_box_check_prices_each_zone_and_prices_the_saving_of_a_smaller_box():
    # 900 g in a 40 x 30 x 10 cm box: express bills 12,000 cm3 / 5000 = 2.4 kg -> 2.5 kg.
    checks, advice = check_box(900, Box(400, 300, 100), [EXPRESS, EMS, ECONOMY])
    express, ems, economy = checks
    assert (express.chargeable_g, express.price_idr) == (2500, {"west": 250_000 + 4 * 60_000,
                                                                 "east": 300_000 + 4 * 75_000})
    assert (ems.chargeable_g, ems.price_idr["west"]) == (2000, 180_000 + 3 * 45_000)
    assert economy.price_idr == {"west": 90_000 + 30_000}  # 1 kg steps; no East Malaysia rate
    assert advice.service is EXPRESS and advice.billed_g == 2500 and advice.smaller_billed_g == 1000
    assert advice.smaller_box.length_mm * advice.smaller_box.width_mm * advice.smaller_box.height_mm <= 1000 * 5000
    assert advice.saving_idr == {"west": 3 * 60_000, "east": 3 * 75_000}


def test_box_check_refuses_a_box_billed_by_size_above_the_limit_and_prices_nothing():
    # 60 x 50 x 50 cm (L+W+H 160): 150,000 cm3 / 6000 = 25 kg by size, above economy's 20 kg.
    checks, advice = check_box(2000, Box(600, 500, 500), [ECONOMY])
    assert (checks[0].refusal, checks[0].price_idr, advice) == ("too_big", {}, None)
