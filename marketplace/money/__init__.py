"""Money as integer minor units with an ISO 4217 currency code; never floats.

Pure Python: no Flask, no database.

The documented rounding step: a price is converted from rupiah once per unit price (and once per
box of shipping), half up, to the minor unit; a line is then that displayed unit price times the
quantity, so that what a buyer multiplies on the page is what the line says.
"""
from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

# Minor units per currency. IDR has no minor unit in practice: whole rupiah.
MINOR_UNITS = {"IDR": 0, "MYR": 2, "SGD": 2, "USD": 2}

# The largest retail price a listing may carry: a sanity bound, not a business rule.
MAX_IDR_PRICE = 1_000_000_000


class MoneyError(ValueError):
    """A value that is not an amount of money we accept."""


@dataclass(frozen=True, order=True)
class Money:
    amount: int  # in minor units of the currency
    currency: str

    def __post_init__(self):
        if not isinstance(self.amount, int) or isinstance(self.amount, bool):
            raise TypeError("Money.amount must be an int of minor units")
        if self.currency not in MINOR_UNITS:
            raise MoneyError(f"unknown currency {self.currency!r}")

    def __add__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def __mul__(self, quantity: int) -> Money:
        if not isinstance(quantity, int):
            raise TypeError("multiply money by a whole quantity")
        return Money(self.amount * quantity, self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise MoneyError(f"cannot mix {self.currency} and {other.currency}")

    @classmethod
    def idr(cls, rupiah: int) -> Money:
        return cls(rupiah, "IDR")


_GROUPED = re.compile(r"^[0-9]{1,3}([.,])[0-9]{3}(\1[0-9]{3})*$")


def parse_idr(text: str) -> int:
    """Whole rupiah from what a merchant types: "45000", "45.000", "45,000", "Rp 1.250.000".

    Indonesians group thousands with dots, so "45.000" is forty-five thousand;
    a decimal part ("45000,50", "12.5") is refused, since rupiah have no sen.
    """
    cleaned = re.sub(r"\s+", "", text or "")
    cleaned = re.sub(r"^(?i:rp)\.?", "", cleaned)
    if not cleaned:
        raise MoneyError("empty")
    if len(cleaned) > 20:  # no price has that many digits; int() of thousands of them is refused
        raise MoneyError("not a number")
    if cleaned.isascii() and cleaned.isdigit():
        value = int(cleaned)
    elif _GROUPED.match(cleaned):
        value = int(re.sub(r"[.,]", "", cleaned))
    elif re.match(r"^[0-9.,]+$", cleaned):
        raise MoneyError("decimals")
    else:
        raise MoneyError("not a number")
    return value


# Exchange rates are "rupiah per one unit of the other currency" (3,924.50 IDR per MYR),
# kept as exact decimals with at most RATE_DECIMALS places, never as floats.
RATE_DECIMALS = 4
DISPLAY_CURRENCIES = ("MYR", "IDR", "SGD", "USD")


@dataclass(frozen=True)
class Rate:
    currency: str
    idr_per_unit: Decimal
    effective_on: date
    source: str = ""

    def __post_init__(self):
        if self.currency not in MINOR_UNITS or self.currency == "IDR":
            raise MoneyError(f"no rate for {self.currency!r}")
        if not isinstance(self.idr_per_unit, Decimal) or self.idr_per_unit <= 0:
            raise MoneyError("a rate is a positive Decimal")


# Rupiah per unit of a currency Serumpun shows: about 3,900 for MYR, 16,000 for USD. A rate outside
# this range is a typing mistake that would make every price on the site absurd.
RATE_RANGE = (Decimal(100), Decimal(100_000))


def parse_rate(text: str) -> Decimal:
    """'3924.5', '3,924.50' or '3.924,50' as a Decimal rate with at most four decimals."""
    cleaned = re.sub(r"\s+", "", text or "")[:40]
    if re.fullmatch(r"[0-9]{1,3}(\.[0-9]{3})+,[0-9]+|[0-9]+,[0-9]+", cleaned):  # Indonesian: 3.924,50
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,12})?", cleaned):
        raise MoneyError("not a number")
    value = Decimal(cleaned)
    if not RATE_RANGE[0] <= value <= RATE_RANGE[1]:
        raise MoneyError("out of range")
    if value != value.quantize(Decimal(1).scaleb(-RATE_DECIMALS)):
        raise MoneyError("too many decimals")
    return value


