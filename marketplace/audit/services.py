"""Write an audit entry in the writer's transaction, and read the trail back for officers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from decimal import Decimal
from enum import Enum

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from ..extensions import db
from .models import AuditEntry

# Every action written, with how the trail names it. A new action is added here first.
ACTIONS = {
    "rate.recorded": _l("Exchange rate recorded"),
    "courier.created": _l("Courier service added"),
    "courier.changed": _l("Courier service changed"),
    "customs_rule.recorded": _l("Customs rule recorded"),
    "officer.invited": _l("Officer invited"),
    "staff.created": _l("Staff account created"),
    "product.status_changed": _l("Product status changed"),
    "account.password_changed": _l("Password changed"),
    "account.email_changed": _l("Email address changed"),
    "payment.recorded": _l("Bank transfer recorded"),
    "refund.recorded": _l("Refund recorded"),
    "payout.recorded": _l("Payout to a merchant recorded"),
    "ledger.corrected": _l("Merchant balance corrected"),
    "commission.set": _l("Commission rate set"),
    "showcase.created": _l("Showcase created"),
    "showcase.changed": _l("Showcase changed"),
    "showcase.cover_changed": _l("Showcase cover changed"),
    "showcase.product_added": _l("Product added to a showcase"),
    "showcase.product_removed": _l("Product taken out of a showcase"),
    "showcase.products_reordered": _l("Showcase products reordered"),
    "merchant.submitted": _l("Merchant sent for verification"),
    "merchant.verified": _l("Merchant verified"),
    "merchant.rejected": _l("Merchant's verification rejected"),
    "merchant.reopened": _l("Verified merchant changed key data: back for review"),
    "merchant.suspended": _l("Merchant suspended"),
    "merchant.reinstated": _l("Merchant's suspension lifted"),
    "product.taken_down": _l("Listing taken down by an officer"),
    "product.takedown_lifted": _l("Listing's takedown lifted"),
    "report.filed": _l("Listing reported by a buyer"),
    "report.dismissed": _l("Report dismissed"),
    "report.actioned": _l("Report acted on"),
    "buying_request.posted": _l("Buying request posted"),
    "buying_request.closed": _l("Buying request closed"),
    "stats_token.created": _l("Statistics feed token created"),
    "stats_token.revoked": _l("Statistics feed token revoked"),
    "synonyms.added": _l("Search synonyms added"),
    "synonyms.removed": _l("Search synonyms removed"),
}
OBJECT_KINDS = {
    "exchange_rate": _l("Exchange rate"),
    "courier_service": _l("Courier service"),
    "customs_rule": _l("Customs rule"),
    "user": _l("Account"),
    "product": _l("Product"),
    "order": _l("Order"),
    "merchant_payables": _l("Merchant payables"),
    "commission_rate": _l("Commission rate"),
    "showcase": _l("Showcase"),
    "merchant": _l("Merchant"),
    "listing_report": _l("Listing report"),
    "buying_request": _l("Buying request"),
    "stats_token": _l("Statistics feed token"),
    "synonym_group": _l("Search synonym group"),
}
COMMAND_LINE = "command line"  # the actor of changes made with `flask ...` commands


def plain(value):
    """A value as JSON keeps it: dates as ISO text, decimals as text (never floats), enums by value."""
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")  # 3924.5, however many places the column kept
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    return value


def snapshot(obj, names: tuple[str, ...]) -> dict:
    """The named attributes of an object, as the entry's before or after."""
    return {name: plain(getattr(obj, name)) for name in names}


def record(actor, action: str, object_kind: str, object_id, before: dict | None = None,
           after: dict | None = None) -> AuditEntry | None:
    """Add an entry for a change, in the same transaction as the change; nothing when nothing changed."""
    if action not in ACTIONS or object_kind not in OBJECT_KINDS:
        raise ValueError(f"unknown audit action or object: {action}, {object_kind}")
    if before is not None and after is not None and plain(before) == plain(after):
        return None
    entry = AuditEntry(
        actor_id=actor.id if actor is not None else None,
        actor_name=(f"{actor.full_name} <{actor.email}>" if actor is not None else COMMAND_LINE)[:200],
        action=action, object_kind=object_kind, object_id=str(object_id)[:80],
        before=plain(before) if before is not None else None, after=plain(after) if after is not None else None,
    )
    db.session.add(entry)
    db.session.flush()
    return entry


@dataclass(frozen=True)
class TrailFilter:
    object_kind: str | None = None
    object_id: str | None = None
    actor_id: int | None = None
    since: date | None = None
    until: date | None = None


def _stored(day: date, at: time) -> datetime:
    """A moment of a day in the reader's time zone (the page's), as the table stores times: naive UTC."""
    zone = get_timezone()
    naive = datetime.combine(day, at)
    # Babel's zones are pytz zones: replace(tzinfo=) would give Jakarta's 1924 offset (+07:07); localize knows.
    try:
        local = zone.localize(naive) if hasattr(zone, "localize") else naive.replace(tzinfo=zone)
        return local.astimezone(timezone.utc).replace(tzinfo=None)
    except OverflowError:  # the first or last day a date can name: no entry is beyond it anyway
        return datetime.min if at == time.min else datetime.max


def list_entries(filters: TrailFilter, page: int, per_page: int = 50) -> tuple[list[AuditEntry], int]:
    """One page of entries matching the filters, newest first, and how many match."""
    conditions = []
    if filters.object_kind:
        conditions.append(AuditEntry.object_kind == filters.object_kind)
    if filters.object_id:
        conditions.append(AuditEntry.object_id == filters.object_id)
    if filters.actor_id:
        conditions.append(AuditEntry.actor_id == filters.actor_id)
    if filters.since:
        conditions.append(AuditEntry.at >= _stored(filters.since, time.min))
    if filters.until:
        conditions.append(AuditEntry.at <= _stored(filters.until, time.max))
    total = db.session.scalar(select(func.count()).select_from(AuditEntry).where(*conditions)) or 0
    entries = db.session.scalars(select(AuditEntry).where(*conditions)
                                 .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
                                 .limit(per_page).offset((page - 1) * per_page)).all()
    return list(entries), total


def actors() -> list[tuple[int, str]]:
    """Everyone who has an entry, by the latest name they acted under, for the trail's filter."""
    rows = db.session.execute(select(AuditEntry.actor_id, func.max(AuditEntry.actor_name))
                              .where(AuditEntry.actor_id.is_not(None)).group_by(AuditEntry.actor_id)).all()
    return sorted(((actor_id, name) for actor_id, name in rows), key=lambda row: row[1].lower())
