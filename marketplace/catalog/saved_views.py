"""The buyer's saved products: the list, and the product page's Save button."""
from __future__ import annotations

from flask import Blueprint, Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, user_logged_in
from flask_wtf import FlaskForm
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from ..core.cache import CSRF_PLACEHOLDER, storing_whole_page
from ..core.errors import NotFound
from ..core.models import utcnow
from ..core.security import safe_next_url
from ..core.ui import add_navigation, keep_at_sign_in
from ..core.unit_of_work import unit_of_work
from ..extensions import login_manager
from . import pages, saved

bp = Blueprint("saved", __name__, url_prefix="/account/saved")

# A guest who pressed Save: the product is saved once they have signed in.
PENDING_KEY = "save_after_sign_in"


@bp.before_request
def buyers_only():
    """Buyers only; a guest pressing Save is sent to sign in, then back to the product, saved."""
    if not current_user.is_authenticated:
        product_id = (request.view_args or {}).get("product_id")
        if request.endpoint == "saved.save" and product_id:
            session[PENDING_KEY] = product_id
            flash(_("Sign in as a buyer to save products; we will keep this one for you."), "info")
            return redirect(url_for("accounts.login", next=url_for("catalog.product_page", product_id=product_id)))
        return login_manager.unauthorized()
    if not current_user.is_buyer:
        abort(403)
    return None


def _back(default: str) -> str:
    return safe_next_url(request.form.get("next")) or default


@bp.route("/")
def index():
    """The products the buyer has saved, while buyers may still see them."""
    products = saved.saved_products(current_user)
    return render_template("buyer/saved.html", products=products, cards=pages.card_prices(products),
                           form=FlaskForm(), language=str(get_locale() or "en"), today=utcnow().date())


@bp.route("/<id:product_id>", methods=["POST"])
def save(product_id: int):
    """Save a product to the buyer's list (again: nothing changes)."""
    form = FlaskForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
    else:
        with unit_of_work(capture=False):
            saved.save_product(current_user, product_id)
        flash(_("Saved. Find it under Saved products."), "success")
    return redirect(_back(url_for("catalog.product_page", product_id=product_id)))


@bp.route("/<id:product_id>/remove", methods=["POST"])
def remove(product_id: int):
    """Take a product off the buyer's list."""
    form = FlaskForm()
    if not form.validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
    else:
        with unit_of_work(capture=False):
            saved.remove_saved(current_user, product_id)
        flash(_("Removed from your saved products."), "success")
    return redirect(_back(url_for("saved.index")))


def save_form(product_id: int) -> Markup:
    """The product page's Save (or Saved, Remove) button for guests and buyers; nothing for anyone else."""
    if current_user.is_authenticated and not current_user.is_buyer:
        return Markup("")
    shared = storing_whole_page()
    is_saved = not shared and current_user.is_authenticated and saved.is_saved(current_user, product_id)
    here = request.full_path if request.query_string else request.path
    return Markup(render_template("catalog/_save_form.html", product_id=product_id, is_saved=is_saved,
                                  csrf=Markup(CSRF_PLACEHOLDER) if shared else generate_csrf(),
                                  here="" if shared else here))


def _save_pending(app, user) -> None:
    """A guest pressed Save before signing in: save it now (inside the sign-in's unit of work)."""
    product_id = session.pop(PENDING_KEY, None)
    if not isinstance(product_id, int) or not user.is_buyer:
        return
    try:
        saved.save_product(user, product_id)
    except NotFound:  # gone or hidden meanwhile: the sign-in still goes through
        return
    flash(_("Saved. Find it under Saved products."), "success")


def register(app: Flask) -> None:
    """The saved products' pages, their menu entry, the product page's button, the save kept across sign-in."""
    app.register_blueprint(bp)
    add_navigation(app, ("buyer",), "saved.index", _l("Saved"), 25)
    app.jinja_env.globals.update(save_form=save_form)
    keep_at_sign_in(app, PENDING_KEY)
    user_logged_in.connect(_save_pending, app)
