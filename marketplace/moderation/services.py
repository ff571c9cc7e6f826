"""Moderation: buyers report listings, officers dismiss a report or take the listing down. Flush, never commit."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import case, func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import User
from ..audit import services as audit
from ..catalog import services as catalog
from ..catalog.models import Product
from ..catalog.queries import is_visible
from ..core.errors import DomainError, NotFound
from ..core.models import utcnow
from ..extensions import db
from .models import ListingReport, ReportStatus

REPORT_REASONS = {
    "counterfeit": _l("Counterfeit or a copy of a brand"),
    "prohibited": _l("Not allowed to be sold or sent to Malaysia"),
    "misleading": _l("Misleading name, photos or description"),
    "certificate": _l("False halal or BPOM claim"),
    "offensive": _l("Offensive content"),
    "other": _l("Something else"),
}

REPORT_STATUS_NAMES = {
    ReportStatus.OPEN: _l("Open"),
    ReportStatus.DISMISSED: _l("Dismissed"),
    ReportStatus.ACTIONED: _l("Listing taken down"),
}


class AlreadyReported(DomainError):
    status_code = 409
    default_message = _l("You have already reported this listing. An officer will look at it.")


def _officer(actor: User) -> None:
    if actor is None or not actor.is_officer:
        raise DomainError(_l("Only officers can do this."))


def reportable_product(product_id: int) -> Product:
    """A listing buyers may see, to report; anything else is not there."""
    product = db.session.get(Product, product_id)
    if product is None or not is_visible(product):
        raise NotFound()
    return product


def report_listing(reporter: User, product_id: int, reason: str, note: str | None) -> ListingReport:
    """A signed-in buyer reports a listing; it waits in the officers' queue."""
    if reporter is None or not reporter.is_buyer:
        raise DomainError(_l("Only signed-in buyers can report a listing."))
    if reason not in REPORT_REASONS:
        raise DomainError(_l("Please choose one of the options."), field="reason")
    note = (note or "").strip() or None
    if reason == "other" and not note:
        raise DomainError(_l("Tell the officers what is wrong."), field="note")
    product = reportable_product(product_id)
    if db.session.scalar(select(ListingReport.id).where(
            ListingReport.product_id == product.id, ListingReport.reporter_id == reporter.id,
            ListingReport.status == ReportStatus.OPEN)):
        raise AlreadyReported()
    report = ListingReport(product_id=product.id, reporter_id=reporter.id, reason=reason, note=note)
    db.session.add(report)
    db.session.flush()
    audit.record(reporter, "report.filed", "listing_report", report.id, None,
                 {"product_id": product.id, "reason": reason, **({"note": note} if note else {})})
    return report


def list_reports(status: ReportStatus | None = None, limit: int = 200) -> list[ListingReport]:
    """Reports for the officers: open ones first, longest waiting first; then the handled ones, newest first."""
    query = (select(ListingReport)
             .options(selectinload(ListingReport.product).selectinload(Product.merchant),
                      selectinload(ListingReport.reporter))
             .order_by(case((ListingReport.status == ReportStatus.OPEN, 0), else_=1),
                       case((ListingReport.status == ReportStatus.OPEN, ListingReport.created_at)),
                       ListingReport.handled_at.desc(), ListingReport.id.desc())
             .limit(limit))
    if status is not None:
        query = query.where(ListingReport.status == status)
    return list(db.session.scalars(query))


def count_open() -> int:
    return db.session.scalar(select(func.count()).select_from(ListingReport)
                             .where(ListingReport.status == ReportStatus.OPEN)) or 0


def reports_of(product_id: int) -> list[ListingReport]:
    return list(db.session.scalars(select(ListingReport).where(ListingReport.product_id == product_id)
                                   .options(selectinload(ListingReport.reporter))
                                   .order_by(ListingReport.created_at.desc())))


def _close(actor: User, report: ListingReport, status: ReportStatus, note: str | None) -> None:
    report.status, report.handled_by_id, report.handled_at = status, actor.id, utcnow()
    report.resolution_note = note
    db.session.flush()
    action = "report.dismissed" if status == ReportStatus.DISMISSED else "report.actioned"
    audit.record(actor, action, "listing_report", report.id, {"status": ReportStatus.OPEN},
                 {"status": status, **({"note": note} if note else {})})


def dismiss(actor: User, report_id: int, note: str | None) -> ListingReport:
    """An officer finds nothing wrong: the report is closed, the listing stays."""
    _officer(actor)
    report = db.session.get(ListingReport, report_id)
    if report is None:
        raise NotFound()
    if report.status != ReportStatus.OPEN:
        raise DomainError(_l("This report has already been handled."))
    _close(actor, report, ReportStatus.DISMISSED, (note or "").strip() or None)
    return report


def take_down(actor: User, product_id: int, reason: str, note: str | None) -> Product:
    """An officer takes a listing down (with a reason its merchant reads); its open reports are acted on."""
    _officer(actor)
    note = (note or "").strip() or None
    if reason == "other" and not note:
        raise DomainError(_l("Write what the merchant should fix."), field="note")
    product = catalog.take_down(actor, product_id, reason, note)
    for report in db.session.scalars(select(ListingReport).where(ListingReport.product_id == product.id,
                                                                 ListingReport.status == ReportStatus.OPEN)):
        _close(actor, report, ReportStatus.ACTIONED, note)
    return product


def lift(actor: User, product_id: int) -> Product:
    """An officer lifts a takedown: the merchant may publish the listing again."""
    return catalog.lift_takedown(actor, product_id)
