"""Buying requests: a buyer (or an officer, for a delegation) says what they look for; verified merchants of
that category see it and answer through an inquiry thread; officers see which requests got no answer.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from ..accounts.models import MerchantCategory, MerchantProfile, Role, User, VerificationStatus
from ..audit import services as audit
from ..core.errors import NotFound
from ..core.places import MALAYSIAN_STATES
from ..core.taxonomy import CATEGORIES
from ..extensions import db
from . import services
from .models import BuyingRequest, Inquiry, InquiryMove, InquiryStatus
from .services import TradeRefused

MAX_TITLE = 140
MAX_DETAILS = 2000
MAX_DEADLINE_DAYS = 365


@dataclass(frozen=True)
class RequestData:
    title: str
    details: str | None
    category: str
    quantity: int
    target_price: int | None  # per unit, minor units of target_currency
    target_currency: str
    destination_state: str
    deadline: date


def check_request(data: RequestData, now: datetime) -> None:
    """Refuse a request that a form should not have let through, field by field."""
    if not data.title.strip():
        raise TradeRefused(_l("This field is required."), field="title")
    if len(data.title) > MAX_TITLE:
        raise TradeRefused(_l("Use at most %(max)d characters.", max=MAX_TITLE), field="title")
    if data.details is not None and len(data.details) > MAX_DETAILS:
        raise TradeRefused(_l("Use at most %(max)d characters.", max=MAX_DETAILS), field="details")
    if data.category not in CATEGORIES:
        raise TradeRefused(_l("Please choose one of the options."), field="category")
    if not 1 <= data.quantity <= services.MAX_QUANTITY:
        raise TradeRefused(_l("Enter a number from %(min)d to %(max)d.", min=1, max=services.MAX_QUANTITY),
                           field="quantity")
    if data.target_currency not in services.TARGET_CURRENCIES:
        raise TradeRefused(_l("Please choose one of the options."), field="target_currency")
    if data.target_price is not None and data.target_price <= 0:
        raise TradeRefused(_l("A price must be more than zero."), field="target_price")
    if data.destination_state not in MALAYSIAN_STATES:
        raise TradeRefused(_l("Choose a Malaysian state."), field="destination_state")
    services.check_future_date(data.deadline, now, MAX_DEADLINE_DAYS, "deadline")


def post_request(author: User, data: RequestData, now: datetime) -> BuyingRequest:
    """A new buying request; an officer's is written to the audit trail."""
    if author.role not in (Role.BUYER, Role.OFFICER, Role.ADMIN):
        raise TradeRefused(_l("Only buyers and officers post buying requests."))
    check_request(data, now)
    request = BuyingRequest(author_id=author.id, title=data.title.strip(), details=(data.details or "").strip() or None,
                            category=data.category, quantity=data.quantity, target_price=data.target_price,
                            target_currency=data.target_currency, destination_state=data.destination_state,
                            deadline=data.deadline, created_at=now)
    db.session.add(request)
    db.session.flush()
    if author.is_officer:
        audit.record(author, "buying_request.posted", "buying_request", request.id,
                     after=audit.snapshot(request, ("title", "category", "quantity", "target_price", "target_currency",
                                                    "destination_state", "deadline")))
    return request


def close_request(author: User, request_id: int, now: datetime) -> BuyingRequest:
    """The author takes the request down: merchants no longer see it (its threads go on)."""
    request = db.session.get(BuyingRequest, request_id)
    if request is None or request.author_id != author.id:
        raise NotFound()
    if request.closed_at is None:
        request.closed_at = now
        if author.is_officer:
            audit.record(author, "buying_request.closed", "buying_request", request.id,
                         before={"closed_at": None}, after={"closed_at": now})
    return request


def may_answer(merchant: MerchantProfile) -> bool:
    """Only verified merchants see and answer buying requests."""
    return merchant.verification_status == VerificationStatus.VERIFIED


def _open_for(merchant: MerchantProfile, today: date):
    categories = select(MerchantCategory.category).where(MerchantCategory.merchant_id == merchant.id)
    return select(BuyingRequest).where(BuyingRequest.closed_at.is_(None), BuyingRequest.deadline >= today,
                                       BuyingRequest.category.in_(categories))


