"""Pages of trade: a buyer asks a merchant, both write in one thread, the merchant quotes, the buyer accepts
and orders at the quoted price; buying requests that verified merchants answer; the officers' list of them.

Only the two parties of an inquiry reach its pages: for anyone else (another buyer, another merchant, an
officer) it is not found.
"""
from __future__ import annotations

import secrets
from urllib.parse import quote as url_quote

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape

from ..accounts.models import Role
from ..catalog.models import Product
from ..checkout.forms import CheckoutForm
from ..checkout.views import begin_payment, fill_from_profile, hold_minutes
from ..core.auth import guard_blueprint
from ..core.errors import NotFound
from ..core.forms import attach_refusal, options, status_for
from ..core.models import utcnow
from ..core.places import state_choices
from ..core.security import allow_form_targets
from ..core.taxonomy import category_choices
from ..core.templating import format_day
from ..core.ui import add_navigation, add_placeholder
from ..core.unit_of_work import unit_of_work
from ..extensions import db
from ..orders.checkout import Address
from ..payments.providers import available_providers, page_origins
from ..rates.currency import request_rates, select_currency
from . import jobs as _jobs  # noqa: F401  the trade jobs are declared when imported
from . import requests as buying
from . import services
from .forms import AnswerForm, ButtonForm, InquiryForm, MessageForm, QuoteForm, RequestForm
from .models import InquiryStatus, QuoteStatus, ShippingTerms

bp = Blueprint("trade", __name__)
guard_blueprint(bp, Role.BUYER, Role.MERCHANT, Role.OFFICER, Role.ADMIN)
officer_bp = Blueprint("trade_officer", __name__, url_prefix="/officer/requests")
guard_blueprint(officer_bp, Role.OFFICER, Role.ADMIN)

UNREAD_PLACEHOLDER = "\x00trade-unread\x00"


def _only(*roles: Role) -> None:
    if current_user.role not in roles:
        abort(403)


def _language() -> str:
    return str(get_locale() or "id")


def _number(name: str) -> int | None:
    raw = request.args.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None


def whatsapp_link(number: str, shop: str, product: Product | None, language: str) -> str:
    """wa.me with a first message naming the product (or the shop), in the buyer's language."""
    if product is not None:
        link = url_for("catalog.product_page", product_id=product.id, _external=True)
        text = _("Hello %(shop)s, I found %(product)s on Serumpun and would like to ask about it: %(link)s",
                 shop=shop, product=product.name_for(language), link=link)
    else:
        text = _("Hello %(shop)s, I found your shop on Serumpun and would like to ask about your products.",
                 shop=shop)
    return f"https://wa.me/{number.lstrip('+')}?text={url_quote(text, safe='')}"


# Inquiries


@bp.route("/inquiries/")
def index():
    """The reader's inquiries, the latest activity first, with their status and what is unread."""
    inquiries = services.inquiries_of(current_user)
    now = utcnow()
    return render_template("trade/inquiries.html", inquiries=inquiries,
                           statuses={i.id: services.effective_status(i, now) for i in inquiries},
                           as_merchant=current_user.merchant_profile is not None)


@bp.route("/inquiries/new", methods=["GET", "POST"])
def ask():
    """A buyer asks a merchant about a product (or its range): quantity, target price, state, date, message."""
    _only(Role.BUYER)
    product_id, slug = _number("product"), request.args.get("merchant")
    merchant, product = services.inquiry_target(product_id, slug if product_id is None else None)
    form = InquiryForm()
    form.destination_state.choices = options([("", _("Choose a state")), *state_choices()])
    if request.method == "GET":
        profile = current_user.buyer_profile
        if profile is not None and profile.state:
            form.destination_state.data = profile.state
        if product is not None:
            form.quantity.data = product.moq
    elif form.validate_on_submit():
        ask_data = services.Ask(form.quantity.data, form.minor_target, form.target_currency.data,
                                form.destination_state.data, form.needed_by.data, form.message.data)
        with unit_of_work() as work:
            inquiry = services.ask_merchant(current_user, merchant, product, ask_data, _language(), utcnow())
            inquiry_id = inquiry.id
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Your inquiry is sent to %(shop)s. You will get a mail when they answer.",
                    shop=merchant.business_name), "success")
            return redirect(url_for("trade.thread", inquiry_id=inquiry_id))
    return render_template("trade/ask.html", form=form, merchant=merchant, product=product,
                           language=_language(),
                           whatsapp=whatsapp_link(merchant.whatsapp, merchant.business_name, product, _language())), \
        status_for(form)


