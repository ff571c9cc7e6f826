"""Inquiries and quotes: a buyer asks, both write, the merchant quotes, the buyer accepts and orders at that price.

Every service takes the acting user and flushes; the request's unit of work commits. Only the two
parties of an inquiry find it: anyone else gets NotFound, as for an object that does not exist.
An inquiry moves along INQUIRY_MOVES; each move is an InquiryMove row with its actor and time.
A quote is valid to the end of its valid-until day in Bandung: a job moves it to expired then, and
every read and every answer checks the time too, so a late job never lets a stale price through.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update
from sqlalchemy.orm import selectinload

from ..accounts.models import MerchantProfile, User
from ..catalog.models import Product
from ..catalog.queries import is_visible, shop_is_open
from ..core.errors import DomainError, NotFound
from ..core.jobs import enqueue, jobs_of
from ..core.places import MALAYSIAN_STATES
from ..core.templating import format_day
from ..extensions import db
from ..money import MAX_IDR_PRICE, Rate
from ..orders import checkout
from ..orders.cart import AgreedCart, AgreedPrice, CartView, view_cart
from ..orders.lifecycle import OutOfStock
from ..orders.models import Order, OrderStatus
from ..orders.quotes import AgreedFreight
from .models import Inquiry, InquiryMessage, InquiryMove, InquiryStatus, Quote, QuoteStatus, ShippingTerms

S = InquiryStatus
BANDUNG = ZoneInfo("Asia/Jakarta")  # merchants quote in Bandung's days

INQUIRY_MOVES: dict[InquiryStatus, frozenset[InquiryStatus]] = {
    S.OPEN: frozenset({S.QUOTED}),
    S.QUOTED: frozenset({S.QUOTED, S.ACCEPTED, S.DECLINED, S.EXPIRED}),  # QUOTED again: a new quote replaces it
    S.ACCEPTED: frozenset({S.QUOTED}),  # only while no order of it is waiting or paid (make_quote checks)
    S.DECLINED: frozenset({S.QUOTED}),  # the merchant may offer again
    S.EXPIRED: frozenset({S.QUOTED}),
}
STATUS_NAMES = {
    S.OPEN: _l("Waiting for a quote"),
    S.QUOTED: _l("Quoted"),
    S.ACCEPTED: _l("Accepted"),
    S.DECLINED: _l("Declined"),
    S.EXPIRED: _l("Quote expired"),
}
QUOTE_STATUS_NAMES = {
    QuoteStatus.OFFERED: _l("Waiting for the buyer"),
    QuoteStatus.ACCEPTED: _l("Accepted"),
    QuoteStatus.DECLINED: _l("Declined"),
    QuoteStatus.EXPIRED: _l("Expired"),
    QuoteStatus.SUPERSEDED: _l("Replaced by a newer quote"),
}
TERMS_NAMES = {
    ShippingTerms.COURIER: _l("By courier: shipping and Malaysian taxes are added at checkout"),
    ShippingTerms.SEA_FREIGHT: _l("Sea freight arranged by the merchant, at the freight quoted"),
}
TARGET_CURRENCIES = ("MYR", "IDR")
MAX_QUANTITY = 1_000_000
MAX_MESSAGE = 2000
MAX_NOTES = 1000
MAX_VALID_DAYS = 90  # a quote promises a price for at most three months
MAX_NEEDED_DAYS = 730
MAX_FREIGHT_DAYS = 120

MAIL_JOB = "trade.mail"
EXPIRE_JOB = "trade.expire_quote"


class TradeRefused(DomainError):
    """The inquiry or quote cannot take this step; the message says why. Nothing was changed."""


class InvalidMove(TradeRefused):
    status_code = 409


@dataclass(frozen=True)
class Ask:
    """What a buyer asks a merchant for."""

    quantity: int
    target_price: int | None  # per unit, minor units of target_currency
    target_currency: str
    destination_state: str
    needed_by: date
    message: str


@dataclass(frozen=True)
class QuoteTerms:
    product_id: int
    unit_price_idr: int
    quantity: int
    valid_until: date
    shipping_terms: ShippingTerms
    notes: str | None
    freight_idr: int | None = None  # sea freight only: the whole order's freight, in rupiah
    freight_days: int | None = None  # sea freight only: days on the way


def bandung_today(now: datetime) -> date:
    """The day it is in Bandung at now (naive UTC, as our columns keep time)."""
    return now.replace(tzinfo=timezone.utc).astimezone(BANDUNG).date()


def expires_at(valid_until: date) -> datetime:
    """The end of the valid-until day in Bandung, as naive UTC: the first moment the quote no longer holds."""
    end = datetime.combine(valid_until + timedelta(days=1), time(0), tzinfo=BANDUNG)
    return end.astimezone(timezone.utc).replace(tzinfo=None)


def is_expired(quote: Quote, now: datetime) -> bool:
    return now >= quote.expires_at


def effective_status(inquiry: Inquiry, now: datetime) -> InquiryStatus:
    """The status as it stands at now: a quote past its time reads as expired before its job has run."""
    quote = inquiry.current_quote
    if inquiry.status == S.QUOTED and quote is not None and quote.status == QuoteStatus.OFFERED \
            and is_expired(quote, now):
        return S.EXPIRED
    return inquiry.status


def party_of(user: User, inquiry: Inquiry) -> str | None:
    """"buyer", "merchant", or None for anyone else."""
    if inquiry.buyer_id == user.id:
        return "buyer"
    if user.merchant_profile is not None and inquiry.merchant_id == user.merchant_profile.id:
        return "merchant"
    return None


def inquiry_for(user: User, inquiry_id: int, lock: bool = False) -> Inquiry:
    """One of the user's own inquiries (as its buyer or its merchant); anyone else's is not found."""
    query = select(Inquiry).where(Inquiry.id == inquiry_id).options(
        selectinload(Inquiry.messages), selectinload(Inquiry.quotes), selectinload(Inquiry.merchant))
    inquiry = db.session.scalar(query.with_for_update(of=Inquiry) if lock else query)
    if inquiry is None or party_of(user, inquiry) is None:
        raise NotFound()
    return inquiry


def _move(inquiry: Inquiry, to: InquiryStatus, actor: User | None, now: datetime, quote: Quote | None = None) -> None:
    """Move along INQUIRY_MOVES and record it, or raise InvalidMove."""
    if to not in INQUIRY_MOVES[inquiry.status]:
        raise InvalidMove(_l("This inquiry is %(status)s and cannot become %(to)s.",
                             status=STATUS_NAMES[inquiry.status], to=STATUS_NAMES[to]))
    before = inquiry.status
    inquiry.status = to
    db.session.add(InquiryMove(inquiry_id=inquiry.id, from_status=before.value, to_status=to.value,
                               actor_id=actor.id if actor else None, quote_id=quote.id if quote else None, at=now))


def _touch(inquiry: Inquiry, news_for: str | None, now: datetime) -> None:
    """Something new in the thread: count it unread for the other party ("buyer", "merchant" or "both")."""
    inquiry.last_activity_at = now
    if news_for in ("buyer", "both"):
        inquiry.buyer_unread = Inquiry.buyer_unread + 1
    if news_for in ("merchant", "both"):
        inquiry.merchant_unread = Inquiry.merchant_unread + 1


def check_ask(ask: Ask, now: datetime) -> None:
    """Refuse an ask that a form should not have let through, field by field."""
    if not 1 <= ask.quantity <= MAX_QUANTITY:
        raise TradeRefused(_l("Enter a number from %(min)d to %(max)d.", min=1, max=MAX_QUANTITY), field="quantity")
    if ask.target_currency not in TARGET_CURRENCIES:
        raise TradeRefused(_l("Please choose one of the options."), field="target_currency")
    if ask.target_price is not None and ask.target_price <= 0:
        raise TradeRefused(_l("A price must be more than zero."), field="target_price")
    if ask.destination_state not in MALAYSIAN_STATES:
        raise TradeRefused(_l("Choose a Malaysian state."), field="destination_state")
    check_future_date(ask.needed_by, now, MAX_NEEDED_DAYS, "needed_by")
    check_message(ask.message)


def check_future_date(day: date, now: datetime, max_days: int, field: str) -> None:
    today = bandung_today(now)
    if day < today:
        raise TradeRefused(_l("Choose today or a later date."), field=field)
    if day > today + timedelta(days=max_days):
        raise TradeRefused(_l("Choose a date at most %(days)d days ahead.", days=max_days), field=field)


def check_message(body: str, field: str = "message") -> None:
    if not body.strip():
        raise TradeRefused(_l("Write a message."), field=field)
    if len(body) > MAX_MESSAGE:
        raise TradeRefused(_l("Use at most %(max)d characters.", max=MAX_MESSAGE), field=field)


def inquiry_target(product_id: int | None, merchant_slug: str | None) -> tuple[MerchantProfile, Product | None]:
    """The merchant (and product) a buyer may ask about: a product buyers may see, or an open shop."""
    if product_id is not None:
        product = db.session.get(Product, product_id)
        if product is None or not is_visible(product):
            raise NotFound()
        return product.merchant, product
    merchant = db.session.scalar(select(MerchantProfile).where(MerchantProfile.slug == (merchant_slug or "")))
    if merchant is None or not shop_is_open(merchant):
        raise NotFound()
    return merchant, None


def ask_merchant(buyer: User, merchant: MerchantProfile, product: Product | None, ask: Ask, language: str,
                 now: datetime) -> Inquiry:
    """A buyer's question to a merchant: a new thread, its first message, the merchant told by mail."""
    if not buyer.is_buyer:
        raise TradeRefused(_l("Only buyers can ask merchants for a quote."))
    check_ask(ask, now)
    inquiry = Inquiry(buyer_id=buyer.id, merchant_id=merchant.id, product_id=product.id if product else None,
                      status=S.OPEN, quantity=ask.quantity, target_price=ask.target_price,
                      target_currency=ask.target_currency, destination_state=ask.destination_state,
                      needed_by=ask.needed_by, merchant_unread=1, buyer_unread=0, last_activity_at=now,
                      created_at=now)
    db.session.add(inquiry)
    db.session.flush()
    db.session.add(InquiryMove(inquiry_id=inquiry.id, from_status=None, to_status=S.OPEN.value, actor_id=buyer.id,
                               at=now))
    _add_message(inquiry, buyer, ask.message, language, now)
    return inquiry


