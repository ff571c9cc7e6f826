"""Money: integer minor units, one rounding rule, exact rates."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from marketplace.money import (
    Money,
    MoneyError,
    Rate,
    convert,
    from_idr,
    idr_bounds_showing,
    parse_amount,
    parse_idr,
    parse_rate,
)

MYR = Rate("MYR", Decimal("3924.50"), date(2025, 10, 15))


@pytest.mark.parametrize(
    ("idr", "sen"),
    [
        (85000, 2166),  # 21.6588... -> 21.66
        (3924, 100),  # 0.99987 -> 1.00
        (19622, 500),  # 4.99987... -> 5.00
        (1, 0),  # 0.000254 ringgit -> 0 sen
        (19, 0),  # 0.484 sen rounds down
        (20, 1),  # 0.5096 sen rounds up
        (1_000_000_000, 25480953),  # RM 254,809.53
    ],
)
def test_rupiah_to_ringgit_rounds_half_up_to_the_sen(idr, sen):
    assert from_idr(idr, MYR) == Money(sen, "MYR")


def test_exact_halves_round_up():
    rate = Rate("MYR", Decimal("4000"), date(2025, 1, 1))
    assert from_idr(20, rate) == Money(1, "MYR")  # exactly 0.5 sen
    assert from_idr(60, rate) == Money(2, "MYR")  # exactly 1.5 sen


def test_a_ringgit_filter_keeps_exactly_the_prices_shown_within_it():
    # At 3924.50, Rp98,100 and Rp98,130 both show as RM25.00: a filter at RM25 keeps both, from either side.
    assert from_idr(98_100, MYR) == from_idr(98_130, MYR) == Money(2500, "MYR")
    lowest, highest = idr_bounds_showing(Money(2500, "MYR"), Money(2500, "MYR"), MYR)
    assert lowest <= 98_100 and 98_130 <= highest
    assert from_idr(lowest, MYR) == Money(2500, "MYR") and from_idr(lowest - 1, MYR) == Money(2499, "MYR")
    assert from_idr(highest, MYR) == Money(2500, "MYR") and from_idr(highest + 1, MYR) == Money(2501, "MYR")


@given(st.integers(0, 5_000_000), st.integers(0, 2_000_000), st.decimals("100", "100000", places=2))
def test_filter_bounds_agree_with_the_shown_price(idr, sen, idr_per_unit):
    rate = Rate("MYR", idr_per_unit, date(2025, 1, 1))
    lowest, highest = idr_bounds_showing(Money(sen, "MYR"), Money(sen, "MYR"), rate)
    shown = from_idr(idr, rate).amount
    assert (idr >= lowest) == (shown >= sen)
    assert (idr <= highest) == (shown <= sen)


@pytest.mark.parametrize(("text", "sen"), [("25", 2500), ("25.50", 2550), ("25,50", 2550), ("1,250", 125_000),
                                           ("1,250.50", 125_050), ("1.250,50", 125_050), ("25,5", 2550)])
def test_ringgit_amounts_are_read_with_either_decimal_mark(text, sen):
    assert parse_amount(text, "MYR") == Money(sen, "MYR")


@pytest.mark.parametrize(("text", "value"), [("3924.50", "3924.50"), ("3,924.5", "3924.5"), ("3.924,50", "3924.50"),
                                              ("16580", "16580"), ("12780.2548", "12780.2548"), ("100", "100")])
def test_rates_are_parsed_exactly(text, value):
    assert parse_rate(text) == Decimal(value)


@pytest.mark.parametrize("text", ["", "abc", "-3924", "0", "3924.12345", "1e3", "NaN", "３９２４", "0.2548", "99.99",
                                  "100000.01", "1" * 25, "1" * 10 + ".5"])
def test_bad_rates_are_refused(text):
    with pytest.raises(MoneyError):
        parse_rate(text)


@pytest.mark.parametrize(("text", "rupiah"), [("85000", 85000), ("85.000", 85000), ("85,000", 85000),
                                               ("Rp 1.250.000", 1250000), ("rp85000", 85000)])
def test_rupiah_as_typed(text, rupiah):
    assert parse_idr(text) == rupiah


@pytest.mark.parametrize("text", ["85000,50", "12.5", "1e9", "-5", "", "８５０００", "85.00.0"])
def test_rupiah_refused(text):
    with pytest.raises(MoneyError):
        parse_idr(text)


def test_money_never_mixes_currencies_or_floats():
    with pytest.raises(MoneyError):
        Money(100, "MYR") + Money(100, "IDR")
    with pytest.raises(TypeError):
        Money(12.5, "MYR")
    with pytest.raises(TypeError):
        Money(100, "MYR") * 1.5
    assert Money(2166, "MYR") * 3 == Money(6498, "MYR")


@given(st.integers(min_value=1, max_value=1_000_000_000),
       st.decimals(min_value=Decimal("100"), max_value=Decimal("50000"), places=2, allow_nan=False))
def test_conversion_round_trip_is_within_half_a_sen(idr, per_unit):
    rate = Rate("MYR", per_unit, date(2025, 1, 1))
    ringgit = from_idr(idr, rate)
    exact_sen = Decimal(idr) * 100 / per_unit
    assert abs(Decimal(ringgit.amount) - exact_sen) <= Decimal("0.5")
    assert ringgit.amount >= 0


SGD = Rate("SGD", Decimal("12780.00"), date(2025, 10, 15))
USD = Rate("USD", Decimal("16580.00"), date(2025, 10, 15))
RATES = {"MYR": MYR, "SGD": SGD, "USD": USD}


@pytest.mark.parametrize(("amount", "currency", "expected"), [
    (Money(10_000, "MYR"), "IDR", Money(392_450, "IDR")),  # RM 100 at 3,924.50
    (Money(10_000, "MYR"), "SGD", Money(3071, "SGD")),  # 392,450 / 12,780 = 30.708... -> 30.71
    (Money(10_000, "MYR"), "USD", Money(2367, "USD")),  # 392,450 / 16,580 = 23.670... -> 23.67
    (Money(10_000, "MYR"), "MYR", Money(10_000, "MYR")),
    (Money(1, "MYR"), "IDR", Money(39, "IDR")),  # 39.245 rupiah
    (Money(85_000, "IDR"), "MYR", Money(2166, "MYR")),
    (Money(3071, "SGD"), "MYR", Money(10_001, "MYR")),  # back again: one rounding each way, never exact
])
def test_amounts_convert_through_rupiah_rounded_once(amount, currency, expected):
    assert convert(amount, currency, RATES) == expected


def test_conversion_rounds_an_exact_half_up_once():
    rates = {"MYR": Rate("MYR", Decimal("3925"), date(2025, 1, 1)), "SGD": Rate("SGD", Decimal("7850"), date(2025, 1, 1))}
    assert convert(Money(2, "MYR"), "IDR", rates) == Money(79, "IDR")  # 78.5 rupiah
    # 0.01 MYR = 39.25 IDR = exactly half a cent: 1 cent. Rounding the rupiah first (39) would give 0.
    assert convert(Money(1, "MYR"), "SGD", rates) == Money(1, "SGD")


def test_an_average_per_unit_is_rounded_once():
    assert convert(Money(10_001, "MYR"), "MYR", {}, divide_by=2) == Money(5001, "MYR")  # 50.005 -> 50.01
    assert convert(Money(10_000, "MYR"), "IDR", RATES, divide_by=3) == Money(130_817, "IDR")  # 130,816.67


def test_conversion_refuses_a_missing_rate_or_a_bad_count():
    with pytest.raises(MoneyError):
        convert(Money(100, "MYR"), "SGD", {"MYR": MYR})
    with pytest.raises(MoneyError):
        convert(Money(100, "MYR"), "IDR", {"MYR": SGD})  # a rate filed under the wrong currency
    with pytest.raises(MoneyError):
        convert(Money(100, "MYR"), "MYR", RATES, divide_by=0)


@given(st.integers(min_value=0, max_value=10**12),
       st.decimals(min_value=Decimal("100"), max_value=Decimal("50000"), places=4, allow_nan=False),
       st.sampled_from(["MYR", "SGD", "USD"]))
def test_from_rupiah_agrees_with_from_idr(idr, per_unit, currency):
    rate = Rate(currency, per_unit, date(2025, 1, 1))
    assert convert(Money(idr, "IDR"), currency, {currency: rate}) == from_idr(idr, rate)


@given(st.integers(min_value=0, max_value=10**12), st.integers(min_value=1, max_value=10**7))
def test_an_average_agrees_with_halving_up_in_integers(total, units):
    assert convert(Money(total, "MYR"), "MYR", {}, divide_by=units).amount == (2 * total + units) // (2 * units)