def _thread_page(inquiry_id: int, message_form: MessageForm | None = None, quote_form: QuoteForm | None = None,
                 status: int = 200):
    inquiry = services.inquiry_for(current_user, inquiry_id)
    party = services.party_of(current_user, inquiry)
    now = utcnow()
    quote = inquiry.current_quote
    if party == "merchant" and quote_form is None:
        quote_form = _quote_form(inquiry, formdata=None)
    product = db.session.get(Product, inquiry.product_id) if inquiry.product_id else None
    entries = sorted([("message", m.created_at, m) for m in inquiry.messages]
                     + [("quote", q.created_at, q) for q in inquiry.quotes], key=lambda e: (e[1], e[0] == "quote"))
    order = services.live_order(quote) if quote is not None else None
    return render_template(
        "trade/thread.html", inquiry=inquiry, party=party, status=services.effective_status(inquiry, now),
        quote=quote, quote_expired=quote is not None and services.is_expired(quote, now), entries=entries,
        product=product, order=order, message_form=message_form or MessageForm(), quote_form=quote_form,
        answer_form=AnswerForm(), moves=services.history(inquiry), language=_language(),
        whatsapp=whatsapp_link(inquiry.merchant.whatsapp, inquiry.merchant.business_name, product, _language())
        if party == "buyer" else None), status


@bp.route("/inquiries/<id:inquiry_id>")
def thread(inquiry_id: int):
    """One inquiry: the facts asked, the quote and its answer, every message in the language it was written."""
    with unit_of_work():
        seen = services.mark_seen(current_user, inquiry_id)  # first: a write before any read (see the service)
    if not seen:
        raise NotFound()
    return _thread_page(inquiry_id)


@bp.route("/inquiries/<id:inquiry_id>/messages", methods=["POST"])
def write(inquiry_id: int):
    """One party writes in the thread."""
    form = MessageForm()
    if not form.validate_on_submit():
        services.inquiry_for(current_user, inquiry_id)  # someone else's: not found, whatever they sent
        return _thread_page(inquiry_id, message_form=form, status=400)
    with unit_of_work() as work:
        inquiry = services.inquiry_for(current_user, inquiry_id, lock=True)
        services.write_message(current_user, inquiry, form.body.data, _language(), utcnow())
    if work.refused:
        attach_refusal(form, work.refused)
        return _thread_page(inquiry_id, message_form=form, status=400)
    flash(_("Message sent."), "success")
    return redirect(url_for("trade.thread", inquiry_id=inquiry_id, _anchor="write"))


def _quote_form(inquiry, formdata):
    form = QuoteForm(formdata=formdata) if formdata is not None else QuoteForm(formdata=None)
    products = services.quotable_products(inquiry.merchant)
    form.product_id.choices = options([("", _("Choose a product")),
                                       *[(str(p.id), f"{p.name_for(_language())} ({p.sku})") for p in products]])
    if formdata is None:
        if inquiry.product_id and any(p.id == inquiry.product_id for p in products):
            form.product_id.data = str(inquiry.product_id)
        form.quantity.data = inquiry.quantity
        form.shipping_terms.data = ShippingTerms.COURIER.value
    return form


