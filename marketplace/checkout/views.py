"""Checkout and the buyer's orders: from cart to order, paying, following each parcel to the door."""
from __future__ import annotations

import secrets

from flask import Blueprint, Flask, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.errors import NotFound
from ..core.forms import attach_refusal, options
from ..core.models import utcnow
from ..core.places import state_choices
from ..core.security import allow_form_targets
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from ..orders import cart as carts
from ..orders import checkout, lifecycle, queries
from ..orders import jobs as _order_jobs  # noqa: F401  the orders' jobs are declared when imported
from ..orders.models import OrderStatus
from ..payments import services as payments
from ..payments.providers import available_providers, page_origins
from ..payments.providers import bank_transfer as _bank_transfer  # noqa: F401  registers the provider
from ..payments.providers import stripe as _stripe  # noqa: F401  registers the provider (offered with its keys)
from ..rates.currency import request_rates, select_currency
from .forms import CancelForm, CheckoutForm, RefundRequestForm

bp = Blueprint("checkout", __name__)
guard_blueprint(bp, Role.BUYER)


def fill_from_profile(form: CheckoutForm) -> None:
    """The address of the buyer's last order, or what their profile knows (name, phone, city, state)."""
    last = queries.last_address(current_user)
    if last is not None:
        for name in ("name", "phone", "line1", "line2", "city", "postcode", "state"):
            getattr(form, name).data = getattr(last, name)
        return
    profile = current_user.buyer_profile
    form.name.data = current_user.full_name
    if profile is not None and profile.country == "MY":
        form.phone.data, form.city.data = profile.phone, profile.city
        form.postcode.data, form.state.data = profile.postcode, profile.state


@bp.route("/checkout", methods=["GET", "POST"])
def start():
    """The delivery address, the way to pay, and the order as it will be placed."""
    allow_form_targets(*page_origins(current_app))  # "Place order" may answer with the provider's page
    form = CheckoutForm()
    form.state.choices = options([("", _("Choose a state")), *state_choices()])
    providers = available_providers(current_app)
    form.payment_method.choices = [(p.name, str(p.label)) for p in providers]
    cart = carts.DatabaseCart(current_user)
    if request.method == "GET":
        fill_from_profile(form)
        form.payment_method.data = providers[0].name
        form.checkout_key.data = secrets.token_urlsafe(24)
    elif form.validate_on_submit():
        address = checkout.Address(form.name.data, form.phone.data, form.line1.data, form.line2.data or None,
                                   form.city.data, form.postcode.data, form.state.data)
        with unit_of_work() as work:
            order = checkout.place_order(
                current_user, cart, address, form.checkout_key.data, form.payment_method.data, request_rates(),
                select_currency(), str(get_locale()), utcnow().date(), utcnow(),
                hold_minutes(form.payment_method.data))
            number = order.number
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            return begin_payment(number)
    state = form.state.data if form.state.data in dict(state_choices()) else None
    view = carts.view_cart(cart, state or "MY-10", request_rates().get("MYR"), utcnow().date())
    return render_template("checkout/checkout.html", form=form, view=view, state_chosen=state is not None,
                           holds={p.name: hold_minutes(p.name) for p in providers}), \
        200 if request.method == "GET" or not form.errors else 400


def hold_minutes(method: str) -> int:
    """How long a new order's stock is held for its payment: a card pays at once, a bank transfer takes hours."""
    config = current_app.config
    return config["BANK_TRANSFER_HOLD_HOURS"] * 60 if method == "bank_transfer" else config["ORDER_HOLD_MINUTES"]


def begin_payment(number: str):
    """Begin the payment of a placed order (again, if the buyer comes back): Stripe's page or our order page."""
    with unit_of_work() as work:
        order = queries.buyer_order(current_user, number, lock=True)  # a double click waits, then reuses
        started = None
        if order.status == OrderStatus.PENDING_PAYMENT:
            started = payments.start_payment(
                order, order.payment_method, current_app,
                url_for("checkout.order_page", number=number, returned=1, _external=True),
                url_for("checkout.order_page", number=number, _external=True))
    if work.refused:
        flash(str(work.refused.message), "error")
    elif started is not None and started.redirect_url:
        return redirect(started.redirect_url, 303)
    return redirect(url_for("checkout.order_page", number=number), 303)