def _add_message(inquiry: Inquiry, author: User, body: str, language: str, now: datetime) -> InquiryMessage:
    message = InquiryMessage(author_id=author.id, body=body.strip(), language=language, created_at=now)
    inquiry.messages.append(message)
    db.session.flush()
    enqueue(MAIL_JOB, "message", message.id)
    return message


def write_message(author: User, inquiry: Inquiry, body: str, language: str, now: datetime) -> InquiryMessage:
    """One party writes in the thread, in their own language; the other is told by mail."""
    party = party_of(author, inquiry)
    if party is None:
        raise NotFound()
    check_message(body, "body")
    _touch(inquiry, "merchant" if party == "buyer" else "buyer", now)
    return _add_message(inquiry, author, body, language, now)


def quotable_products(merchant: MerchantProfile) -> list[Product]:
    """What a merchant can quote: its products buyers may see, by name."""
    products = db.session.scalars(select(Product).where(Product.merchant_id == merchant.id)
                                  .order_by(Product.name_id)).all()
    return [p for p in products if is_visible(p)]


def make_quote(merchant_user: User, inquiry: Inquiry, terms: QuoteTerms, language: str, now: datetime) -> Quote:
    """The merchant's formal offer; a quote still waiting is replaced. The buyer is told, and it expires on time."""
    if party_of(merchant_user, inquiry) != "merchant":
        raise NotFound()
    product = db.session.get(Product, terms.product_id)
    if product is None or product.merchant_id != inquiry.merchant_id or not is_visible(product):
        raise TradeRefused(_l("Choose one of your published products."), field="product_id")
    if not 0 < terms.unit_price_idr <= MAX_IDR_PRICE:
        raise TradeRefused(_l("A price can be at most Rp 1.000.000.000."), field="unit_price")
    if not 1 <= terms.quantity <= MAX_QUANTITY:
        raise TradeRefused(_l("Enter a number from %(min)d to %(max)d.", min=1, max=MAX_QUANTITY), field="quantity")
    if terms.quantity > product.stock:
        raise TradeRefused(_l("Only %(stock)d are in stock. Add stock to the product first, or quote fewer.",
                              stock=product.stock), field="quantity")
    check_future_date(terms.valid_until, now, MAX_VALID_DAYS, "valid_until")
    freight_idr, freight_days = None, None
    if terms.shipping_terms == ShippingTerms.SEA_FREIGHT:
        if terms.freight_idr is None or not 0 < terms.freight_idr <= MAX_IDR_PRICE:
            raise TradeRefused(_l("Enter the sea freight for the whole order, in rupiah."), field="freight")
        if terms.freight_days is None or not 1 <= terms.freight_days <= MAX_FREIGHT_DAYS:
            raise TradeRefused(_l("Enter the days by sea, from %(min)d to %(max)d.", min=1, max=MAX_FREIGHT_DAYS),
                               field="freight_days")
        freight_idr, freight_days = terms.freight_idr, terms.freight_days
    if terms.notes is not None and len(terms.notes) > MAX_NOTES:
        raise TradeRefused(_l("Use at most %(max)d characters.", max=MAX_NOTES), field="notes")
    previous = inquiry.current_quote
    if previous is not None and previous.status == QuoteStatus.ACCEPTED and live_order(previous) is not None:
        raise TradeRefused(_l("The buyer has ordered at your accepted quote; a new quote would not change that "
                              "order."))
    quote = Quote(author_id=merchant_user.id, product_id=product.id,
                  product_name_id=product.name_id, product_name_en=product.name_en,
                  unit_price_idr=terms.unit_price_idr, list_price_idr=product.unit_price_for(terms.quantity),
                  quantity=terms.quantity, valid_until=terms.valid_until, expires_at=expires_at(terms.valid_until),
                  shipping_terms=terms.shipping_terms, freight_idr=freight_idr, freight_days=freight_days,
                  notes=(terms.notes or "").strip() or None,
                  status=QuoteStatus.OFFERED, language=language, created_at=now)
    inquiry.quotes.append(quote)
    db.session.flush()
    _move(inquiry, S.QUOTED, merchant_user, now, quote)
    if previous is not None and previous.status in (QuoteStatus.OFFERED, QuoteStatus.ACCEPTED):
        # An accepted quote that was never ordered (or whose order ended unpaid) gives way to the new one too.
        previous.status = QuoteStatus.EXPIRED if is_expired(previous, now) else QuoteStatus.SUPERSEDED
        previous.decided_at = now
    _touch(inquiry, "buyer", now)
    db.session.flush()
    jobs_of().enqueue_at(quote.expires_at, EXPIRE_JOB, quote.id)
    enqueue(MAIL_JOB, "quote", quote.id)
    return quote


