"""Customs and tax rules with their dates and sources, kept by officers."""
from __future__ import annotations

from datetime import date

from sqlalchemy import String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin
from ..extensions import db


class CustomsRule(TimestampMixin, db.Model):
    """One rule value in force from a date: "lvg_rate" = "10", "duty_chapter_62" = "20", ..."""

    __tablename__ = "customs_rules"
    __table_args__ = (UniqueConstraint("key", "effective_on", name="uq_customs_rules_key_date"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(40), index=True)
    value: Mapped[str] = mapped_column(String(200))
    effective_on: Mapped[date]
    source: Mapped[str] = mapped_column(String(300))
