"""Tokens that let a city's command center read the statistics feed."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..core.models import TimestampMixin
from ..extensions import db


class StatsToken(TimestampMixin, db.Model):
    """One feed reader's token, kept only as its SHA-256: shown once when made, never again."""

    __tablename__ = "stats_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))  # who holds it: "Bandung Command Center"
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)  # hex SHA-256 of the token
    hint: Mapped[str] = mapped_column(String(16))  # its first characters, to tell tokens apart in the list
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    revoked_at: Mapped[datetime | None]
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))

    @property
    def active(self) -> bool:
        return self.revoked_at is None