def _answerable(buyer: User, inquiry: Inquiry, quote_id: int, now: datetime) -> Quote:
    if party_of(buyer, inquiry) != "buyer":
        raise NotFound()
    quote = inquiry.current_quote
    if quote is None or quote.id != quote_id:
        raise TradeRefused(_l("This quote was replaced by a newer one. Read the newest quote."))
    if quote.status != QuoteStatus.OFFERED:
        raise InvalidMove(_l("This quote was answered already (%(status)s).", status=QUOTE_STATUS_NAMES[quote.status]))
    if is_expired(quote, now):
        raise InvalidMove(_l("This quote ran out at the end of %(date)s. Ask the merchant for a new one.",
                             date=format_day(quote.valid_until)))
    return quote


def accept_quote(buyer: User, inquiry: Inquiry, quote_id: int, now: datetime) -> Quote:
    """The buyer takes the quote: its price holds for their order, whatever the list says from now on."""
    quote = _answerable(buyer, inquiry, quote_id, now)
    if not buyer.is_buyer:
        raise TradeRefused(_l("Only a buyer account can order. Share the quote with the buyer who will order."))
    _move(inquiry, S.ACCEPTED, buyer, now, quote)
    quote.status, quote.decided_at = QuoteStatus.ACCEPTED, now
    _touch(inquiry, "merchant", now)
    enqueue(MAIL_JOB, "accepted", quote.id)
    return quote