@bp.route("/inquiries/<id:inquiry_id>/quotes", methods=["POST"])
def make_quote(inquiry_id: int):
    """The merchant sends a formal quote (a newer one replaces one still waiting)."""
    _only(Role.MERCHANT)
    inquiry = services.inquiry_for(current_user, inquiry_id)
    form = _quote_form(inquiry, request.form)
    if not form.validate_on_submit():
        return _thread_page(inquiry_id, quote_form=form, status=400)
    by_sea = form.shipping_terms.data == ShippingTerms.SEA_FREIGHT.value
    terms = services.QuoteTerms(int(form.product_id.data), form.unit_price.rupiah, form.quantity.data,
                                form.valid_until.data, ShippingTerms(form.shipping_terms.data), form.notes.data or None,
                                form.freight.rupiah if by_sea else None, form.freight_days.data if by_sea else None)
    with unit_of_work() as work:
        inquiry = services.inquiry_for(current_user, inquiry_id, lock=True)
        services.make_quote(current_user, inquiry, terms, _language(), utcnow())
    if work.refused:
        attach_refusal(form, work.refused)
        return _thread_page(inquiry_id, quote_form=form, status=400)
    flash(_("Quote sent. The buyer gets a mail."), "success")
    return redirect(url_for("trade.thread", inquiry_id=inquiry_id))


def _answer(inquiry_id: int, answer, done_message: str):
    form = AnswerForm()
    if not form.validate_on_submit() or not (form.quote_id.data.isascii() and form.quote_id.data.isdigit()):
        flash(_("Your form expired. Please send it again."), "error")
        return redirect(url_for("trade.thread", inquiry_id=inquiry_id))
    with unit_of_work() as work:
        inquiry = services.inquiry_for(current_user, inquiry_id, lock=True)
        answer(current_user, inquiry, int(form.quote_id.data), utcnow())
    if work.refused:
        flash(str(work.refused.message), "error")
        return redirect(url_for("trade.thread", inquiry_id=inquiry_id))
    flash(done_message, "success")
    return None


@bp.route("/inquiries/<id:inquiry_id>/accept", methods=["POST"])
def accept(inquiry_id: int):
    """The buyer accepts the quote, then checks it out at the quoted price."""
    _only(Role.BUYER)
    refused = _answer(inquiry_id, services.accept_quote,
                      _("Quote accepted. Its price holds for your order: choose where it goes and how you pay."))
    return refused or redirect(url_for("trade.checkout", inquiry_id=inquiry_id))


@bp.route("/inquiries/<id:inquiry_id>/decline", methods=["POST"])
def decline(inquiry_id: int):
    """The buyer declines the quote; the merchant may send another."""
    _only(Role.BUYER)
    refused = _answer(inquiry_id, services.decline_quote, _("Quote declined. The merchant is told."))
    return refused or redirect(url_for("trade.thread", inquiry_id=inquiry_id))


