"""Staff's payments desk: orders waiting for a bank transfer, recording one, and money that was flagged."""
from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import select

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import attach_refusal
from ..core.models import utcnow
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from ..extensions import db
from ..orders.models import Order, OrderStatus
from .forms import RefundForm, TransferForm
from .models import PaymentStatus
from .services import (
    PAYMENT_STATUS_NAMES,
    flagged_payments,
    record_parcel_refund,
    record_transfer,
    refund_flagged,
    refunds_due,
)
from .webhooks import bp as webhooks_bp

bp = Blueprint("payments", __name__, url_prefix="/officer/payments")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)


def _waiting() -> list[Order]:
    return list(db.session.scalars(select(Order).where(Order.status == OrderStatus.PENDING_PAYMENT,
                                                       Order.payment_method == "bank_transfer")
                                   .order_by(Order.hold_expires_at)))


def _recently_ended() -> list[Order]:
    """Bank-transfer orders that ended unpaid in the last week: money that arrives for them is flagged here."""
    since = utcnow() - timedelta(days=7)
    return list(db.session.scalars(select(Order).where(
        Order.status.in_([OrderStatus.EXPIRED, OrderStatus.CANCELLED]), Order.payment_method == "bank_transfer",
        Order.updated_at >= since).order_by(Order.updated_at.desc()).limit(50)))


def _page(forms: dict[str, TransferForm] | None = None, status: int = 200):
    forms = forms or {}
    waiting, ended = _waiting(), _recently_ended()
    for order in [*waiting, *ended]:
        if order.number not in forms:
            form = TransferForm(prefix=order.number, formdata=None)
            form.received_on.data = utcnow().date()
            forms[order.number] = form
    return render_template("officer/payments.html", waiting=waiting, ended=ended, forms=forms,
                           flagged=flagged_payments(),
                           refunds=refunds_due(), refund_form=RefundForm(), payment_status_names=PAYMENT_STATUS_NAMES), \
        status


@bp.route("/")
def index():
    """Orders waiting for a bank transfer, oldest hold first, and payments flagged for a refund or a look."""
    return _page()


@bp.route("/<number>/transfer", methods=["POST"])
def record(number: str):
    """Record a transfer seen in the bank account: the order is paid only if the amount is exactly right."""
    form = TransferForm(prefix=number)
    if not form.validate_on_submit():
        return _page({number: form}, 400)
    with unit_of_work() as work:
        payment = record_transfer(current_user, number, form.amount.data, form.received_on.data,
                                  form.bank_reference.data)
        status, reason = payment.status, payment.flag_reason
    if work.refused:
        attach_refusal(form, work.refused)
        return _page({number: form}, 400)
    if status == PaymentStatus.SUCCEEDED:
        flash(_("Order %(number)s is paid. Its merchants can pack.", number=number), "success")
    else:
        flash(_("The transfer for %(number)s was recorded but not counted: %(reason)s. It is flagged below for a "
                "refund or a second transfer.", number=number, reason=reason), "error")
    return redirect(url_for("payments.index"))


@bp.route("/refunds/<parcel_number>", methods=["POST"])
def parcel_refunded(parcel_number: str):
    """Record that a parcel's money went back to the buyer."""
    return _refund(lambda reference: record_parcel_refund(current_user, parcel_number, reference),
                   _("Refund for %(number)s recorded.", number=parcel_number))


@bp.route("/flagged/<int:payment_id>/refunded", methods=["POST"])
def flagged_refunded(payment_id: int):
    """Record that money which could not count went back to the buyer."""
    return _refund(lambda reference: refund_flagged(current_user, payment_id, reference), _("Refund recorded."))


def _refund(action, done: str):
    form = RefundForm()
    if not form.validate_on_submit():
        flash(_("Enter the reference of the refund."), "error")
        return redirect(url_for("payments.index"))
    with unit_of_work() as work:
        action(form.reference.data)
    flash(str(work.refused.message) if work.refused else done, "error" if work.refused else "success")
    return redirect(url_for("payments.index"))


def register(app: Flask) -> None:
    """The payments desk for officers and admins, and the providers' webhooks."""
    app.register_blueprint(bp)
    app.register_blueprint(webhooks_bp)
    add_navigation(app, ("officer", "admin"), "payments.index", _l("Payments"), 45)
