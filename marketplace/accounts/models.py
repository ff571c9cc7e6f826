"""People who use Serumpun and the profiles that go with their roles."""
from __future__ import annotations

import enum
import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..core.models import TimestampMixin, utcnow
from ..extensions import db


class Role(enum.StrEnum):
    MERCHANT = "merchant"
    BUYER = "buyer"
    OFFICER = "officer"
    ADMIN = "admin"


class VerificationStatus(enum.StrEnum):
    UNVERIFIED = "unverified"
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=True,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


def new_auth_nonce() -> str:
    return secrets.token_urlsafe(12)


class User(UserMixin, TimestampMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), index=True)
    full_name: Mapped[str] = mapped_column(String(120))
    locale: Mapped[str | None] = mapped_column(String(8))
    currency: Mapped[str | None] = mapped_column(String(3))  # prices shown in this currency
    # Part of the session identity: changing it signs the user out everywhere.
    auth_nonce: Mapped[str] = mapped_column(String(32), default=new_auth_nonce)
    active: Mapped[bool] = mapped_column(default=True)
    is_demo: Mapped[bool] = mapped_column(default=False)
    last_login_at: Mapped[datetime | None]

    merchant_profile: Mapped[MerchantProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan", foreign_keys="MerchantProfile.user_id"
    )
    buyer_profile: Mapped[BuyerProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )
    officer_profile: Mapped[OfficerProfile | None] = relationship(
        back_populates="user", uselist=False, cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:  # Flask-Login refuses inactive users
        return self.active

    # The device this request comes from (set at sign-in and by the user loader, never stored on the row):
    # it is part of the session identity, so that signing out ends this device's session and only this one.
    sign_in_token = None

    def get_id(self) -> str:
        return f"{self.id}:{self.auth_nonce}:{self.sign_in_token or ''}"

    @property
    def is_merchant(self) -> bool:
        return self.role == Role.MERCHANT

    @property
    def is_buyer(self) -> bool:
        return self.role == Role.BUYER

    @property
    def is_officer(self) -> bool:
        return self.role in (Role.OFFICER, Role.ADMIN)

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def display_name(self) -> str:
        if self.merchant_profile is not None:
            return self.merchant_profile.business_name
        return self.full_name

    def __repr__(self) -> str:
        return f"<User {self.id} {self.role}>"


class SignIn(db.Model):
    """One signed-in device. Its session and remember-me cookies carry its token; deleting the row (at sign-out)
    makes copies of those cookies worthless, while the user's other devices stay signed in."""

    __tablename__ = "sign_ins"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # SHA-256 of the token, never the token
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class MerchantProfile(TimestampMixin, db.Model):
    __tablename__ = "merchant_profiles"
    __table_args__ = (CheckConstraint("length(nib) = 13", name="nib_length"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    business_name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    whatsapp: Mapped[str] = mapped_column(String(20))  # E.164
    nib: Mapped[str] = mapped_column(String(13), unique=True)
    npwp: Mapped[str | None] = mapped_column(String(20))
    address_line: Mapped[str] = mapped_column(String(200))
    kecamatan: Mapped[str] = mapped_column(String(40), index=True)
    postcode: Mapped[str] = mapped_column(String(5))
    story: Mapped[str | None] = mapped_column(db.Text)
    verification_status: Mapped[VerificationStatus] = mapped_column(
        _enum(VerificationStatus, "verification_status"), default=VerificationStatus.UNVERIFIED, index=True
    )
    verified_at: Mapped[datetime | None]
    verified_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The name on the NIB (CV ..., PT ...): with the NIB and the certificates, what a verification vouches for.
    legal_name: Mapped[str | None] = mapped_column(String(160))
    submitted_at: Mapped[datetime | None]  # last sent for review: the officers' queue is oldest first
    # Why the last review said no (a code of verification.REJECTION_REASONS and the officer's note).
    review_reason: Mapped[str | None] = mapped_column(String(24))
    review_note: Mapped[str | None] = mapped_column(db.Text)
    # Suspended by an officer: its products are hidden from buyers (catalog.queries) until lifted.
    suspended_at: Mapped[datetime | None]
    suspension_reason: Mapped[str | None] = mapped_column(String(24))
    suspension_note: Mapped[str | None] = mapped_column(db.Text)

    user: Mapped[User] = relationship(back_populates="merchant_profile", foreign_keys=[user_id])
    category_links: Mapped[list[MerchantCategory]] = relationship(
        back_populates="merchant", cascade="all, delete-orphan", order_by="MerchantCategory.category"
    )

    @property
    def categories(self) -> list[str]:
        return [link.category for link in self.category_links]

    @property
    def is_verified(self) -> bool:
        return self.verification_status == VerificationStatus.VERIFIED

    @property
    def is_suspended(self) -> bool:
        return self.suspended_at is not None


class VerificationMove(db.Model):
    """One move of a merchant's verification: from, to, who, when, and why. Append-only."""

    __tablename__ = "verification_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str | None] = mapped_column(String(24))
    note: Mapped[str | None] = mapped_column(db.Text)

    actor: Mapped[User | None] = relationship()


class MerchantCategory(db.Model):
    """A merchant's main product categories, from the catalog's fixed taxonomy."""

    __tablename__ = "merchant_categories"
    __table_args__ = (UniqueConstraint("merchant_id", "category", name="uq_merchant_categories_pair"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("merchant_profiles.id", ondelete="CASCADE"), index=True)
    category: Mapped[str] = mapped_column(String(32), index=True)

    merchant: Mapped[MerchantProfile] = relationship(back_populates="category_links")


class BuyerProfile(TimestampMixin, db.Model):
    __tablename__ = "buyer_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    company: Mapped[str | None] = mapped_column(String(120))
    country: Mapped[str] = mapped_column(String(2), default="MY")  # ISO 3166-1
    state: Mapped[str | None] = mapped_column(String(8))  # ISO 3166-2 in Malaysia
    region: Mapped[str | None] = mapped_column(String(80))  # free text outside Malaysia
    city: Mapped[str] = mapped_column(String(80))
    postcode: Mapped[str] = mapped_column(String(10))
    phone: Mapped[str] = mapped_column(String(20))  # E.164

    user: Mapped[User] = relationship(back_populates="buyer_profile")

    @property
    def is_business(self) -> bool:
        return bool(self.company)


class OfficerProfile(TimestampMixin, db.Model):
    __tablename__ = "officer_profiles"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    organisation: Mapped[str] = mapped_column(String(160))
    country: Mapped[str] = mapped_column(String(2), default="ID")  # which side of the partnership

    user: Mapped[User] = relationship(back_populates="officer_profile")