def round_half_up(value: Decimal) -> int:
    """The one rounding rule: to the nearest whole minor unit, halves away from zero."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def from_idr(amount_idr: int, rate: Rate) -> Money:
    """Convert whole rupiah into the rate's currency, rounded once, half up, to its minor unit."""
    minor = Decimal(10) ** MINOR_UNITS[rate.currency]
    return Money(round_half_up(Decimal(amount_idr) * minor / rate.idr_per_unit), rate.currency)


def convert(amount: Money, currency: str, rates: Mapping[str, Rate], divide_by: int = 1) -> Money:
    """An amount in another currency, through rupiah (every rate is rupiah per unit), rounded once, half up.

    MYR sen -> rupiah -> SGD cents is one exact calculation and one rounding, never two roundings in a
    row. With divide_by, the amount is first shared out over that many units (an average per unit),
    still with one rounding. A currency other than IDR needs its rate in rates, else MoneyError.
    """
    if not isinstance(divide_by, int) or isinstance(divide_by, bool) or divide_by < 1:
        raise MoneyError("divide by a whole number of units, at least 1")

    def idr_per(code: str) -> Fraction:
        if code == "IDR":
            return Fraction(1)
        rate = rates.get(code)
        if rate is None or rate.currency != code:
            raise MoneyError(f"no rate for {code!r}")
        return Fraction(rate.idr_per_unit)

    if currency not in MINOR_UNITS:
        raise MoneyError(f"unknown currency {currency!r}")
    major = Fraction(amount.amount, 10 ** MINOR_UNITS[amount.currency])
    if currency != amount.currency:
        major = major * idr_per(amount.currency) / idr_per(currency)
    exact = major * 10 ** MINOR_UNITS[currency] / divide_by
    whole = math.floor(abs(exact) + Fraction(1, 2))  # half up: halves away from zero, as round_half_up
    return Money(whole if exact >= 0 else -whole, currency)


@dataclass(frozen=True)
class ShownAmount:
    """An amount worked out in ringgit (a landed cost) as a reader sees it: in their currency, the rupiah
    beside, and the ringgit it was worked out in."""

    shown: Money
    idr: Money
    myr: Money


def show_ringgit(amount: Money, currency: str, rates: Mapping[str, Rate], divide_by: int = 1) -> ShownAmount:
    """A ringgit amount in the reader's currency (ringgit while no rate for it is in force), rupiah and ringgit,
    each converted once (see convert). The rates must hold MYR's."""
    if currency != "IDR" and currency not in rates:
        currency = "MYR"
    return ShownAmount(*(convert(amount, code, rates, divide_by=divide_by) for code in (currency, "IDR", "MYR")))


def idr_bounds_showing(low: Money | None, high: Money | None, rate: Rate) -> tuple[int | None, int | None]:
    """The whole-rupiah prices whose converted price (rounded half up, as shown) lies within [low, high].

    Shown price = round_half_up(idr x minor / rate); it is at least L when idr >= (L - 1/2) x rate / minor,
    and at most H when idr < (H + 1/2) x rate / minor.
    """
    minor = Decimal(10) ** MINOR_UNITS[rate.currency]
    half = Decimal("0.5")
    lowest = highest = None
    if low is not None:
        lowest = math.ceil((Decimal(low.amount) - half) * rate.idr_per_unit / minor)
    if high is not None:
        highest = math.ceil((Decimal(high.amount) + half) * rate.idr_per_unit / minor) - 1
    return lowest, highest


def parse_amount(text: str, currency: str) -> Money:
    """What a buyer types in a price filter as Money in that currency.

    "25", "25.50", "1,250.00", and the Indonesian and Malay way with a decimal comma: "25,50", "1.250,50".
    """
    if currency == "IDR":
        return Money(parse_idr(text), "IDR")
    cleaned = re.sub(r"\s", "", text or "")
    if re.fullmatch(r"[0-9]+,[0-9]{1,2}|[0-9]{1,3}(\.[0-9]{3})+,[0-9]{1,2}", cleaned):
        cleaned = cleaned.replace(".", "").replace(",", ".")
    else:
        cleaned = cleaned.replace(",", "")
    if not re.fullmatch(r"[0-9]{1,9}(\.[0-9]{1,2})?", cleaned):
        raise MoneyError("not an amount")
    return Money(round_half_up(Decimal(cleaned) * (Decimal(10) ** MINOR_UNITS[currency])), currency)


def decimal_text(value: Decimal) -> str:
    """3924.5000 as "3924.5", 16580.0000 as "16580": exact, without exponent or trailing zeros."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
