"""Officers keep the customs and tax rules behind every delivered price, each with a date and a source."""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import DateField, attach_refusal, length, required, status_for, strip
from ..core.models import utcnow
from ..core.templating import format_money
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from . import services

bp = Blueprint("customs", __name__, url_prefix="/officer/customs")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)

EXAMPLES = {
    "lvg_rate": "10", "lvg_threshold_sen": "500.00", "lvg_registration_number": "LVG-…",
    "de_minimis_sen": "500.00", "form_d": "1", "sales_tax_standard": "10", "sales_tax_reduced": "5",
    "reduced_chapters": "09,19,20,21", "cn22_limit_sen": "1750.00", "duty_chapter_62": "20",
}
LABELS = {
    "lvg_rate": _l("Sales tax on low value goods, in percent"),
    "lvg_threshold_sen": _l("Low value goods: items sold at no more than"),
    "lvg_registration_number": _l("Serumpun's LVG registration number (empty: not registered, no LVG tax)"),
    "de_minimis_sen": _l("De minimis: air and postal consignments up to this CIF value"),
    "form_d": _l("Form D claimed: no duty on Indonesian goods (1 yes, 0 no)"),
    "sales_tax_standard": _l("Sales tax on import, standard rate, in percent"),
    "sales_tax_reduced": _l("Sales tax on import, reduced rate, in percent"),
    "reduced_chapters": _l("HS chapters at the reduced rate"),
    "cn22_limit_sen": _l("CN22 declaration up to this value, CN23 above"),
}


def label(key: str) -> str:
    if key.startswith("duty_chapter_"):
        return _("Import duty without a Form D, HS chapter %(chapter)s, %%", chapter=key[-2:])
    return str(LABELS.get(key, key))


def shown(key: str, value: str) -> str:
    """A stored value as an officer reads it: ringgit for amounts in sen, yes or no for Form D."""
    try:
        if key.endswith("_sen"):
            return format_money(int(value), "MYR")
        if key == "form_d":
            return _("Yes") if value == "1" else _("No")
    except ValueError:
        return value
    if key == "lvg_registration_number" and not value:
        return _("Not registered")
    if key in ("lvg_rate", "sales_tax_standard", "sales_tax_reduced") or key.startswith("duty_chapter_"):
        return f"{value}%"
    return value


class RuleForm(FlaskForm):
    key = StringField(_l("Rule"), validators=[required(), length(40)], filters=[strip],
                      render_kw={"list": "rule-keys", "autocomplete": "off", "spellcheck": "false"},
                      description=_l("One of the keys below, or duty_chapter_NN for the duty of HS chapter NN."))
    value = StringField(_l("Value"), validators=[length(200)], filters=[strip])
    effective_on = DateField(_l("In force from"), validators=[required()])
    source = StringField(_l("Source"), validators=[required(), length(300, 3)], filters=[strip])


@bp.route("/", methods=["GET", "POST"])
def index():
    """The rules in force today, their history, and a form for a new value."""
    form = RuleForm()
    if form.validate_on_submit():
        with unit_of_work() as work:
            services.record_rule(current_user, form.key.data, form.value.data, form.effective_on.data, form.source.data)
        if work.refused:
            attach_refusal(form, work.refused)
        else:
            flash(_("Rule saved. Delivered prices use it from its date."), "success")
            return redirect(url_for("customs.index"))
    today = utcnow().date()
    order = list(EXAMPLES)
    in_force = dict(sorted(services.rows_in_force(today).items(),
                           key=lambda kv: (order.index(kv[0]) if kv[0] in order else len(order), kv[0])))
    missing = [key for key in services.REQUIRED if key not in in_force]
    return render_template("officer/customs.html", form=form, in_force=in_force, missing=missing,
                           history=services.rule_history(), examples=EXAMPLES, label=label, shown=shown,
                           today=today), status_for(form)


def register(app: Flask) -> None:
    """The officers' customs rules page."""
    app.register_blueprint(bp)
    add_navigation(app, ("officer", "admin"), "customs.index", _l("Customs rules"), 70)