def decline_quote(buyer: User, inquiry: Inquiry, quote_id: int, now: datetime) -> Quote:
    """The buyer says no to the quote; the merchant may send another."""
    quote = _answerable(buyer, inquiry, quote_id, now)
    _move(inquiry, S.DECLINED, buyer, now, quote)
    quote.status, quote.decided_at = QuoteStatus.DECLINED, now
    _touch(inquiry, "merchant", now)
    enqueue(MAIL_JOB, "declined", quote.id)
    return quote


def expire_quote(quote_id: int, now: datetime) -> bool:
    """At the end of its valid-until day a quote still waiting expires (both parties told); else nothing."""
    quote = db.session.get(Quote, quote_id)
    if quote is None or quote.status != QuoteStatus.OFFERED or not is_expired(quote, now):
        return False
    inquiry = db.session.scalar(select(Inquiry).where(Inquiry.id == quote.inquiry_id).with_for_update())
    if inquiry.current_quote is not quote or inquiry.status != S.QUOTED:
        return False
    _move(inquiry, S.EXPIRED, None, now, quote)
    quote.status, quote.decided_at = QuoteStatus.EXPIRED, now
    _touch(inquiry, "both", now)
    enqueue(MAIL_JOB, "expired", quote.id)
    return True


def expire_due(now: datetime) -> int:
    """Expire every quote past its time (the jobs do it one by one; this catches any they missed)."""
    ids = db.session.scalars(select(Quote.id).where(Quote.status == QuoteStatus.OFFERED, Quote.expires_at <= now))
    return sum(expire_quote(quote_id, now) for quote_id in list(ids))


