"""The officers' area: the merchants they will verify, the first figures, and the audit trail."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from ..accounts import services as accounts
from ..accounts.models import Role, VerificationStatus
from ..audit import services as audit
from ..core.auth import guard_blueprint
from ..core.forms import ChoiceField, DateField, attach_refusal, length, status_for, strip
from ..core.models import utcnow
from ..core.pagination import Page, page_number
from ..core.ui import add_navigation, dashboard_context
from ..core.unit_of_work import unit_of_work
from ..payables import csv_io as payables_csv
from ..payables import services as payables
from ..payables.forms import CorrectionForm, PayoutForm
from ..payables.views import csv_response

bp = Blueprint("officer", __name__, url_prefix="/officer")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)


@bp.route("/")
def dashboard():
    """Counts of merchants and buyers, and the merchants by verification status."""
    status_value = request.args.get("status", "")
    status = VerificationStatus(status_value) if status_value in set(VerificationStatus) else None
    return render_template(
        "officer/dashboard.html",
        counts=accounts.count_users_by_role(),
        merchants=accounts.list_merchants(status),
        status=status,
        statuses=list(VerificationStatus),
        **dashboard_context("officer", current_user),
    )


class TrailFilterForm(FlaskForm):
    """The audit trail's filters, read from the query string (a GET: nothing changes)."""

    class Meta:
        csrf = False

    object_kind = ChoiceField(_l("Object"), default="")
    object_id = StringField(_l("Object number"), validators=[length(80)], filters=[strip])
    actor = ChoiceField(_l("Changed by"), default="")
    since = DateField(_l("From"))
    until = DateField(_l("Until"))


@bp.route("/audit")
def audit_trail():
    """Every officer, admin and status change, newest first, filtered by object, person and dates."""
    form = TrailFilterForm(formdata=request.args)
    form.object_kind.choices = [("", _l("Everything")), *[(k, v) for k, v in audit.OBJECT_KINDS.items()]]
    form.actor.choices = [("", _l("Anyone")), *[(str(i), name) for i, name in audit.actors()]]
    form.validate()
    def valid(field):
        return field.data if not field.errors else None
    filters = audit.TrailFilter(
        object_kind=valid(form.object_kind) or None, object_id=valid(form.object_id) or None,
        actor_id=int(form.actor.data) if valid(form.actor) else None,
        since=valid(form.since), until=valid(form.until),
    )
    page = page_number()
    entries, total = audit.list_entries(filters, page)
    return render_template("officer/audit.html", form=form, entries=entries, pager=Page(page, 50, total),
                           actions=audit.ACTIONS, kinds=audit.OBJECT_KINDS,
                           command_line=audit.COMMAND_LINE), 400 if form.errors else 200


@bp.route("/payables")
def payables_index():
    """What Serumpun owes each merchant, and the newest entries of all."""
    balances = payables.balances()
    return render_template("officer/payables.html", balances=balances,
                           total=sum(row.balance_idr for row in balances), recent=payables.recent_entries(),
                           rate=payables.rate_at(utcnow()))


@bp.route("/payables.csv")
def payables_csv_export():
    """The balances as a spreadsheet."""
    return csv_response(payables_csv.export_balances(), f"serumpun-balances-{utcnow():%Y%m%d}.csv")


def _statement_page(merchant_id: int, payout_form: PayoutForm | None = None,
                    correction_form: CorrectionForm | None = None):
    profile = payables.merchant(merchant_id)
    page = page_number()
    lines, total = payables.statement(profile.id, page)
    if payout_form is None:
        payout_form = PayoutForm(prefix="payout", formdata=None,
                                 data={"paid_on": payables.local_date(utcnow())})
    correction_form = correction_form or CorrectionForm(prefix="correction", formdata=None)
    status = max(status_for(payout_form), status_for(correction_form))
    return render_template("officer/statement.html", profile=profile, lines=lines, pager=Page(page, 50, total),
                           balance=payables.balance_of(profile.id), payout_form=payout_form,
                           correction_form=correction_form), status


@bp.route("/payables/<int:merchant_id>")
def merchant_statement(merchant_id: int):
    """One merchant's statement, with forms for a payout and a correction."""
    return _statement_page(merchant_id)


@bp.route("/payables/<int:merchant_id>/statement.csv")
def merchant_statement_csv(merchant_id: int):
    """One merchant's statement as a spreadsheet."""
    profile = payables.merchant(merchant_id)
    return csv_response(payables_csv.export_statement(profile.id),
                        f"serumpun-statement-{profile.slug}-{utcnow():%Y%m%d}.csv")


@bp.route("/payables/<int:merchant_id>/payout", methods=["POST"])
def record_payout(merchant_id: int):
    """Record money sent to a merchant's bank."""
    payables.merchant(merchant_id)
    form = PayoutForm(prefix="payout")
    if form.validate_on_submit():
        with unit_of_work() as work:
            payables.record_payout(current_user, merchant_id, form.amount.rupiah, form.paid_on.data,
                                   form.reference.data, payables.local_date(utcnow()))
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Payout recorded."), "success")
            return redirect(url_for("officer.merchant_statement", merchant_id=merchant_id))
    return _statement_page(merchant_id, payout_form=form)


@bp.route("/payables/<int:merchant_id>/correction", methods=["POST"])
def record_correction(merchant_id: int):
    """Record a correction of a merchant's balance, with its reason."""
    payables.merchant(merchant_id)
    form = CorrectionForm(prefix="correction")
    if form.validate_on_submit():
        with unit_of_work() as work:
            payables.record_correction(current_user, merchant_id, form.amount.rupiah, form.note.data,
                                       payables.local_date(utcnow()))
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Correction recorded."), "success")
            return redirect(url_for("officer.merchant_statement", merchant_id=merchant_id))
    return _statement_page(merchant_id, correction_form=form)


def register(app: Flask) -> None:
    """The officers' dashboard and the audit trail, for officers and admins."""
    app.register_blueprint(bp)
    add_navigation(app, ("officer", "admin"), "officer.dashboard", _l("Merchants"), 40)
    add_navigation(app, ("officer", "admin"), "officer.payables_index", _l("Payables"), 45)
    add_navigation(app, ("officer", "admin"), "officer.audit_trail", _l("Audit trail"), 80)
