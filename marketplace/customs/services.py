"""The customs rules in force on a day, assembled for the pure landed-cost functions."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import and_, func, select

from ..core.cache import cached
from ..extensions import db
from .landed import Rule, Rules
from .models import CustomsRule

REQUIRED = ("lvg_rate", "lvg_threshold_sen", "lvg_registration_number", "de_minimis_sen", "form_d",
            "sales_tax_standard", "sales_tax_reduced", "reduced_chapters")


def rules_in_force(today: date) -> Rules | None:
    """The newest value of every rule on or before today; None while a rule is missing."""

    def load():
        latest = (select(CustomsRule.key, func.max(CustomsRule.effective_on).label("on"))
                  .where(CustomsRule.effective_on <= today).group_by(CustomsRule.key).subquery())
        rows = {r.key: r for r in db.session.scalars(select(CustomsRule).join(latest, and_(
            CustomsRule.key == latest.c.key, CustomsRule.effective_on == latest.c.on)))}
        if any(key not in rows for key in REQUIRED):
            return None

        def rule(key: str) -> Rule:
            return Rule(key, rows[key].effective_on, rows[key].source)

        duties = {key.removeprefix("duty_chapter_"): Decimal(row.value) for key, row in rows.items()
                  if key.startswith("duty_chapter_")}
        number = rows["lvg_registration_number"].value.strip()
        return Rules(
            lvg_rate=Decimal(rows["lvg_rate"].value), lvg_threshold_sen=int(rows["lvg_threshold_sen"].value),
            lvg_registered=bool(number), lvg_registration_number=number or None,
            lvg_rule=rule("lvg_rate"), de_minimis_sen=int(rows["de_minimis_sen"].value),
            de_minimis_rule=rule("de_minimis_sen"), duty_by_chapter=duties,
            form_d=rows["form_d"].value == "1", duty_rule=rule("form_d"),
            sales_tax_standard=Decimal(rows["sales_tax_standard"].value),
            sales_tax_reduced=Decimal(rows["sales_tax_reduced"].value),
            reduced_chapters=frozenset(c.strip() for c in rows["reduced_chapters"].value.split(",") if c.strip()),
            sales_tax_rule=rule("sales_tax_standard"),
        )

    return cached("customs-rules", (today,), load)


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
]


def seed_sample_rules() -> None:
    """The rules from domain.md, each with its date and source, unless rules are recorded already."""
    if db.session.scalar(select(CustomsRule.id).limit(1)):
        return
    for key, value, effective_on, source in SAMPLE_RULES:
        db.session.add(CustomsRule(key=key, value=value, effective_on=effective_on, source=source))
    db.session.flush()
