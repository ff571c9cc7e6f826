"""Officers keep the customs and tax rules behind every delivered price, each with a date and a source."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import length, required, status_for, strip
from ..core.models import utcnow
from ..extensions import db
from . import services

bp = Blueprint("customs", __name__, url_prefix="/officer/customs")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)

EXAMPLES = {
    "lvg_rate": "10", "lvg_threshold_sen": "500.00", "lvg_registration_number": "LVG-…",
    "de_minimis_sen": "500.00", "form_d": "1", "sales_tax_standard": "10", "sales_tax_reduced": "5",
    "reduced_chapters": "09,19,20,21", "duty_chapter_62": "20",
}


class RuleForm(FlaskForm):
    key = StringField(_l("Rule"), validators=[required(), length(40)], filters=[strip],
                      description=_l("One of the keys below, or duty_chapter_NN for the duty of HS chapter NN."))
    value = StringField(_l("Value"), validators=[length(200)], filters=[strip])
    effective_on = DateField(_l("In force from"), validators=[required()], render_kw={"type": "date"})
    source = StringField(_l("Source"), validators=[required(), length(300, 3)], filters=[strip])


@bp.route("/", methods=["GET", "POST"])
def index():
    """The rules in force today, their history, and a form for a new value."""
    form = RuleForm()
    if form.validate_on_submit():
        try:
            services.record_rule(form.key.data, form.value.data, form.effective_on.data, form.source.data)
        except services.RuleRefused as refusal:
            db.session.rollback()
            getattr(form, refusal.field).errors.append(refusal.message)
        else:
            db.session.commit()
            flash(_("Rule saved. Delivered prices use it from its date."), "success")
            return redirect(url_for("customs.index"))
    return render_template("officer/customs.html", form=form, rules=services.rules_in_force(utcnow().date()),
                           history=services.rule_history(), examples=EXAMPLES), status_for(form)
