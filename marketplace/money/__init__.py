"""Money as integer minor units with an ISO 4217 currency code; never floats.

Pure Python: no Flask, no database.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

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
    if cleaned.isascii() and cleaned.isdigit():
        value = int(cleaned)
    elif _GROUPED.match(cleaned):
        value = int(re.sub(r"[.,]", "", cleaned))
    elif re.match(r"^[0-9.,]+$", cleaned):
        raise MoneyError("decimals")
    else:
        raise MoneyError("not a number")
    return value
