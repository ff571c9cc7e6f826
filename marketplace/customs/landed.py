"""Landed cost in Malaysia as pure functions over rule data: no Flask, no database.

Amounts are sen (MYR minor units). Every line names the rule it used and that rule's date; the
whole is an estimate. Sources: ../shared/design/domain.md (LVG: P.U.(A) 403/2023; de minimis:
Customs Duties (Exemption) Order 2017 item 94 and Sales Tax (Persons Exempted) Order 2018 item 24).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# Excluded from LVG (P.U.(A) 403/2023): tobacco, cigarettes and vape liquids (chapter 24, 2404 included),
# beer, wine and spirits (2203-2208), smoking pipes (9614), e-cigarettes and vape devices (8543.40).
# Serumpun does not list them (catalog.hs.is_excluded).
EXCLUDED_FROM_LVG_PREFIXES = ("24", "2203", "2204", "2205", "2206", "2207", "2208", "9614", "854340")


@dataclass(frozen=True)
class Rule:
    key: str  # lvg, de_minimis, duty, import_sales_tax
    effective_on: date
    source: str


@dataclass(frozen=True)
class Rules:
    """The rules in force, as officers keep them (percentages are Decimals: 10 means 10%)."""

    lvg_rate: Decimal
    lvg_threshold_sen: int  # per item, sold at no more than this
    lvg_registered: bool
    lvg_registration_number: str | None
    lvg_rule: Rule
    de_minimis_sen: int  # CIF per consignment, air and postal
    de_minimis_rule: Rule
    duty_by_chapter: dict[str, Decimal]  # without a Form D
    duty_chapter_rules: dict[str, Rule]  # the rule behind each chapter's rate
    form_d: bool  # Indonesian origin with a Certificate of Origin Form D: 0% duty
    duty_rule: Rule
    sales_tax_standard: Decimal
    sales_tax_reduced: Decimal
    reduced_chapters: frozenset[str]
    sales_tax_rule: Rule  # the standard rate
    sales_tax_reduced_rule: Rule  # the reduced rate
    cn22_limit_sen: int  # a CN22 declaration up to this value (300 SDR), a CN23 above
    cn22_rule: Rule


@dataclass(frozen=True)
class Line:
    hs_code: str
    unit_price_sen: int
    quantity: int

    @property
    def value_sen(self) -> int:
        return self.unit_price_sen * self.quantity

    @property
    def chapter(self) -> str:
        return self.hs_code[:2]


@dataclass(frozen=True)
class Entry:
    key: str  # goods, shipping, lvg_sales_tax, import_duty, import_sales_tax
    amount_sen: int
    rule: Rule | None = None
    note: str = ""


@dataclass
class Breakdown:
    entries: list[Entry] = field(default_factory=list)
    estimate: bool = True
    de_minimis_applies: bool = False
    de_minimis_sen: int | None = None  # the limit, when it applied
    lvg_registration_number: str | None = None

    @property
    def total_sen(self) -> int:
        return sum(e.amount_sen for e in self.entries)

    def amount(self, key: str) -> int:
        return sum(e.amount_sen for e in self.entries if e.key == key)


def percent_of(amount_sen: int, rate: Decimal) -> int:
    """rate% of an amount, rounded half up to the sen: the one rounding step, per line."""
    return int((Decimal(amount_sen) * rate / 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _half_up(amount: Decimal) -> int:
    return int(amount.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def excluded_from_lvg(hs_code: str) -> bool:
    return hs_code.startswith(EXCLUDED_FROM_LVG_PREFIXES)


def lvg_taxed(hs_code: str, unit_price_sen: int, rules: Rules) -> bool:
    """Whether a registered seller charges the LVG sales tax on this item: sold at no more than the threshold."""
    return rules.lvg_registered and not excluded_from_lvg(hs_code) and unit_price_sen <= rules.lvg_threshold_sen


def landed_cost(lines: list[Line], shipping_sen: int, rules: Rules, by_air_or_post: bool = True) -> Breakdown:
    """Goods, shipping and Malaysian taxes for one consignment (one parcel or one merchant's parcels)."""
    if any(line.quantity < 1 or line.unit_price_sen < 0 for line in lines) or shipping_sen < 0:
        raise ValueError("quantities are positive and amounts never negative")
    breakdown = Breakdown(lvg_registration_number=rules.lvg_registration_number if rules.lvg_registered else None)
    goods = sum(line.value_sen for line in lines)
    breakdown.entries.append(Entry("goods", goods))
    breakdown.entries.append(Entry("shipping", shipping_sen))

    # LVG sales tax: charged at checkout by a registered seller, on the sale value of each item
    # sold at no more than the threshold; never on shipping.
    lvg_lines = [line for line in lines if lvg_taxed(line.hs_code, line.unit_price_sen, rules)]
    if lvg_lines:
        tax = sum(percent_of(line.value_sen, rules.lvg_rate) for line in lvg_lines)
        breakdown.entries.append(Entry("lvg_sales_tax", tax, rules.lvg_rule))

    # Goods not taxed as LVG meet the import rules; de minimis spares small air and postal consignments.
    others = [line for line in lines if line not in lvg_lines]
    if not others:
        return breakdown
    cif = goods + shipping_sen  # the consignment's CIF; no insurance is bought, so goods plus freight
    if by_air_or_post and cif <= rules.de_minimis_sen:
        breakdown.de_minimis_applies, breakdown.de_minimis_sen = True, rules.de_minimis_sen
        breakdown.entries.append(Entry("import_duty", 0, rules.de_minimis_rule, "de_minimis"))
        breakdown.entries.append(Entry("import_sales_tax", 0, rules.de_minimis_rule, "de_minimis"))
        return breakdown
    # Each amount names the rule that set its rate: Form D, a chapter's duty, the standard or reduced tax.
    duties: dict[Rule, int] = {}
    taxes: dict[Rule, int] = {}
    for line in others:
        # Freight shares the CIF in proportion to value; the share is an amount like any other, so it is
        # rounded half up to the sen, per line (domain.md), not floored.
        freight = _half_up(Decimal(shipping_sen * line.value_sen) / goods) if goods else 0
        line_cif = line.value_sen + freight
        if not rules.form_d and line.chapter in rules.duty_by_chapter:
            duty_rate, duty_rule = rules.duty_by_chapter[line.chapter], rules.duty_chapter_rules[line.chapter]
        else:
            duty_rate, duty_rule = Decimal(0), rules.duty_rule  # Form D, or no rate recorded for the chapter
        duty = percent_of(line_cif, duty_rate)
        if line.chapter in rules.reduced_chapters:
            tax_rate, tax_rule = rules.sales_tax_reduced, rules.sales_tax_reduced_rule
        else:
            tax_rate, tax_rule = rules.sales_tax_standard, rules.sales_tax_rule
        duties[duty_rule] = duties.get(duty_rule, 0) + duty
        taxes[tax_rule] = taxes.get(tax_rule, 0) + percent_of(line_cif + duty, tax_rate)
    for rule, amount in duties.items():
        note = "form_d" if rules.form_d else ("" if rule != rules.duty_rule else "no_chapter_rate")
        breakdown.entries.append(Entry("import_duty", amount, rule, note))
    for rule, amount in taxes.items():
        breakdown.entries.append(Entry("import_sales_tax", amount, rule))
    return breakdown