@bp.route("/inquiries/<id:inquiry_id>/checkout", methods=["GET", "POST"])
def checkout(inquiry_id: int):
    """The order of an accepted quote at the quoted price: the address and the way to pay, as at any checkout."""
    _only(Role.BUYER)
    allow_form_targets(*page_origins(current_app))
    inquiry = services.inquiry_for(current_user, inquiry_id)
    now = utcnow()
    form = CheckoutForm()
    form.state.choices = options([("", _("Choose a state")), *state_choices()])
    providers = available_providers(current_app)
    form.payment_method.choices = [(p.name, str(p.label)) for p in providers]
    if request.method == "GET":
        with unit_of_work() as work:
            services.orderable_quote(current_user, inquiry, now)
        if work.refused:
            flash(str(work.refused.message), "error")
            return redirect(url_for("trade.thread", inquiry_id=inquiry_id))
        fill_from_profile(form)
        form.state.data = form.state.data or inquiry.destination_state
        form.payment_method.data = providers[0].name
        form.checkout_key.data = secrets.token_urlsafe(24)
    elif form.validate_on_submit():
        address = Address(form.name.data, form.phone.data, form.line1.data, form.line2.data or None,
                          form.city.data, form.postcode.data, form.state.data)
        with unit_of_work() as work:
            order = services.check_out_quote(
                current_user, inquiry_id, address, form.checkout_key.data, form.payment_method.data,
                request_rates(), select_currency(), _language(), utcnow(), hold_minutes(form.payment_method.data))
            number = order.number
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            return begin_payment(number)
    quote = inquiry.current_quote
    state = form.state.data if form.state.data in dict(state_choices()) else inquiry.destination_state
    view = services.quote_checkout_view(quote, state, request_rates().get("MYR"), now.date()) \
        if quote is not None and quote.product_id else None
    if view is None:
        raise NotFound()
    return render_template("checkout/checkout.html", form=form, view=view, state_chosen=True,
                           holds={p.name: hold_minutes(p.name) for p in providers},
                           back_link=(url_for("trade.thread", inquiry_id=inquiry_id), _("Back to the inquiry")),
                           agreed_note=_("Quoted price from %(shop)s, valid until %(date)s.",
                                         shop=inquiry.merchant.business_name, date=format_day(quote.valid_until))), \
        200 if request.method == "GET" or not form.errors else 400


# Buying requests


@bp.route("/requests/")
def requests():
    """Buyers and officers: their own requests. Merchants: the open requests in their categories."""
    merchant = current_user.merchant_profile
    today = services.bandung_today(utcnow())
    if merchant is not None:
        return render_template("trade/requests_merchant.html", rows=buying.requests_for_merchant(merchant, today),
                               may_answer=buying.may_answer(merchant))
    return render_template("trade/requests_mine.html", rows=buying.own_requests(current_user))


@bp.route("/requests/new", methods=["GET", "POST"])
def new_request():
    """A buyer (or an officer) posts what they look for."""
    _only(Role.BUYER, Role.OFFICER, Role.ADMIN)
    form = RequestForm()
    form.category.choices = options([("", _("Choose a category")), *category_choices()])
    form.destination_state.choices = options([("", _("Choose a state")), *state_choices()])
    if request.method == "GET":
        profile = current_user.buyer_profile
        if profile is not None and profile.state:
            form.destination_state.data = profile.state
    elif form.validate_on_submit():
        data = buying.RequestData(form.title.data, form.details.data or None, form.category.data, form.quantity.data,
                                  form.minor_target, form.target_currency.data, form.destination_state.data,
                                  form.deadline.data)
        with unit_of_work() as work:
            posted = buying.post_request(current_user, data, utcnow())
            request_id = posted.id
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Your buying request is posted. Merchants of the category can answer it."), "success")
            return redirect(url_for("trade.request_page", request_id=request_id))
    return render_template("trade/request_form.html", form=form), status_for(form)


@bp.route("/requests/<id:request_id>")
def request_page(request_id: int):
    """A request: its author sees who answered; a merchant it is meant for answers it here."""
    today = services.bandung_today(utcnow())
    posted = buying.request_for(current_user, request_id, today)
    merchant = current_user.merchant_profile
    mine = next((i for i in posted.inquiries if merchant is not None and i.merchant_id == merchant.id), None)
    return render_template("trade/request.html", posted=posted, form=MessageForm(), mine=mine,
                           is_author=posted.author_id == current_user.id, close_form=ButtonForm())


@bp.route("/requests/<id:request_id>/answer", methods=["POST"])
def answer_request(request_id: int):
    """A merchant answers a request in a thread with its author."""
    _only(Role.MERCHANT)
    form = MessageForm()
    today = services.bandung_today(utcnow())
    posted = buying.request_for(current_user, request_id, today)
    if form.validate_on_submit():
        with unit_of_work() as work:
            inquiry = buying.answer_request(current_user, request_id, form.body.data, _language(), utcnow())
            inquiry_id = inquiry.id
        if not work.refused:
            flash(_("Your answer is sent. Continue in the thread, and send a quote when you are ready."), "success")
            return redirect(url_for("trade.thread", inquiry_id=inquiry_id))
        attach_refusal(form, work.refused)
    return render_template("trade/request.html", posted=posted, form=form, mine=None, is_author=False,
                           close_form=ButtonForm()), 400


