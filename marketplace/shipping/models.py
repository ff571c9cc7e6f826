"""Courier services and their rates per zone: data that officers keep, not constants in code."""
from __future__ import annotations

from sqlalchemy import BigInteger, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin
from ..extensions import db


class CourierService(TimestampMixin, db.Model):
    __tablename__ = "courier_services"
    __table_args__ = (
        CheckConstraint("volumetric_divisor > 0 AND weight_step_g > 0 AND max_weight_g > 0", name="positive"),
        CheckConstraint("transit_min_days >= 0 AND transit_max_days >= transit_min_days", name="transit"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))  # in English, what every reader sees when their language is missing
    name_id: Mapped[str | None] = mapped_column(String(120))
    name_ms: Mapped[str | None] = mapped_column(String(120))
    level: Mapped[str] = mapped_column(String(16))  # express, postal, economy
    volumetric_divisor: Mapped[int]
    weight_step_g: Mapped[int]
    max_weight_g: Mapped[int]
    max_longest_mm: Mapped[int]
    max_sum_mm: Mapped[int]
    transit_min_days: Mapped[int]
    transit_max_days: Mapped[int]
    tracking_url_template: Mapped[str | None] = mapped_column(String(300))
    active: Mapped[bool] = mapped_column(default=True)
    sample: Mapped[bool] = mapped_column(default=False)  # rates are illustrative, not a courier's price list

    rates: Mapped[list[CourierRate]] = relationship(back_populates="service", cascade="all, delete-orphan",
                                                    order_by="CourierRate.zone")

    def name_in(self, language: str | None) -> str:
        """The name in the reader's language; the English one when that translation is missing."""
        return self.translations().get(language or "") or self.name

    def translations(self) -> dict[str, str | None]:
        return {"id": self.name_id, "ms": self.name_ms}

    @property
    def missing_languages(self) -> list[str]:
        """The languages (besides English) this service's name has not been given in."""
        return [language for language, name in self.translations().items() if not name]

    def rate_for(self, zone: str) -> CourierRate | None:
        return next((rate for rate in self.rates if rate.zone == zone), None)


class CourierRate(db.Model):
    __tablename__ = "courier_rates"
    __table_args__ = (
        UniqueConstraint("service_id", "zone", name="uq_courier_rates_service_zone"),
        CheckConstraint("first_step_idr > 0 AND next_step_idr >= 0", name="amounts"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("courier_services.id", ondelete="CASCADE"), index=True)
    zone: Mapped[str] = mapped_column(String(8))  # west, east
    first_step_idr: Mapped[int] = mapped_column(BigInteger)
    next_step_idr: Mapped[int] = mapped_column(BigInteger)

    service: Mapped[CourierService] = relationship(back_populates="rates")
