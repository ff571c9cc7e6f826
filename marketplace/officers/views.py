"""The officers' area: the dashboard of trade figures, the merchants, payables and the audit trail."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from flask import Blueprint, Flask, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import format_date
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
from ..core.places import state_name
from ..core.taxonomy import category_name
from ..core.templating import format_money, format_month
from ..core.ui import add_navigation, dashboard_context
from ..core.unit_of_work import unit_of_work
from ..orders.lifecycle import ORDER_STATUS_NAMES
from ..payables import csv_io as payables_csv
from ..payables import services as payables
from ..payables.forms import CorrectionForm, PayoutForm
from ..payables.views import csv_response
from ..stats import csv_io as stats_csv
from ..stats import figures as stats
from ..trade import stats as trade_stats
from . import charts

bp = Blueprint("officer", __name__, url_prefix="/officer")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)


VERIFICATION_NAMES = {
    VerificationStatus.VERIFIED: _l("Verified"),
    VerificationStatus.PENDING: _l("Verification pending"),
    VerificationStatus.REJECTED: _l("Not verified"),
    VerificationStatus.UNVERIFIED: _l("Not yet verified"),
}


class RangeForm(FlaskForm):
    """The dashboard's range of days, read from the query string (a GET: nothing changes)."""

    class Meta:
        csrf = False

    since = DateField(_l("From"))
    until = DateField(_l("Until"))


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def _requested_figures() -> tuple[RangeForm, stats.Figures]:
    """The figures for the range in the query string; the last six months when it is missing or wrong."""
    zone = _zone()
    today = stats.local_today(utcnow(), zone)
    form = RangeForm(formdata=request.args)
    form.validate()
    default = stats.default_range(today)
    days = stats.DayRange(form.since.data if not form.since.errors and form.since.data else default.since,
                          form.until.data if not form.until.errors and form.until.data else default.until)
    stale_days = current_app.config["RATE_STALE_DAYS"]
    try:
        figures = stats.figures(days, zone, utcnow().date(), stale_days)
    except stats.RangeRefused as refusal:
        attach_refusal(form, refusal)
        return form, stats.figures(default, zone, utcnow().date(), stale_days)
    for field, day in ((form.since, days.since), (form.until, days.until)):
        if not field.errors and field.data is None:
            field.data = day  # the form shows the range the figures are for
    return form, figures


def _month_label(month) -> tuple[str, str]:
    return format_date(month, "MMM"), format_date(month, "yyyy")


def _dashboard_charts(figures: stats.Figures) -> dict:
    """The charts' geometry and their text descriptions (for screen readers; the tables hold the same numbers)."""
    points = []
    for index, row in enumerate(figures.months):
        label, year = _month_label(row.month)
        points.append((label, year if index == 0 or row.month.month == 1 else "", row.sen, format_money(row.sen, "MYR")))
    months = charts.column_chart(points)
    months_text = "; ".join(f"{format_month(row.month)}: {format_money(row.sen, 'MYR')}"
                            for row in figures.months)
    merchant_rows = [(str(VERIFICATION_NAMES[status]), count, str(count)) for status, count in figures.merchants.items()]
    sold = [row for row in figures.categories if row.sen > 0]
    category_rows = [(_category_label(row.code), row.sen, format_money(row.sen, "MYR")) for row in sold]
    state_rows = [(state_name(row.code), row.sen, format_money(row.sen, "MYR")) for row in figures.states]

    def described(rows):
        return "; ".join(f"{label}: {text}" for label, _, text in rows)

    return {
        "months": months, "months_text": months_text,
        "merchants": charts.bar_chart(merchant_rows), "merchants_text": described(merchant_rows),
        "categories": charts.bar_chart(category_rows), "categories_text": described(category_rows),
        "states": charts.bar_chart(state_rows), "states_text": described(state_rows),
    }


def _category_label(code: str | None) -> str:
    return category_name(code) if code else str(_l("Products since deleted"))


@bp.route("/")
def dashboard():
    """Trade figures for a range of days as charts and tables, stale rates flagged, and the merchants."""
    form, figures = _requested_figures()
    status_value = request.args.get("status", "")
    status = VerificationStatus(status_value) if status_value in set(VerificationStatus) else None
    return render_template(
        "officer/dashboard.html",
        form=form, figures=figures, charts=_dashboard_charts(figures),
        range_args={"since": figures.days.since.isoformat(), "until": figures.days.until.isoformat()},
        verification_names=VERIFICATION_NAMES, order_status_names=ORDER_STATUS_NAMES,
        category_label=_category_label, stale_days=current_app.config["RATE_STALE_DAYS"],
        counts=accounts.count_users_by_role(),
        merchants=accounts.list_merchants(status),
        status=status,
        statuses=list(VerificationStatus),
        replies=trade_stats.reply_figures(*figures.days.utc_bounds(_zone())),
        **dashboard_context("officer", current_user),
    ), status_for(form)


@bp.route("/stats/<table>.csv")
def stats_csv_export(table: str):
    """One table of the dashboard, for the same range of days, as a spreadsheet."""
    if table not in stats_csv.TABLES:
        abort(404)
    form, figures = _requested_figures()
    if status_for(form) != 200:
        abort(400)
    names = {**VERIFICATION_NAMES, **ORDER_STATUS_NAMES}
    return csv_response(stats_csv.export(figures, table, names),
                        f"serumpun-{table}-{figures.days.since:%Y%m%d}-{figures.days.until:%Y%m%d}.csv")


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
    add_navigation(app, ("officer", "admin"), "officer.dashboard", _l("Dashboard"), 40)
    add_navigation(app, ("officer", "admin"), "officer.payables_index", _l("Payables"), 45)
    add_navigation(app, ("officer", "admin"), "officer.audit_trail", _l("Audit trail"), 80)
