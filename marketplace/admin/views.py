"""The admins' area: people, officer invitations, the commission, the statistics feed's tokens and the
development outbox."""
from __future__ import annotations

from flask import Blueprint, Flask, current_app, flash, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from ..accounts import services as accounts
from ..accounts.forms import InviteOfficerForm
from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import attach_refusal, length, required, status_for, strip
from ..core.models import utcnow
from ..core.pagination import Page, page_number
from ..core.templating import format_moment
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from ..mail.services import list_outbox
from ..payables import services as payables
from ..payables.forms import CommissionForm
from ..stats import tokens

bp = Blueprint("admin", __name__, url_prefix="/admin")
guard_blueprint(bp, Role.ADMIN)


@bp.route("/")
def dashboard():
    """Everyone with an account, newest first."""
    role_value = request.args.get("role", "")
    role = Role(role_value) if role_value in set(Role) else None
    page = page_number()
    users, total = accounts.list_users(page, role=role)
    return render_template(
        "admin/dashboard.html",
        users=users,
        pager=Page(page, 50, total),
        role=role,
        roles=list(Role),
        counts=accounts.count_users_by_role(),
    )


@bp.route("/officers/invite", methods=["GET", "POST"])
def invite_officer():
    """Invite an officer, who chooses a password from the emailed link."""
    form = InviteOfficerForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            accounts.invite_officer(
                current_user,
                accounts.Officer(
                    email=form.email.data, full_name=form.full_name.data,
                    organisation=form.organisation.data, country=form.country.data,
                ),
            )
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Invitation sent to %(email)s.", email=form.email.data), "success")
            return redirect(url_for("admin.dashboard", role="officer"))
    return render_template("admin/invite_officer.html", form=form), status_for(form)


@bp.route("/outbox")
def outbox():
    """Mail that would have been sent, kept while no SMTP server is configured."""
    page = page_number()
    messages, total = list_outbox(page)
    return render_template(
        "admin/outbox.html",
        messages=messages,
        pager=Page(page, 50, total),
        backend=current_app.config["MAIL_BACKEND"],
    )


@bp.route("/commission", methods=["GET", "POST"])
def commission():
    """The commission rate in force, those scheduled and past, and a form to set a new one."""
    form = CommissionForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            rate = payables.set_commission_rate(current_user, form.percent.basis_points, form.starts_at.moment,
                                                utcnow(), form.note.data or "")
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Commission rate set: %(percent)s%% from %(moment)s.",
                    percent=payables.percent_text(rate.basis_points),
                    moment=format_moment(rate.effective_from)), "success")
            return redirect(url_for("admin.commission"))
    now = utcnow()
    return render_template("admin/commission.html", form=form, rate=payables.rate_at(now),
                           history=payables.rate_history(), now=now), status_for(form)


class StatsTokenForm(FlaskForm):
    name = StringField(_l("Who will use it"), validators=[required(), length(120)], filters=[strip],
                       description=_l("For example: Bandung Command Center."))


class RevokeForm(FlaskForm):
    """Only the CSRF token: revoking asks nothing more."""


def _stats_tokens_page(form: StatsTokenForm, created: tokens.NewToken | None = None):
    response = make_response(render_template(
        "admin/stats_tokens.html", form=form, created=created, tokens=tokens.list_tokens(), revoke_form=RevokeForm(),
        feed_url=url_for("api.stats", _external=True), openapi_url=url_for("api.openapi", _external=True),
    ), status_for(form))
    response.headers["Cache-Control"] = "no-store"  # a new token is on this page once; no cache keeps it
    return response


@bp.route("/stats-tokens", methods=["GET", "POST"])
def stats_tokens():
    """Tokens for the command center's statistics feed: make one (shown once), see and revoke them."""
    form = StatsTokenForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            created = tokens.create_token(current_user, form.name.data)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            return _stats_tokens_page(StatsTokenForm(formdata=None), created)
    return _stats_tokens_page(form)


@bp.route("/stats-tokens/<int:token_id>/revoke", methods=["POST"])
def revoke_stats_token(token_id: int):
    """Stop a token working at once."""
    if not RevokeForm().validate_on_submit():
        flash(_("The form expired. Please send it again."), "error")
        return redirect(url_for("admin.stats_tokens"))
    with unit_of_work() as work:
        token = tokens.revoke_token(current_user, token_id, utcnow())
        name = token.name
    if work.refused:
        flash(str(work.refused.message), "error")
    else:
        flash(_("Token of %(name)s revoked: the feed refuses it from now on.", name=name), "success")
    return redirect(url_for("admin.stats_tokens"))


def register(app: Flask) -> None:
    """The admins' pages."""
    app.register_blueprint(bp)
    add_navigation(app, ("admin",), "admin.dashboard", _l("People"), 10)
    add_navigation(app, ("admin",), "admin.invite_officer", _l("Invite officer"), 20)
    add_navigation(app, ("admin",), "admin.commission", _l("Commission"), 30)
    add_navigation(app, ("admin",), "admin.stats_tokens", _l("Statistics feed"), 35)
    add_navigation(app, ("admin",), "admin.outbox", _l("Outbox"), 90)
