"""Showcases: collections of products that trade officers curate for buyers and trade delegations."""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..catalog.models import Product
from ..core.models import TimestampMixin
from ..extensions import db


class ShowcaseStatus(enum.StrEnum):
    DRAFT = "draft"  # only officers see it
    PUBLISHED = "published"  # public from now on
    SCHEDULED = "scheduled"  # public from publish_from (included) until publish_until (excluded)


@dataclass(frozen=True)
class Cover:
    """The cover as the photo helpers read a photo: its variants and description."""

    image_key: str
    width: int
    height: int
    variants: list[dict]
    alt_text: str | None

    @property
    def files(self) -> list[str]:
        return [name for variant in self.variants for name in (variant["webp"], variant["jpeg"])]


class Showcase(TimestampMixin, db.Model):
    __tablename__ = "showcases"
    __table_args__ = (
        CheckConstraint("status != 'scheduled' OR (publish_from IS NOT NULL AND publish_until IS NOT NULL "
                        "AND publish_from < publish_until)", name="schedule_complete"),
        CheckConstraint("event_starts_on IS NULL OR event_ends_on IS NULL OR event_starts_on <= event_ends_on",
                        name="event_dates"),
        Index("ix_showcases_status_window", "status", "publish_from", "publish_until"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(90), unique=True)  # fixed at creation: shared links keep working
    title_id: Mapped[str] = mapped_column(String(140))
    title_en: Mapped[str] = mapped_column(String(140))
    title_ms: Mapped[str] = mapped_column(String(140))
    story_id: Mapped[str | None] = mapped_column(Text)
    story_en: Mapped[str | None] = mapped_column(Text)
    story_ms: Mapped[str | None] = mapped_column(Text)
    theme: Mapped[str] = mapped_column(String(24))

    event_name: Mapped[str | None] = mapped_column(String(140))
    event_place: Mapped[str | None] = mapped_column(String(140))
    event_starts_on: Mapped[date | None]
    event_ends_on: Mapped[date | None]

    status: Mapped[ShowcaseStatus] = mapped_column(
        Enum(ShowcaseStatus, name="showcase_status", native_enum=False, create_constraint=True, length=16,
             values_callable=lambda members: [m.value for m in members], validate_strings=True),
        default=ShowcaseStatus.DRAFT)
    publish_from: Mapped[datetime | None]  # naive UTC, like every datetime column
    publish_until: Mapped[datetime | None]

    # The cover, processed by the photo pipeline like a product photo (files named by their content).
    cover_key: Mapped[str | None] = mapped_column(String(64), index=True)
    cover_width: Mapped[int | None]
    cover_height: Mapped[int | None]
    cover_variants: Mapped[list[dict] | None] = mapped_column(JSON)
    cover_alt: Mapped[str | None] = mapped_column(String(200))

    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    items: Mapped[list[ShowcaseItem]] = relationship(
        back_populates="showcase", cascade="all, delete-orphan", order_by="ShowcaseItem.position")

    @property
    def cover(self) -> Cover | None:
        if not self.cover_key or not self.cover_variants:
            return None
        return Cover(self.cover_key, self.cover_width or 0, self.cover_height or 0, list(self.cover_variants),
                     self.cover_alt)

    def title_for(self, language: str) -> str:
        return {"id": self.title_id, "ms": self.title_ms}.get(language) or self.title_en

    def story_for(self, language: str) -> str:
        return ({"id": self.story_id, "ms": self.story_ms}.get(language) or self.story_en or "")


class ShowcaseItem(db.Model):
    """A product in a showcase, at its place in the officer's order."""

    __tablename__ = "showcase_items"
    __table_args__ = (UniqueConstraint("showcase_id", "product_id", name="uq_showcase_items_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    showcase_id: Mapped[int] = mapped_column(ForeignKey("showcases.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    showcase: Mapped[Showcase] = relationship(back_populates="items")
    product: Mapped[Product] = relationship()
