"""The officers' area: the merchants they will verify, the first figures, and the audit trail."""
from __future__ import annotations

from flask import Blueprint, Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from ..accounts import services as accounts
from ..accounts.models import Role, VerificationStatus
from ..audit import services as audit
from ..core.auth import guard_blueprint
from ..core.forms import ChoiceField, DateField, length, strip
from ..core.pagination import Page, page_number
from ..core.ui import add_navigation

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


def register(app: Flask) -> None:
    """The officers' dashboard and the audit trail, for officers and admins."""
    app.register_blueprint(bp)
    add_navigation(app, ("officer", "admin"), "officer.dashboard", _l("Merchants"), 40)
    add_navigation(app, ("officer", "admin"), "officer.audit_trail", _l("Audit trail"), 80)
