"""The cart's pages: what a guest or a buyer means to buy, as parcels per merchant, delivered."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, user_logged_in
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..catalog.pages import buyer_state
from ..core.cache import CSRF_PLACEHOLDER, NEXT_PLACEHOLDER, storing_whole_page
from ..core.models import utcnow
from ..core.places import MALAYSIAN_STATES, state_choices
from ..core.security import safe_next_url
from ..core.ui import add_placeholder, keep_at_sign_in
from ..core.unit_of_work import unit_of_work
from ..extensions import limiter
from ..rates.currency import request_rates, select_currency
from ..shipping.delivered import delivery_state
from . import cart as carts
from . import merchant_views
from .lifecycle import ORDER_STATUS_NAMES, PARCEL_STATUS_NAMES

bp = Blueprint("cart", __name__, url_prefix="/cart")
SESSION_KEY = "cart"
COUNT_PLACEHOLDER = "\x00cart-count\x00"


def current_cart(create: bool = False) -> carts.Cart | None:
    """A buyer's cart in the database, a guest's in the session; merchants, officers and admins have none.

    A guest's cart is put in the session only when something is added (create), not by reading it.
    """
    if current_user.is_authenticated:
        return carts.DatabaseCart(current_user) if current_user.is_buyer else None
    data = session.get(SESSION_KEY)
    if data is None:
        data = {}
        if create:
            session[SESSION_KEY] = data
    return carts.SessionCart(data)


def _back(default: str) -> str:
    return safe_next_url(request.form.get("next")) or default


def _form_id(name: str) -> int:
    """An id posted by a cart form; anything else is 0, which no row has (the service then refuses)."""
    raw = request.form.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 10 else 0


def _change(action, done_message, back_to: str, create: bool = False):
    """Run one cart change in a unit of work; a refusal is flashed and nothing changes."""
    cart = current_cart(create)
    if cart is None:
        flash(_("Only buyers can buy. Sign in with a buyer account to use the cart."), "error")
        return redirect(back_to)
    if not FlaskForm().validate_on_submit():
        flash(_("Your form expired. Please send it again."), "error")
        return redirect(back_to)
    with unit_of_work() as work:
        result = action(cart)
    if isinstance(cart, carts.SessionCart):
        session.modified = True
    if work.refused:
        flash(str(work.refused.message), "error")
    else:
        flash(done_message(result), "success")
    return redirect(back_to)


@bp.route("/")
def show():
    """The cart: parcels per merchant with their courier and landed cost, delivered to the buyer's state."""
    cart = current_cart()
    state = delivery_state(request.args.get("state"), buyer_state())
    rates = request_rates()
    view = carts.view_cart(cart, state, rates.get("MYR"), utcnow().date()) if cart is not None else None
    totals = view.shown_in(select_currency(), rates) if view is not None else None
    return render_template("orders/cart.html", view=view, totals=totals, state=state, states=state_choices(),
                           form=FlaskForm(), state_name=MALAYSIAN_STATES[state].name)


@bp.route("/add", methods=["POST"])
@limiter.limit("60 per minute")
def add():
    """Add units of a product, from its page."""
    product_id = _form_id("product_id")
    back = _back(url_for("cart.show"))
    return _change(lambda cart: carts.add_to_cart(cart, product_id, request.form.get("quantity", "")),
                   lambda quantity: _("In your cart: %(n)d.", n=quantity), back, create=True)


@bp.route("/update", methods=["POST"])
def update():
    """Change a line's quantity."""
    product_id = _form_id("product_id")
    return _change(lambda cart: carts.set_quantity(cart, product_id, request.form.get("quantity", "")),
                   lambda quantity: _("Quantity changed to %(n)d.", n=quantity), _back(url_for("cart.show")))


@bp.route("/remove", methods=["POST"])
def remove():
    """Take a line out of the cart."""
    product_id = _form_id("product_id")
    return _change(lambda cart: carts.remove_from_cart(cart, product_id),
                   lambda _result: _("Removed from your cart."), _back(url_for("cart.show")))


@bp.route("/courier", methods=["POST"])
def courier():
    """Ship one merchant's parcel with another service."""
    merchant_id = _form_id("merchant_id")
    state = delivery_state(request.form.get("state"), buyer_state())
    return _change(lambda cart: carts.choose_courier(cart, merchant_id, request.form.get("service", ""), state),
                   lambda _result: _("Courier changed."), url_for("cart.show", state=state))


def _count() -> str:
    """The header's cart count: empty when there is nothing (or no cart)."""
    cart = current_cart()
    count = carts.cart_count(cart) if cart is not None else 0
    return str(count) if count else ""


def cart_link() -> Markup:
    """The header's way to the cart, for guests and buyers, with a count filled in per request."""
    if current_user.is_authenticated and not current_user.is_buyer:
        return Markup("")
    return Markup(render_template("orders/_cart_link.html", count_placeholder=Markup(COUNT_PLACEHOLDER)))


def buy_form(product_id: int, quantity: int) -> Markup:
    """The product page's "add to cart" form; in a page cached for everyone, the token and address go in later."""
    if current_user.is_authenticated and not current_user.is_buyer:
        return Markup("")
    shared = storing_whole_page()
    here = request.full_path if request.query_string else request.path
    return Markup(render_template("orders/_buy_form.html", product_id=product_id, quantity=quantity,
                                  csrf=Markup(CSRF_PLACEHOLDER) if shared else generate_csrf(),
                                  here=Markup(NEXT_PLACEHOLDER) if shared else here))


def _merge_at_sign_in(app, user) -> None:
    """A guest's cart joins the buyer's when they sign in (inside the sign-in's unit of work)."""
    guest = session.pop(SESSION_KEY, None)
    if not guest or not user.is_buyer:
        return
    for product in carts.merge_carts(carts.SessionCart(guest), carts.DatabaseCart(user)):
        flash(_("%(name)s: your cart already had some; we kept the quantity that is in stock.",
                name=product.name_for(str(user.locale or "en"))), "info")


def register(app: Flask) -> None:
    """The cart's pages, its count in the header, the guest cart carried into a sign-in; the merchant's orders."""
    app.register_blueprint(bp)
    merchant_views.register(app)
    add_placeholder(app, COUNT_PLACEHOLDER, _count)
    app.jinja_env.globals.update(cart_link=cart_link, buy_form=buy_form, order_status_names=ORDER_STATUS_NAMES,
                                 parcel_status_names=PARCEL_STATUS_NAMES)
    keep_at_sign_in(app, SESSION_KEY)
    user_logged_in.connect(_merge_at_sign_in, app)
