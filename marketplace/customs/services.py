"""The customs rules in force on a day, assembled for the pure landed-cost functions."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, func, select

from ..audit import services as audit
from ..core.cache import PRICING, cached
from ..core.errors import DomainError
from ..core.signals import announce_after_commit, catalog_changed
from ..extensions import db
from ..money import MoneyError, parse_amount
from .landed import Rule, Rules
from .models import CustomsRule

REQUIRED = ("lvg_rate", "lvg_threshold_sen", "lvg_registration_number", "de_minimis_sen", "form_d",
            "sales_tax_standard", "sales_tax_reduced", "reduced_chapters", "cn22_limit_sen")


def rows_in_force(today: date) -> dict[str, CustomsRule]:
    """The newest recorded value of each rule on or before today, by key."""
    latest = (select(CustomsRule.key, func.max(CustomsRule.effective_on).label("on"))
              .where(CustomsRule.effective_on <= today).group_by(CustomsRule.key).subquery())
    return {r.key: r for r in db.session.scalars(select(CustomsRule).join(latest, and_(
        CustomsRule.key == latest.c.key, CustomsRule.effective_on == latest.c.on)))}


def rules_in_force(today: date) -> Rules | None:
    """The newest value of every rule on or before today; None while a rule is missing."""

    def load():
        rows = rows_in_force(today)
        if any(key not in rows for key in REQUIRED):
            return None

        def rule(key: str) -> Rule:
            return Rule(key, rows[key].effective_on, rows[key].source)

        chapter_keys = [key for key in rows if key.startswith("duty_chapter_")]
        duties = {key.removeprefix("duty_chapter_"): Decimal(rows[key].value) for key in chapter_keys}
        number = rows["lvg_registration_number"].value.strip()
        return Rules(
            lvg_rate=Decimal(rows["lvg_rate"].value), lvg_threshold_sen=int(rows["lvg_threshold_sen"].value),
            lvg_registered=bool(number), lvg_registration_number=number or None,
            lvg_rule=rule("lvg_rate"), de_minimis_sen=int(rows["de_minimis_sen"].value),
            de_minimis_rule=rule("de_minimis_sen"), duty_by_chapter=duties,
            duty_chapter_rules={key.removeprefix("duty_chapter_"): rule(key) for key in chapter_keys},
            form_d=rows["form_d"].value == "1", duty_rule=rule("form_d"),
            sales_tax_standard=Decimal(rows["sales_tax_standard"].value),
            sales_tax_reduced=Decimal(rows["sales_tax_reduced"].value),
            reduced_chapters=frozenset(c.strip() for c in rows["reduced_chapters"].value.split(",") if c.strip()),
            sales_tax_rule=rule("sales_tax_standard"), sales_tax_reduced_rule=rule("sales_tax_reduced"),
            cn22_limit_sen=int(rows["cn22_limit_sen"].value), cn22_rule=rule("cn22_limit_sen"),
        )

    return cached("customs-rules", (today,), load, versions=(PRICING,))


# UPU Convention: a CN22 for contents up to 300 SDR, a CN23 above; in ringgit at about RM5.85 per SDR.
CN22_LIMIT = ("cn22_limit_sen", "175000", date(2024, 1, 1),
              "UPU Convention Regulations: CN22 up to 300 SDR (about RM1,750; check the SDR rate)")

SAMPLE_RULES = [
    ("lvg_rate", "10", date(2024, 1, 1), "Sales Tax (Determination of Low Value Goods) Order 2023, P.U.(A) 403/2023"),
    ("lvg_threshold_sen", "50000", date(2024, 1, 1), "P.U.(A) 403/2023: goods sold at no more than RM500"),
    ("lvg_registration_number", "LVG-SAMPLE-0001", date(2024, 1, 1),
     "Serumpun's LVG registration (sample number for the demo)"),
    ("de_minimis_sen", "50000", date(2017, 1, 1),
     "Customs Duties (Exemption) Order 2017 item 94; Sales Tax (Persons Exempted) Order 2018 item 24"),
    ("form_d", "1", date(2010, 1, 1), "ATIGA: Indonesian origin with a Certificate of Origin Form D"),
    ("sales_tax_standard", "10", date(2018, 9, 1), "Sales Tax Act 2018"),
    ("sales_tax_reduced", "5", date(2018, 9, 1), "Sales Tax (Rates of Tax) Order 2018"),
    ("reduced_chapters", "09,19,20,21", date(2018, 9, 1), "Sales Tax (Rates of Tax) Order 2018 (sample list)"),
    CN22_LIMIT,
]


def seed_sample_rules() -> None:
    """The rules from domain.md, each with its date and source, unless rules are recorded already."""
    if db.session.scalar(select(CustomsRule.id).limit(1)):
        return
    for key, value, effective_on, source in SAMPLE_RULES:
        db.session.add(CustomsRule(key=key, value=value, effective_on=effective_on, source=source))
    db.session.flush()


class RuleRefused(DomainError):
    """A rule value cannot be recorded as typed; the message names the field's problem."""

    def __init__(self, message, field: str = "value"):
        super().__init__(message, field=field)