@bp.route("/orders/")
def orders():
    """The buyer's orders, newest first."""
    return render_template("checkout/orders.html", orders=queries.buyer_orders(current_user))


@bp.route("/orders/<number>")
def order_page(number: str):
    """One order: how to pay it while it waits, then each parcel's way to the door."""
    order = queries.buyer_order(current_user, number)
    if order.status == OrderStatus.PENDING_PAYMENT:
        allow_form_targets(*page_origins(current_app))  # "Pay now" answers with the provider's page
    moves = lifecycle.history("parcel", [p.id for p in order.parcels])
    order_moves = lifecycle.history("order", [order.id])[order.id]
    return render_template("checkout/order.html", order=order, moves=moves, order_moves=order_moves,
                           payments=payments.payments_of(order), form=CancelForm(), refund_form=RefundRequestForm(),
                           returned=request.args.get("returned") == "1",
                           bank={k: current_app.config[k] for k in ("BANK_NAME", "BANK_ACCOUNT_NAME",
                                                                      "BANK_ACCOUNT_NUMBER")})


@bp.route("/orders/<number>/pay", methods=["POST"])
def pay(number: str):
    """Go (back) to the payment of an order still waiting for it."""
    if not CancelForm().validate_on_submit():
        flash(_("Your form expired. Please send it again."), "error")
        return redirect(url_for("checkout.order_page", number=number))
    return begin_payment(number)


@bp.route("/orders/<number>/cancel", methods=["POST"])
def cancel(number: str):
    """The buyer cancels an order they have not paid: its stock goes back on sale."""
    if not CancelForm().validate_on_submit():
        flash(_("Your form expired. Please send it again."), "error")
        return redirect(url_for("checkout.order_page", number=number))
    with unit_of_work() as work:
        order = queries.buyer_order(current_user, number, lock=True)
        lifecycle.cancel_unpaid(order, current_user, "cancelled by the buyer")
    if not work.refused:
        with unit_of_work():
            payments.close_payment_pages(number, current_app)
    flash(str(work.refused.message) if work.refused else _("Order %(number)s is cancelled.", number=number),
          "error" if work.refused else "success")
    return redirect(url_for("checkout.order_page", number=number))


@bp.route("/orders/<number>/parcels/<parcel_number>/received", methods=["POST"])
def received(number: str, parcel_number: str):
    """The buyer says a shipped parcel arrived."""
    if not CancelForm().validate_on_submit():
        flash(_("Your form expired. Please send it again."), "error")
        return redirect(url_for("checkout.order_page", number=number))
    with unit_of_work() as work:
        order = queries.buyer_order(current_user, number)
        parcel = next((p for p in order.parcels if p.number == parcel_number), None)
        if parcel is None:
            raise NotFound()
        lifecycle.mark_delivered(current_user, parcel)
    flash(str(work.refused.message) if work.refused else _("Thank you: parcel %(number)s is delivered.",
                                                           number=parcel_number),
          "error" if work.refused else "success")
    return redirect(url_for("checkout.order_page", number=number))


@bp.route("/orders/<number>/parcels/<parcel_number>/refund", methods=["POST"])
def ask_refund(number: str, parcel_number: str):
    """The buyer asks for a shipped parcel's money back, saying why; staff decide and send it."""
    form = RefundRequestForm()
    if not form.validate_on_submit():
        flash(_("Say what went wrong, in at most 500 characters."), "error")
        return redirect(url_for("checkout.order_page", number=number))
    with unit_of_work() as work:
        order = queries.buyer_order(current_user, number)
        parcel = next((p for p in order.parcels if p.number == parcel_number), None)
        if parcel is None:
            raise NotFound()
        lifecycle.request_refund(current_user, parcel, form.reason.data)
    flash(str(work.refused.message) if work.refused else _("Your refund request for %(number)s is sent.",
                                                           number=parcel_number),
          "error" if work.refused else "success")
    return redirect(url_for("checkout.order_page", number=number))


def register(app: Flask) -> None:
    """Checkout, the buyer's orders, and the buyer's menu entry for them."""
    app.register_blueprint(bp)
    add_navigation(app, ("buyer",), "checkout.orders", _l("Orders"), 40)
