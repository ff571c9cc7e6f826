"""Products, their wholesale tiers and photos."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    text,
)
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..accounts.models import MerchantProfile
from ..core.models import TimestampMixin, utcnow
from ..extensions import db


class ProductStatus(enum.StrEnum):
    DRAFT = "draft"
    PUBLISHED = "published"
    ARCHIVED = "archived"


class HalalBody(enum.StrEnum):
    BPJPH = "bpjph"  # Indonesia's halal agency
    MUI = "mui"  # certificates issued before BPJPH took over
    OTHER = "other"  # another body recognised by JAKIM


class FoodRegistration(enum.StrEnum):
    BPOM_MD = "md"  # BPOM RI MD: processed food made in Indonesia
    PIRT = "pirt"  # home-industry food permit


def _enum(cls: type[enum.Enum], name: str, length: int = 16) -> Enum:
    return Enum(cls, name=name, native_enum=False, create_constraint=True, length=length,
                values_callable=lambda members: [m.value for m in members], validate_strings=True)


class Product(TimestampMixin, db.Model):
    __tablename__ = "products"
    __table_args__ = (
        UniqueConstraint("merchant_id", "sku", name="uq_products_merchant_sku"),
        CheckConstraint("price_idr > 0 AND price_idr <= 1000000000", name="price_range"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
        CheckConstraint("moq >= 1", name="moq_positive"),
        CheckConstraint("made_to_order_days IS NULL OR made_to_order_days BETWEEN 1 AND 180", name="lead_time"),
        CheckConstraint("packed_weight_g IS NULL OR packed_weight_g > 0", name="weight_positive"),
        CheckConstraint(
            "(box_length_mm IS NULL AND box_width_mm IS NULL AND box_height_mm IS NULL) OR "
            "(box_length_mm > 0 AND box_width_mm > 0 AND box_height_mm > 0)",
            name="box_complete",
        ),
        Index("ix_products_status_published_at", "status", "published_at"),
        # Every column the browse filters and facet counts read, merchant first (they go merchant by
        # merchant to skip suspended ones): counted from this narrow index instead of the wide rows,
        # about 3x faster at 100,000 products.
        Index("ix_products_facets", "merchant_id", "status", "category", "price_idr", "moq", "made_to_order_days",
              "halal_expires_on", "halal_number", "food_registration", "recyclable"),
        # A search sorted by price walks the published products in price order and stops at its page.
        Index("ix_products_published_price", "price_idr", "id", postgresql_where=text("status = 'published'"),
              sqlite_where=text("status = 'published'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="CASCADE"), index=True)
    sku: Mapped[str] = mapped_column(String(40))
    status: Mapped[ProductStatus] = mapped_column(_enum(ProductStatus, "product_status"), default=ProductStatus.DRAFT)
    category: Mapped[str] = mapped_column(String(32), index=True)
    hs_code: Mapped[str | None] = mapped_column(String(6))

    name_id: Mapped[str] = mapped_column(String(140))
    name_en: Mapped[str | None] = mapped_column(String(140))
    description_id: Mapped[str | None] = mapped_column(Text)
    description_en: Mapped[str | None] = mapped_column(Text)

    price_idr: Mapped[int] = mapped_column(BigInteger)  # whole rupiah
    stock: Mapped[int] = mapped_column(default=0)
    moq: Mapped[int] = mapped_column(default=1)
    made_to_order_days: Mapped[int | None]  # None: ready to ship

    # Packaging: what the buyer receives and what the courier weighs.
    packed_weight_g: Mapped[int | None]
    box_length_mm: Mapped[int | None]
    box_width_mm: Mapped[int | None]
    box_height_mm: Mapped[int | None]
    net_content: Mapped[int | None]
    net_content_unit: Mapped[str | None] = mapped_column(String(4))  # g or ml
    units_per_carton: Mapped[int | None]
    packaging_material: Mapped[str | None] = mapped_column(String(24))
    recyclable: Mapped[bool] = mapped_column(default=False)
    plastic_free: Mapped[bool] = mapped_column(default=False)
    shelf_life_days: Mapped[int | None]
    storage_note: Mapped[str | None] = mapped_column(String(200))
    label_languages: Mapped[list[str]] = mapped_column(JSON, default=list)

    # Compliance
    halal_body: Mapped[HalalBody | None] = mapped_column(_enum(HalalBody, "halal_body"))
    halal_body_name: Mapped[str | None] = mapped_column(String(120))
    halal_number: Mapped[str | None] = mapped_column(String(60))
    halal_expires_on: Mapped[date | None]
    food_registration: Mapped[FoodRegistration | None] = mapped_column(_enum(FoodRegistration, "food_registration"))
    food_registration_number: Mapped[str | None] = mapped_column(String(40))
    npra_notification: Mapped[str | None] = mapped_column(String(20))

    published_at: Mapped[datetime | None]
    # Taken down by an officer (moderation): back to draft, and its merchant cannot publish it again until
    # an officer lifts the takedown. The reason is a code of catalog.services.TAKEDOWN_REASONS.
    takedown_reason: Mapped[str | None] = mapped_column(String(24))
    takedown_note: Mapped[str | None] = mapped_column(Text)
    taken_down_at: Mapped[datetime | None]
    # The officer's id, without a foreign key: on SQLite adding one would rebuild the products table (and drop
    # its search triggers). The audit trail names the officer for good.
    taken_down_by_id: Mapped[int | None]
    # Words buyers may search by that are not in the names: the category in every language.
    search_text: Mapped[str | None] = mapped_column(Text)

    merchant: Mapped[MerchantProfile] = relationship()
    tiers: Mapped[list[PriceTier]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="PriceTier.min_quantity"
    )
    photos: Mapped[list[ProductPhoto]] = relationship(
        back_populates="product", cascade="all, delete-orphan", order_by="ProductPhoto.position"
    )

    @property
    def is_published(self) -> bool:
        return self.status == ProductStatus.PUBLISHED

    @property
    def is_taken_down(self) -> bool:
        return self.taken_down_at is not None

    @property
    def cover(self) -> ProductPhoto | None:
        return self.photos[0] if self.photos else None

    @property
    def food_registration_kind(self) -> str:
        """'BPOM MD' or 'P-IRT', as the labels on Indonesian food packs print it."""
        if not self.food_registration:
            return ""
        return "BPOM MD" if self.food_registration == FoodRegistration.BPOM_MD else "P-IRT"

    @property
    def food_registration_label(self) -> str:
        """'BPOM MD 224510001234' or 'P-IRT 2063273010123-24'."""
        return f"{self.food_registration_kind} {self.food_registration_number or ''}".strip()

    def halal_expired_on(self, day: date) -> bool:
        return bool(self.halal_expires_on and self.halal_expires_on < day)

    @hybrid_method
    def halal_valid_on(self, day: date) -> bool:
        """A halal certificate in force on the day: the one definition, for pages and for search alike.

        The issuer is not tested: a product is saved with issuer, number and expiry together or
        with none of them, and the number and expiry are what the facet index holds.
        """
        return bool(self.halal_number and self.halal_expires_on and self.halal_expires_on >= day)

    @halal_valid_on.expression
    def halal_valid_on(cls, day: date):  # noqa: N805  the class-level twin, for SQL
        return and_(cls.halal_number.is_not(None), cls.halal_expires_on >= day)

    @property
    def price_steps(self) -> list[tuple[int, int]]:
        """(from this many units, rupiah per unit): the list price from the minimum order, then each tier."""
        return [(self.moq, self.price_idr), *((t.min_quantity, t.unit_price_idr) for t in self.tiers)]

    def unit_price_for(self, quantity: int) -> int:
        """The rupiah price of one unit when this many are bought: the best wholesale tier reached."""
        price = self.price_idr
        for tier in self.tiers:
            if quantity >= tier.min_quantity:
                price = tier.unit_price_idr
        return price

    def name_for(self, language: str) -> str:
        """The buyer's language first: Indonesian readers get the Indonesian name, others English."""
        if language == "id":
            return self.name_id or self.name_en or ""
        return self.name_en or self.name_id

    def name_language(self, language: str) -> str:
        """The language name_for gives this reader: "id" where English readers get the Indonesian name."""
        if language == "id":
            return "id" if self.name_id else "en"
        return "en" if self.name_en else "id"

    def description_for(self, language: str) -> str:
        if language == "id":
            return self.description_id or self.description_en or ""
        return self.description_en or self.description_id or ""

    def description_language(self, language: str) -> str:
        """The language description_for gives this reader."""
        if language == "id":
            return "id" if self.description_id else "en"
        return "en" if self.description_en else "id"

    def mark_published(self) -> None:
        self.status = ProductStatus.PUBLISHED
        self.published_at = self.published_at or utcnow()