def requests_for_merchant(merchant: MerchantProfile, today: date) -> list[tuple[BuyingRequest, int | None]]:
    """Open requests in the merchant's categories, the nearest deadline first, each with the merchant's own
    answer thread (None while unanswered). Nothing for a merchant that is not verified."""
    if not may_answer(merchant):
        return []
    rows = db.session.scalars(_open_for(merchant, today).order_by(BuyingRequest.deadline, BuyingRequest.id)
                              .limit(200)).all()
    answered = dict(db.session.execute(select(Inquiry.buying_request_id, Inquiry.id).where(
        Inquiry.merchant_id == merchant.id, Inquiry.buying_request_id.in_([r.id for r in rows] or [0]))).all())
    return [(r, answered.get(r.id)) for r in rows]


def request_for(user: User, request_id: int, today: date) -> BuyingRequest:
    """A request its author, officers, or a merchant it is meant for may read; for anyone else it is not found."""
    request = db.session.scalar(select(BuyingRequest).where(BuyingRequest.id == request_id)
                                .options(selectinload(BuyingRequest.inquiries)))
    if request is None:
        raise NotFound()
    if request.author_id == user.id or user.is_officer:
        return request
    merchant = user.merchant_profile
    if merchant is not None and may_answer(merchant) and db.session.scalar(
            _open_for(merchant, today).where(BuyingRequest.id == request_id).with_only_columns(BuyingRequest.id)):
        return request
    raise NotFound()


def answer_request(merchant_user: User, request_id: int, body: str, language: str, now: datetime) -> Inquiry:
    """A merchant answers a request: its thread with the author (made on the first answer), and a message in it."""
    merchant = merchant_user.merchant_profile
    if merchant is None:
        raise NotFound()
    request = request_for(merchant_user, request_id, services.bandung_today(now))
    if not may_answer(merchant):
        raise NotFound()
    services.check_message(body, "body")
    inquiry = db.session.scalar(select(Inquiry).where(Inquiry.buying_request_id == request.id,
                                                      Inquiry.merchant_id == merchant.id))
    if inquiry is not None:
        services.write_message(merchant_user, inquiry, body, language, now)
        return inquiry
    inquiry = Inquiry(buyer_id=request.author_id, merchant_id=merchant.id, buying_request_id=request.id,
                      status=InquiryStatus.OPEN, quantity=request.quantity, target_price=request.target_price,
                      target_currency=request.target_currency, destination_state=request.destination_state,
                      needed_by=request.deadline, buyer_unread=1, merchant_unread=0, last_activity_at=now,
                      created_at=now)
    db.session.add(inquiry)
    db.session.flush()
    db.session.add(InquiryMove(inquiry_id=inquiry.id, from_status=None, to_status=InquiryStatus.OPEN.value,
                               actor_id=merchant_user.id, at=now))
    services._add_message(inquiry, merchant_user, body, language, now)
    return inquiry


def own_requests(author: User) -> list[tuple[BuyingRequest, int]]:
    """The author's requests, newest first, with how many merchants answered each."""
    return _with_answers(select(BuyingRequest).where(BuyingRequest.author_id == author.id))


def all_requests(unanswered_only: bool = False) -> list[tuple[BuyingRequest, int]]:
    """Every request for officers: those no merchant answered first, then the rest, nearest deadline first."""
    return _with_answers(select(BuyingRequest), unanswered_only)


def _with_answers(query, unanswered_only: bool = False) -> list[tuple[BuyingRequest, int]]:
    answers = (select(Inquiry.buying_request_id, func.count(Inquiry.id).label("n"))
               .where(Inquiry.buying_request_id.is_not(None)).group_by(Inquiry.buying_request_id).subquery())
    count = func.coalesce(answers.c.n, 0)
    query = query.outerjoin(answers, answers.c.buying_request_id == BuyingRequest.id).add_columns(count) \
        .options(selectinload(BuyingRequest.author))
    if unanswered_only:
        query = query.where(answers.c.n.is_(None))
    query = query.order_by((count > 0), BuyingRequest.closed_at.is_not(None), BuyingRequest.deadline,
                           BuyingRequest.id.desc()).limit(500)
    return [(request, n) for request, n in db.session.execute(query).all()]