def mark_seen(user: User, inquiry_id: int) -> bool:
    """The user opened the thread: nothing in it is unread for them any more. False if it is not theirs.

    One UPDATE that names the party, run first in the request: on SQLite a reading request may then write
    without upgrading a read lock, and someone else's inquiry is simply not matched.
    """
    done = db.session.execute(update(Inquiry).where(Inquiry.id == inquiry_id, Inquiry.buyer_id == user.id)
                              .values(buyer_unread=0).execution_options(synchronize_session=False)).rowcount
    if not done and user.merchant_profile is not None:
        done = db.session.execute(update(Inquiry).where(Inquiry.id == inquiry_id,
                                                        Inquiry.merchant_id == user.merchant_profile.id)
                                  .values(merchant_unread=0).execution_options(synchronize_session=False)).rowcount
    return bool(done)


def unread_count(user: User) -> int:
    """Messages and quotes the user has not read yet, over all their inquiries."""
    if user.merchant_profile is not None:
        column, owner = Inquiry.merchant_unread, Inquiry.merchant_id == user.merchant_profile.id
    else:
        column, owner = Inquiry.buyer_unread, Inquiry.buyer_id == user.id
    return db.session.scalar(select(func.coalesce(func.sum(column), 0)).where(owner)) or 0


def inquiries_of(user: User, limit: int = 200) -> list[Inquiry]:
    """The user's inquiries (as buyer or as merchant), the latest activity first."""
    if user.merchant_profile is not None:
        where = Inquiry.merchant_id == user.merchant_profile.id
    else:
        where = Inquiry.buyer_id == user.id
    return list(db.session.scalars(select(Inquiry).where(where).order_by(Inquiry.last_activity_at.desc(),
                                                                         Inquiry.id.desc()).limit(limit)
                                   .options(selectinload(Inquiry.quotes), selectinload(Inquiry.merchant),
                                            selectinload(Inquiry.buyer))))


