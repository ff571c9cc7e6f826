"""A merchant's verification: one transition table, every move recorded with actor, time and reason.

unverified -> pending (the merchant sends its export-readiness profile for review)
pending -> verified | rejected (an officer decides; a rejection carries a reason the merchant reads)
rejected -> pending (sent again after a fix)
verified -> pending (the merchant changed what the verification vouched for: NIB, names, certificates)

Suspension is not a verification state: an officer suspends any merchant (its products leave the catalog
through catalog.queries) and lifts it again; the verification stays as it was. Services here flush; the
request commits.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from ..audit import services as audit
from ..core.errors import DomainError
from ..core.models import utcnow
from ..core.signals import announce_after_commit, catalog_changed
from ..extensions import db
from .models import MerchantProfile, User, VerificationMove, VerificationStatus

U, P, V, R = (VerificationStatus.UNVERIFIED, VerificationStatus.PENDING, VerificationStatus.VERIFIED,
              VerificationStatus.REJECTED)

# (from, to): the move's name, which is also its audit action ("merchant.<name>").
MOVES: dict[tuple[VerificationStatus, VerificationStatus], str] = {
    (U, P): "submitted",
    (R, P): "submitted",
    (P, V): "verified",
    (P, R): "rejected",
    (V, P): "reopened",
}
OFFICER_MOVES = frozenset({"verified", "rejected"})

STATUS_NAMES = {
    U: _l("Not yet verified"),
    P: _l("Verification pending"),
    V: _l("Verified"),
    R: _l("Not verified"),
}

# Why a review says no: the merchant reads these in its own language, with the officer's note beside.
REJECTION_REASONS = {
    "nib_mismatch": _l("The NIB does not match the business or legal name registered at OSS."),
    "document_unreadable": _l("A document cannot be read. Please upload a sharper scan or photo."),
    "certificate_expired": _l("A halal or BPOM certificate has expired."),
    "certificate_missing": _l("A halal or BPOM certificate the products need is missing."),
    "capacity_unclear": _l("The production capacity or export experience is not clear."),
    "other": _l("Another reason: see the officer's note."),
}
SUSPENSION_REASONS = {
    "complaints": _l("Repeated complaints from buyers."),
    "documents_invalid": _l("Documents turned out to be invalid."),
    "prohibited_goods": _l("Goods that may not be sold or exported."),
    "merchant_request": _l("At the merchant's own request."),
    "other": _l("Another reason: see the officer's note."),
}
# What the merchant changed that sends a verified shop back for review.
KEY_DATA = {
    "nib": _l("NIB"),
    "legal_name": _l("Legal name"),
    "business_name": _l("Business name"),
    "documents": _l("Certificates"),
}


class InvalidVerificationMove(DomainError):
    status_code = 409
    default_message = _l("This merchant's verification cannot be changed that way now.")


class NotAnOfficer(DomainError):
    status_code = 403
    default_message = _l("Only officers can do this.")


def require_officer(actor: User | None) -> None:
    if actor is None or not actor.is_officer:
        raise NotAnOfficer()


def _announce(profile: MerchantProfile) -> None:
    # The badge shows on the storefront, the product pages and the cards, and counts in the "verified" facet.
    announce_after_commit(db.session, catalog_changed, "accounts", merchant_id=profile.id, shop=True)


def move(profile: MerchantProfile, to: VerificationStatus, actor: User | None, reason: str | None = None,
         note: str | None = None) -> VerificationMove:
    """Move a merchant's verification along MOVES, or raise InvalidVerificationMove; recorded and audited."""
    before = profile.verification_status
    name = MOVES.get((before, to))
    if name is None:
        raise InvalidVerificationMove()
    if name in OFFICER_MOVES:
        require_officer(actor)
    now = utcnow()
    profile.verification_status = to
    if to == V:
        profile.verified_at, profile.verified_by_id = now, actor.id
    elif before == V:
        profile.verified_at = profile.verified_by_id = None
    if to == R:
        profile.review_reason, profile.review_note = reason, note
    elif to == P:
        profile.submitted_at = now
        profile.review_reason = profile.review_note = None
    entry = VerificationMove(merchant_id=profile.id, from_status=before.value, to_status=to.value,
                             actor_id=actor.id if actor else None, at=now, reason=reason, note=note)
    db.session.add(entry)
    db.session.flush()
    audit.record(actor, f"merchant.{name}", "merchant", profile.id, {"verification_status": before},
                 {"verification_status": to, **({"reason": reason} if reason else {}),
                  **({"note": note} if note else {})})
    _announce(profile)
    return entry


def reopen_after_change(profile: MerchantProfile, actor: User | None, changed: list[str]) -> bool:
    """A verified merchant that changed key data (KEY_DATA) goes back to pending; True when it did."""
    if not changed or profile.verification_status != V:
        return False
    move(profile, P, actor, reason="key_data", note=", ".join(sorted(changed)))
    return True


def suspend(actor: User, profile: MerchantProfile, reason: str, note: str | None) -> None:
    """An officer suspends a merchant: its products are hidden from buyers at once."""
    require_officer(actor)
    if reason not in SUSPENSION_REASONS:
        raise DomainError(_l("Please choose one of the options."), field="reason")
    if profile.is_suspended:
        raise InvalidVerificationMove(_l("This merchant is already suspended."))
    profile.suspended_at, profile.suspension_reason, profile.suspension_note = utcnow(), reason, note
    db.session.flush()
    audit.record(actor, "merchant.suspended", "merchant", profile.id, {"suspended": False},
                 {"suspended": True, "reason": reason, **({"note": note} if note else {})})
    _announce(profile)


def lift_suspension(actor: User, profile: MerchantProfile, note: str | None = None) -> None:
    """An officer lifts a suspension: the merchant's published products are back on sale."""
    require_officer(actor)
    if not profile.is_suspended:
        raise InvalidVerificationMove(_l("This merchant is not suspended."))
    before = {"suspended": True, "reason": profile.suspension_reason}
    profile.suspended_at = profile.suspension_reason = profile.suspension_note = None
    db.session.flush()
    audit.record(actor, "merchant.reinstated", "merchant", profile.id, before,
                 {"suspended": False, **({"note": note} if note else {})})
    _announce(profile)


def history(profile: MerchantProfile) -> list[VerificationMove]:
    """The merchant's verification moves, newest first."""
    return list(db.session.scalars(db.select(VerificationMove).where(VerificationMove.merchant_id == profile.id)
                                   .order_by(VerificationMove.at.desc(), VerificationMove.id.desc())))
