"""Tokens for the statistics feed: made and revoked by admins, each change in the audit log.

A token is shown once, when it is made; only its SHA-256 is stored, so a copy of the database
does not let anyone read the feed. A revoked token is refused from the next request on.
"""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..accounts.models import User
from ..audit import services as audit
from ..core.errors import DomainError, NotFound
from ..extensions import db
from .models import StatsToken

PREFIX = "srp_stats_"  # says what a token is when one turns up in a config file or a log
HINT_LENGTH = len(PREFIX) + 4


class TokenRefused(DomainError):
    """The token cannot be made or revoked as asked; the message says why."""


@dataclass(frozen=True)
class NewToken:
    token: StatsToken
    secret: str  # the token itself: shown to the admin once, stored nowhere


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def create_token(actor: User, name: str) -> NewToken:
    """A new token for a feed reader named by the admin."""
    name = " ".join((name or "").split())
    if not name:
        raise TokenRefused(_l("Name who will use the token, like Bandung Command Center."), field="name")
    if len(name) > 120:
        raise TokenRefused(_l("Use at most %(max)d characters.", max=120), field="name")
    secret = PREFIX + secrets.token_urlsafe(32)
    token = StatsToken(name=name, token_hash=token_hash(secret), hint=secret[:HINT_LENGTH],
                       created_by_id=actor.id if actor else None)
    db.session.add(token)
    db.session.flush()
    audit.record(actor, "stats_token.created", "stats_token", token.id, None, {"name": name, "hint": token.hint})
    return NewToken(token, secret)


def revoke_token(actor: User, token_id: int, now: datetime) -> StatsToken:
    """Stop a token working; the feed refuses it from now on."""
    token = db.session.get(StatsToken, token_id)
    if token is None:
        raise NotFound()
    if token.revoked_at is not None:
        raise TokenRefused(_l("This token was revoked already."))
    token.revoked_at, token.revoked_by_id = now, actor.id if actor else None
    db.session.flush()
    audit.record(actor, "stats_token.revoked", "stats_token", token.id,
                 {"name": token.name, "hint": token.hint, "revoked_at": None},
                 {"name": token.name, "hint": token.hint, "revoked_at": now})
    return token


def token_for(secret: str | None) -> StatsToken | None:
    """The active token with this secret, or None (missing, unknown or revoked)."""
    if not secret or not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(select(StatsToken).where(StatsToken.token_hash == token_hash(secret),
                                                      StatsToken.revoked_at.is_(None)))


def list_tokens() -> list[StatsToken]:
    """Every token, active ones first, newest first."""
    return list(db.session.scalars(select(StatsToken).order_by(StatsToken.revoked_at.is_not(None),
                                                               StatsToken.id.desc())))