def history(inquiry: Inquiry) -> list[InquiryMove]:
    return list(db.session.scalars(select(InquiryMove).where(InquiryMove.inquiry_id == inquiry.id)
                                   .order_by(InquiryMove.id)))


# Checking out an accepted quote: the quote becomes an order through the same checkout as a cart.

def _agreed_cart(quote: Quote) -> AgreedCart:
    """The quote as checkout reads it: its product at its price, and by sea its freight instead of a courier."""
    freight = {}
    if quote.shipping_terms == ShippingTerms.SEA_FREIGHT:
        freight[quote.inquiry.merchant_id] = AgreedFreight(quote.freight_idr, quote.freight_days,
                                                           f"Sea freight (quote {quote.id})")
    return AgreedCart({quote.product_id: quote.quantity},
                      {quote.product_id: AgreedPrice(quote.unit_price_idr, quote.id)}, freight)


def live_order(quote: Quote) -> Order | None:
    """The order placed for the quote, unless it ended unpaid (then the buyer may check out again)."""
    if quote.order_id is None:
        return None
    order = db.session.get(Order, quote.order_id)
    return order if order is not None and order.status in (OrderStatus.PENDING_PAYMENT, OrderStatus.PAID) else None


def orderable_quote(buyer: User, inquiry: Inquiry, now: datetime) -> Quote:
    """The accepted quote the buyer may check out now, or a refusal that says why not."""
    if party_of(buyer, inquiry) != "buyer":
        raise NotFound()
    quote = inquiry.current_quote
    if inquiry.status != S.ACCEPTED or quote is None or quote.status != QuoteStatus.ACCEPTED:
        raise TradeRefused(_l("Accept a quote first: only an accepted quote can be ordered."))
    order = live_order(quote)
    if order is not None:
        raise TradeRefused(_l("Order %(number)s was placed for this quote.", number=order.number))
    if is_expired(quote, now):
        raise TradeRefused(_l("This quote ran out at the end of %(date)s. Ask the merchant for a new one.",
                              date=format_day(quote.valid_until)))
    product = db.session.get(Product, quote.product_id) if quote.product_id else None
    if product is None or not is_visible(product):
        raise TradeRefused(_l("This product is no longer for sale. Ask the merchant what they can offer instead."))
    return quote


def quote_checkout_view(quote: Quote, state: str, rate: Rate | None, today: date) -> CartView:
    """The accepted quote as the checkout shows it: one parcel at the quoted price, delivered to the state."""
    return view_cart(_agreed_cart(quote), state, rate, today)


def check_out_quote(buyer: User, inquiry_id: int, address: checkout.Address, checkout_key: str,
                    payment_method: str, rates: dict[str, Rate], display_currency: str, locale: str, now: datetime,
                    hold_minutes: int) -> Order:
    """Place the order of an accepted quote at the quoted price; stock is taken as for any order.

    Sent again with the same checkout key, it returns the order already placed.
    """
    existing = checkout.find_checkout(buyer, checkout_key)
    if existing is not None:
        return existing
    inquiry = inquiry_for(buyer, inquiry_id, lock=True)  # two checkouts of one quote: the second waits, then sees
    quote = orderable_quote(buyer, inquiry, now)
    try:
        order = checkout.place_order(buyer, _agreed_cart(quote), address, checkout_key, payment_method, rates,
                                     display_currency, locale, now.date(), now, hold_minutes)
    except OutOfStock as error:
        raise TradeRefused(_l("The merchant has fewer than %(quantity)d in stock now. Write to them in the inquiry.",
                              quantity=quote.quantity)) from error
    quote.order_id = order.id
    _touch(inquiry, "merchant", now)
    return order