def _percent(value: str) -> str:
    text = value.strip().removesuffix("%").strip()
    if "," in text and "." not in text:
        text = text.replace(",", ".")  # 7,5 as Indonesians and Malaysians may write it
    number = Decimal(text)
    if not Decimal(0) <= number <= Decimal(100):
        raise ValueError
    return format(number.normalize(), "f")  # "20", not "2E+1"


def _ringgit_as_sen(value: str) -> str:
    # The money parser reads both "1,750.00" and the Indonesian "1.750,00" (never 1.75 for the latter).
    try:
        return str(parse_amount(value.strip().upper().removeprefix("RM"), "MYR").amount)
    except MoneyError as exc:
        raise ValueError from exc


def _chapters(value: str) -> str:
    chapters = [c.strip() for c in value.split(",") if c.strip()]
    if not all(len(c) == 2 and c.isascii() and c.isdigit() for c in chapters):
        raise ValueError
    return ",".join(sorted(set(chapters)))


# How an officer types each rule: the form offers the right input for each kind, and the refusal names it.
PERCENT, RINGGIT, YES_NO, TEXT, CHAPTERS = "percent", "ringgit", "yes_no", "text", "chapters"
INPUT_KINDS = {
    "lvg_rate": PERCENT,
    "lvg_threshold_sen": RINGGIT,
    "lvg_registration_number": TEXT,
    "de_minimis_sen": RINGGIT,
    "form_d": YES_NO,
    "sales_tax_standard": PERCENT,
    "sales_tax_reduced": PERCENT,
    "reduced_chapters": CHAPTERS,
    "cn22_limit_sen": RINGGIT,
}
PARSERS = {
    PERCENT: _percent,
    RINGGIT: _ringgit_as_sen,
    TEXT: lambda v: v.strip()[:60],
    YES_NO: lambda v: {"1": "1", "0": "0", "yes": "1", "no": "0"}[v.strip().lower()],
    CHAPTERS: _chapters,
}
REFUSALS = {
    PERCENT: _l("Enter a percentage from 0 to 100, like 10 or 7.5."),
    RINGGIT: _l("Enter an amount in ringgit, like 500 or 1,750.00 (at most two decimals)."),
    TEXT: _l("Use at most %(max)d characters.", max=60),
    YES_NO: _l("Choose yes or no."),
    CHAPTERS: _l("Enter HS chapters of two digits, separated by commas, like 09, 19, 20."),
}


def input_kind(key: str) -> str | None:
    """How the rule is typed: PERCENT, RINGGIT, YES_NO, TEXT or CHAPTERS; None for a key that is no rule."""
    if key in INPUT_KINDS:
        return INPUT_KINDS[key]
    if key.startswith("duty_chapter_") and len(key) == 15 and key[-2:].isascii() and key[-2:].isdigit():
        return PERCENT
    return None


def duty_key(chapter: str) -> str:
    return f"duty_chapter_{chapter}"


AUDITED_FIELDS = ("key", "value", "effective_on", "source")


def record_rule(actor, key: str, value: str, effective_on: date, source: str) -> CustomsRule:
    """A rule value in force from a date; the same key and date replaces the earlier entry."""
    kind = input_kind(key)
    if kind is None:
        raise RuleRefused(_l("There is no such rule."), field="key")
    try:
        stored = PARSERS[kind](value or "")
    except (ValueError, KeyError, ArithmeticError) as exc:
        raise RuleRefused(REFUSALS[kind]) from exc
    if not source.strip():
        raise RuleRefused(_l("Say where the rule comes from."), field="source")
    row = db.session.scalar(select(CustomsRule).where(CustomsRule.key == key, CustomsRule.effective_on == effective_on))
    before = audit.snapshot(row, AUDITED_FIELDS) if row is not None else None
    if row is None:
        row = CustomsRule(key=key, effective_on=effective_on)
        db.session.add(row)
    row.value, row.source = stored, source.strip()
    db.session.flush()
    audit.record(actor, "customs_rule.recorded", "customs_rule", row.id, before, audit.snapshot(row, AUDITED_FIELDS))
    announce_after_commit(db.session, catalog_changed, "customs", prices=True)  # every delivered price may change
    return row


def rule_history(limit: int = 100) -> list[CustomsRule]:
    """Rules recorded, newest first."""
    return list(db.session.scalars(select(CustomsRule).order_by(CustomsRule.effective_on.desc(), CustomsRule.key)
                                   .limit(limit)))
