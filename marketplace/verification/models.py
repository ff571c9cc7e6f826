"""A merchant's export-readiness profile: capacity and experience, its certificates (private files) and
its workshop photos (public, through the photo pipeline)."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin, utcnow
from ..extensions import db


class ExportExperience(enum.StrEnum):
    NONE = "none"  # sells at home only
    INDIRECT = "indirect"  # through a trader or an exporter
    DIRECT = "direct"  # ships abroad itself


class DocumentKind(enum.StrEnum):
    NIB = "nib"  # the NIB certificate printed from OSS
    HALAL = "halal"
    BPOM = "bpom"
    OTHER = "other"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=16,
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


class ExportProfile(TimestampMixin, db.Model):
    """What an officer weighs besides the NIB: how much the merchant makes and whether it has exported."""

    __tablename__ = "export_profiles"
    __table_args__ = (CheckConstraint("monthly_capacity IS NULL OR monthly_capacity > 0", name="capacity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="CASCADE"), unique=True)
    monthly_capacity: Mapped[int | None]
    capacity_unit: Mapped[str | None] = mapped_column(String(16))
    export_experience: Mapped[ExportExperience | None] = mapped_column(_enum(ExportExperience, "export_experience"))
    export_notes: Mapped[str | None] = mapped_column(Text)  # where to, since when, through whom
    can_get_form_d: Mapped[bool | None]  # the ASEAN certificate of origin (SKA Form D), for duty-free entry


class MerchantDocument(db.Model):
    """A certificate a merchant uploaded: checked, then kept where only the merchant and officers can read it."""

    __tablename__ = "merchant_documents"
    __table_args__ = (CheckConstraint("size_bytes > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="CASCADE"), index=True)
    kind: Mapped[DocumentKind] = mapped_column(_enum(DocumentKind, "document_kind"))
    number: Mapped[str | None] = mapped_column(String(60))
    expires_on: Mapped[date | None]
    # Named by the sha256 of the stored bytes: a PDF as uploaded, an image re-encoded as JPEG.
    file_name: Mapped[str] = mapped_column(String(80), index=True)
    content_type: Mapped[str] = mapped_column(String(40))
    original_name: Mapped[str] = mapped_column(String(120))
    size_bytes: Mapped[int]
    pages: Mapped[int | None]  # a PDF's
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def is_pdf(self) -> bool:
        return self.content_type == "application/pdf"


class WorkshopPhoto(TimestampMixin, db.Model):
    """A photo of the workshop or the team, for the storefront: the same pipeline as product photos."""

    __tablename__ = "workshop_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    alt_text: Mapped[str | None] = mapped_column(String(200))
    image_key: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int]
    height: Mapped[int]
    variants: Mapped[list[dict]] = mapped_column(JSON)

    @property
    def files(self) -> list[str]:
        return [name for variant in self.variants for name in (variant["webp"], variant["jpeg"])]
