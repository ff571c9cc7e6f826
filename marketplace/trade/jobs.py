"""Jobs of trade: a quote's end at its valid-until time, and a mail for each message and quote step.

A mail goes to the party who did not write or act, in their own language, once per recipient however
often the job runs (a retry): the recipient and the event are marked done when the mail was handed on.
"""
from __future__ import annotations

from ..accounts.models import User
from ..core.jobs import job
from ..core.models import utcnow
from ..extensions import db
from ..mail.services import send_mail_once, site_link
from .models import Inquiry, InquiryMessage, Quote
from .services import EXPIRE_JOB, MAIL_JOB, expire_quote


@job(EXPIRE_JOB)
def expire_when_due(quote_id: int) -> None:
    """At the end of its valid-until day, a quote still unanswered expires (an answered one stays)."""
    expire_quote(quote_id, utcnow())


def _send_once(key: str, user: User | None, template: str, **context) -> None:
    send_mail_once(f"trade-mail:{key}", user, template, **context)


def _parties(inquiry: Inquiry) -> dict[str, User | None]:
    return {"buyer": db.session.get(User, inquiry.buyer_id), "merchant": inquiry.merchant.user}


@job(MAIL_JOB)
def mail_trade_event(event: str, object_id: int) -> None:
    """Tell the other party of a message, a quote, or the buyer's answer to it; both parties of an expiry."""
    if event == "message":
        message = db.session.get(InquiryMessage, object_id)
        if message is None:
            return
        inquiry = message.inquiry
        parties = _parties(inquiry)
        recipient = "merchant" if message.author_id == inquiry.buyer_id else "buyer"
        author = parties["buyer"] if recipient == "merchant" else parties["merchant"]
        _send_once(f"message:{message.id}", parties[recipient], "trade_message", inquiry=inquiry, message=message,
                   author_name=inquiry.merchant.business_name if recipient == "buyer" else author.full_name,
                   link=site_link("trade.thread", inquiry_id=inquiry.id))
        return
    quote = db.session.get(Quote, object_id)
    if quote is None:
        return
    inquiry = quote.inquiry
    parties = _parties(inquiry)
    recipients = {"quote": ("buyer",), "accepted": ("merchant",), "declined": ("merchant",),
                  "expired": ("buyer", "merchant")}.get(event, ())
    for party in recipients:
        _send_once(f"{event}:{quote.id}", parties[party], "trade_quote", inquiry=inquiry, quote=quote, event=event,
                   party=party, link=site_link("trade.thread", inquiry_id=inquiry.id))
