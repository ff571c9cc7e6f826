"""Customs declarations (CN22 / CN23) for one box, as pure functions: what goes on the parcel.

The Universal Postal Union's forms: a CN22 while the contents are worth no more than 300 SDR, a CN23
above (the limit in ringgit is a rule officers keep, "cn22_limit_sen"). Each line carries a description
in English, quantity, net weight, value, HS code and origin (Indonesia). When Serumpun is a registered
low-value-goods seller, its LVG registration number goes on the form and the lines it taxed are marked,
so that Malaysian customs does not charge the LVG sales tax a second time at import.
Amounts are sen (MYR minor units); weights grams.
"""
from __future__ import annotations

from dataclasses import dataclass

from .landed import Rule, Rules, lvg_taxed

ORIGIN = "ID"  # every Serumpun merchant ships from Bandung
DESCRIPTION_LENGTH = 60  # the forms' description box is short


@dataclass(frozen=True)
class Good:
    """One product line in one box."""

    description: str
    hs_code: str
    quantity: int
    unit_weight_g: int
    unit_price_sen: int


@dataclass(frozen=True)
class DeclaredLine:
    description: str
    hs_code: str
    quantity: int
    weight_g: int
    value_sen: int
    origin: str
    lvg_taxed: bool


@dataclass(frozen=True)
class Declaration:
    form: str  # "CN22" or "CN23"
    lines: tuple[DeclaredLine, ...]
    postage_sen: int  # CN23 shows the postal charges
    lvg_registration_number: str | None  # only when a line was taxed as LVG
    certificate_of_origin: str | None  # "Form D" when claimed (the CN23 has a box for it)
    rule: Rule  # the CN22 limit used
    category: str = "sale_of_goods"
    currency: str = "MYR"

    @property
    def value_sen(self) -> int:
        return sum(line.value_sen for line in self.lines)

    @property
    def weight_g(self) -> int:
        return sum(line.weight_g for line in self.lines)


def describe(text: str) -> str:
    """One line of plain text, cut to the form's box at a word where possible."""
    text = " ".join((text or "").split())
    if len(text) <= DESCRIPTION_LENGTH:
        return text
    cut = text[:DESCRIPTION_LENGTH - 1]
    if " " in cut[DESCRIPTION_LENGTH // 2:]:
        cut = cut[:cut.rindex(" ")]
    return cut.rstrip(" ,;-") + "…"


def declare(goods: list[Good], postage_sen: int, rules: Rules) -> Declaration:
    """The declaration for one box of goods sold through Serumpun."""
    if not goods:
        raise ValueError("a declaration needs at least one line")
    if any(g.quantity < 1 or g.unit_price_sen < 0 or g.unit_weight_g < 0 for g in goods) or postage_sen < 0:
        raise ValueError("quantities are positive and amounts never negative")
    lines = tuple(DeclaredLine(
        description=describe(g.description), hs_code=g.hs_code, quantity=g.quantity,
        weight_g=g.unit_weight_g * g.quantity, value_sen=g.unit_price_sen * g.quantity, origin=ORIGIN,
        lvg_taxed=lvg_taxed(g.hs_code, g.unit_price_sen, rules),
    ) for g in goods)
    value = sum(line.value_sen for line in lines)
    form = "CN22" if value <= rules.cn22_limit_sen else "CN23"
    return Declaration(
        form=form, lines=lines, postage_sen=postage_sen,
        lvg_registration_number=rules.lvg_registration_number if any(line.lvg_taxed for line in lines) else None,
        certificate_of_origin="Form D" if rules.form_d and form == "CN23" else None,
        rule=rules.cn22_rule,
    )
