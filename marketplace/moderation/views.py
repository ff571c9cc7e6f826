"""Reporting a listing (buyers) and the officers' moderation queue."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm

from ..accounts.models import Role
from ..catalog import services as catalog
from ..core.auth import guard_blueprint
from ..core.forms import attach_refusal, status_for
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from . import services
from .forms import DismissForm, ReportForm, TakedownForm
from .models import ReportStatus

bp = Blueprint("reports", __name__, url_prefix="/products")
guard_blueprint(bp, Role.BUYER)

officer_bp = Blueprint("officer_reports", __name__, url_prefix="/officer/reports")
guard_blueprint(officer_bp, Role.OFFICER, Role.ADMIN)


@bp.route("/<id:product_id>/report", methods=["GET", "POST"])
def report(product_id: int):
    """A buyer tells the officers what is wrong with a listing."""
    product = services.reportable_product(product_id)
    form = ReportForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.report_listing(current_user, product_id, form.reason.data, form.note.data)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Thank you. The officers will look at this listing."), "success")
            return redirect(url_for("catalog.product_page", product_id=product_id))
    return render_template("moderation/report.html", product=product, form=form), status_for(form)


@officer_bp.route("/")
def queue():
    """Buyers' reports, open ones first, and the listings taken down."""
    status_value = request.args.get("status", "")
    status = ReportStatus(status_value) if status_value in set(ReportStatus) else None
    return render_template("moderation/queue.html", reports=services.list_reports(status), status=status,
                           statuses=list(ReportStatus), open_count=services.count_open(),
                           taken_down=catalog.list_taken_down(), reasons=services.REPORT_REASONS,
                           dismiss_form=DismissForm(formdata=None))


def _listing_page(product_id: int, takedown_form: TakedownForm | None = None):
    product = catalog.get_product_for_officer(product_id)
    takedown_form = takedown_form or TakedownForm(formdata=None)
    return render_template("moderation/listing.html", product=product, reports=services.reports_of(product_id),
                           reasons=services.REPORT_REASONS, takedown_form=takedown_form,
                           action_form=FlaskForm()), status_for(takedown_form)


@officer_bp.route("/listings/<id:product_id>")
def listing(product_id: int):
    """One listing as an officer sees it, whatever its status: its reports and the takedown."""
    return _listing_page(product_id)


@officer_bp.route("/<id:report_id>/dismiss", methods=["POST"])
def dismiss(report_id: int):
    """Close a report: nothing wrong with the listing."""
    form = DismissForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.dismiss(current_user, report_id, form.note.data)
        if work.refused:
            flash(str(work.refused.message), "error")
        else:
            flash(_("Report dismissed."), "success")
    else:
        flash(_("A note can have at most 1000 characters."), "error")
    return redirect(url_for("officer_reports.queue"))


@officer_bp.route("/listings/<id:product_id>/take-down", methods=["POST"])
def take_down(product_id: int):
    """Take a listing down, with a reason its merchant reads."""
    form = TakedownForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.take_down(current_user, product_id, form.reason.data, form.note.data)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("The listing is taken down; its merchant sees why."), "success")
            return redirect(url_for("officer_reports.listing", product_id=product_id))
    return _listing_page(product_id, takedown_form=form)


@officer_bp.route("/listings/<id:product_id>/lift", methods=["POST"])
def lift(product_id: int):
    """Lift a takedown: the merchant may publish the listing again."""
    if FlaskForm().validate_on_submit():
        with unit_of_work() as work:
            services.lift(current_user, product_id)
        if work.refused:
            flash(str(work.refused.message), "error")
        else:
            flash(_("The takedown is lifted; the merchant may publish the listing again."), "success")
    return redirect(url_for("officer_reports.listing", product_id=product_id))


def register(app: Flask) -> None:
    """Reporting for buyers, the moderation queue for officers."""
    app.register_blueprint(bp)
    app.register_blueprint(officer_bp)
    add_navigation(app, ("officer", "admin"), "officer_reports.queue", _l("Reports"), 43)
    app.jinja_env.globals.update(report_status_name=lambda status: services.REPORT_STATUS_NAMES.get(status, status))