@bp.route("/requests/<id:request_id>/close", methods=["POST"])
def close_request(request_id: int):
    """The author takes a request down."""
    if ButtonForm().validate_on_submit():
        with unit_of_work(capture=False):
            buying.close_request(current_user, request_id, utcnow())
        flash(_("The request is closed: merchants no longer see it."), "success")
    return redirect(url_for("trade.request_page", request_id=request_id))


@officer_bp.route("/", endpoint="index")
def officer_index():
    """Every buying request, those no merchant answered first."""
    unanswered = request.args.get("unanswered") == "1"
    return render_template("trade/requests_officer.html", rows=buying.all_requests(unanswered),
                           unanswered=unanswered, today=services.bandung_today(utcnow()))


# The header's unread count and the product page's "ask for a quote" box.


class UnreadLabel:
    """A menu label with the reader's unread count after it, filled in per request (the header is shared)."""

    def __init__(self, text):
        self.text = text

    def __str__(self) -> str:
        return str(self.text)

    def __html__(self) -> str:
        return f'{escape(str(self.text))} <span class="nav-count">{UNREAD_PLACEHOLDER}</span>'


def _unread() -> str:
    """The reader's unread messages and quotes, for the menu: empty when there are none."""
    if not current_user.is_authenticated or current_user.role not in (Role.BUYER, Role.MERCHANT):
        return ""
    count = services.unread_count(current_user)
    return str(Markup('{}<span class="visually-hidden"> {}</span>').format(count, _("unread"))) if count else ""


def inquiry_box(product_id: int | None = None, merchant_slug: str | None = None) -> Markup:
    """Ask the merchant for a quote, or chat on WhatsApp: for buyers and for readers not signed in.

    Readers not signed in get the same box for everyone (the page may be cached): a way to sign in and ask,
    and no phone number. A signed-in buyer gets the merchant's WhatsApp number with a first message.
    """
    if current_user.is_authenticated and not current_user.is_buyer:
        return Markup("")
    ask_url = url_for("trade.ask", product=product_id) if product_id else url_for("trade.ask", merchant=merchant_slug)
    whatsapp = None
    if current_user.is_authenticated:
        try:
            merchant, product = services.inquiry_target(product_id, merchant_slug)
        except NotFound:
            return Markup("")
        whatsapp = (merchant.whatsapp, whatsapp_link(merchant.whatsapp, merchant.business_name, product, _language()))
    return Markup(render_template("trade/_ask_box.html", ask_url=ask_url, whatsapp=whatsapp))


def register(app: Flask) -> None:
    """The trade pages, their menu entries with the unread count, and the product page's box."""
    app.register_blueprint(bp)
    app.register_blueprint(officer_bp)
    label = UnreadLabel(_l("Inquiries"))
    add_navigation(app, ("buyer",), "trade.index", label, 42)
    add_navigation(app, ("buyer",), "trade.requests", _l("Buying requests"), 44)
    add_navigation(app, ("merchant",), "trade.index", label, 26)
    add_navigation(app, ("merchant",), "trade.requests", _l("Buying requests"), 27)
    add_navigation(app, ("officer", "admin"), "trade_officer.index", _l("Buying requests"), 75)
    add_placeholder(app, UNREAD_PLACEHOLDER, _unread)
    app.jinja_env.globals.update(
        inquiry_box=inquiry_box, inquiry_status_names=services.STATUS_NAMES,
        quote_status_names=services.QUOTE_STATUS_NAMES, terms_names=services.TERMS_NAMES,
        InquiryStatus=InquiryStatus, QuoteStatus=QuoteStatus)
