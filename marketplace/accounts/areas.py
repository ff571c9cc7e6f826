"""The merchant's and the buyer's own areas: dashboard, shop and address."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from ..core.auth import guard_blueprint
from ..core.forms import attach_refusal, status_for
from ..core.ui import add_navigation, dashboard_context
from ..core.unit_of_work import unit_of_work
from . import services, verification
from .forms import ABROAD, IN_MALAYSIA, BuyerDetailsForm, MerchantShopEditForm
from .models import Role
from .views import bp as accounts_bp
from .views import buyer_details

merchant_bp = Blueprint("merchant", __name__, url_prefix="/merchant")
guard_blueprint(merchant_bp, Role.MERCHANT)

buyer_bp = Blueprint("buyer", __name__, url_prefix="/buyer")
guard_blueprint(buyer_bp, Role.BUYER)


@merchant_bp.route("/")
def dashboard():
    """The merchant's home: verification status and what to do next."""
    return render_template("merchant/dashboard.html", profile=current_user.merchant_profile,
                           **dashboard_context("merchant", current_user))


@merchant_bp.route("/shop", methods=["GET", "POST"])
def shop():
    """The merchant edits its shop details."""
    profile = current_user.merchant_profile
    form = MerchantShopEditForm(
        obj=profile,
        owner_name=current_user.full_name,
        categories=profile.categories,
    )
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.update_merchant_shop(
                current_user,
                services.MerchantShop(
                    business_name=form.business_name.data, owner_name=form.owner_name.data,
                    whatsapp=form.whatsapp.data, address_line=form.address_line.data,
                    kecamatan=form.kecamatan.data, postcode=form.postcode.data,
                    categories=form.categories.data, npwp=form.npwp.data, story=form.story.data,
                ),
            )
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Your shop details have been saved."), "success")
            return redirect(url_for("merchant.dashboard"))
    return render_template("merchant/shop.html", form=form, profile=profile), status_for(form)


@buyer_bp.route("/profile", methods=["GET", "POST"])
def profile():
    """The buyer edits its name, company and delivery address."""
    buyer = current_user.buyer_profile
    in_malaysia = buyer.country == "MY"
    form = BuyerDetailsForm(obj=buyer, full_name=current_user.full_name, lives_in=IN_MALAYSIA if in_malaysia else ABROAD,
                            country="" if in_malaysia else buyer.country)
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.update_buyer_details(current_user, buyer_details(form))
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Your details have been saved."), "success")
            return redirect(url_for("buyer.profile"))
    return render_template("buyer/profile.html", form=form), status_for(form)


def register(app: Flask) -> None:
    """Sign-in and account pages, the merchant's and the buyer's areas, and their menu entries."""
    for blueprint in (accounts_bp, merchant_bp, buyer_bp):
        app.register_blueprint(blueprint)
    add_navigation(app, ("merchant",), "merchant.dashboard", _l("My shop"), 10)
    add_navigation(app, ("merchant",), "merchant.shop", _l("Shop details"), 30)
    add_navigation(app, ("buyer",), "buyer.profile", _l("Delivery address"), 30)
    add_navigation(app, ("merchant", "buyer", "officer", "admin"), "accounts.settings", _l("Account"), 100)
    # A review's or a suspension's reason, by its code, in the reader's language.
    app.jinja_env.globals.update(
        rejection_reason=lambda code: verification.REJECTION_REASONS.get(code, code or ""),
        suspension_reason=lambda code: verification.SUSPENSION_REASONS.get(code, code or ""),
        verification_status_name=lambda status: verification.STATUS_NAMES.get(status, status),
        key_data_names=lambda codes: ", ".join(str(verification.KEY_DATA.get(c.strip(), c.strip()))
                                               for c in (codes or "").split(",") if c.strip()),
    )