class PriceTier(db.Model):
    """A wholesale price: from min_quantity units on, each costs unit_price_idr."""

    __tablename__ = "price_tiers"
    __table_args__ = (
        UniqueConstraint("product_id", "min_quantity", name="uq_price_tiers_product_quantity"),
        CheckConstraint("min_quantity >= 2", name="min_quantity"),
        CheckConstraint("unit_price_idr > 0", name="unit_price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    min_quantity: Mapped[int]
    unit_price_idr: Mapped[int] = mapped_column(BigInteger)

    product: Mapped[Product] = relationship(back_populates="tiers")


class ProductPhoto(TimestampMixin, db.Model):
    """A processed photo: its variants are files named by their content."""

    __tablename__ = "product_photos"

    id: Mapped[int] = mapped_column(primary_key=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    alt_text: Mapped[str | None] = mapped_column(String(200))
    # The same upload always gives the same files; photos sharing a key share files.
    image_key: Mapped[str] = mapped_column(String(64), index=True)
    width: Mapped[int]
    height: Mapped[int]
    # [{"width": 320, "height": 240, "webp": "<sha256>.webp", "jpeg": "<sha256>.jpg"}, ...], smallest first
    variants: Mapped[list[dict]] = mapped_column(JSON)

    product: Mapped[Product] = relationship(back_populates="photos")

    @property
    def files(self) -> list[str]:
        return [name for variant in self.variants for name in (variant["webp"], variant["jpeg"])]


class SynonymGroup(TimestampMixin, db.Model):
    """Words a buyer may use for one thing, in any of our languages: a search for one finds all of them.

    Kept by officers; `terms` holds the group's terms as search would read them (lower case, words
    only), ", " between them; a term may be several words ("minyak wangi").
    """

    __tablename__ = "synonym_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[str | None] = mapped_column(String(40))  # a core.taxonomy code; None: every category
    terms: Mapped[str] = mapped_column(Text)

    @property
    def term_list(self) -> list[str]:
        return self.terms.split(", ")


class SavedProduct(db.Model):
    """A product a buyer keeps on its list to come back to (each product once)."""

    __tablename__ = "saved_products"
    __table_args__ = (UniqueConstraint("buyer_id", "product_id", name="uq_saved_products_buyer_product"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    buyer_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    product_id: Mapped[int] = mapped_column(ForeignKey("products.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    product: Mapped[Product] = relationship()
