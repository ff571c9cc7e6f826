"""Officers keep the customs and tax rules behind every delivered price, each with a date and a source.

The page reads like a rule book: each rule in plain words with its value in force, its date and its
source, and a form with the right input for its kind (a percentage, an amount in ringgit, a yes or no).
"""
from __future__ import annotations

from flask import Blueprint, Flask, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.forms import (
    DateField,
    RadioChoiceField,
    attach_refusal,
    chosen,
    digits,
    length,
    options,
    required,
    status_for,
    strip,
)
from ..core.models import utcnow
from ..core.templating import format_day, format_money
from ..core.ui import add_navigation
from ..core.unit_of_work import unit_of_work
from . import services

bp = Blueprint("customs", __name__, url_prefix="/officer/customs")
guard_blueprint(bp, Role.OFFICER, Role.ADMIN)

LABELS = {
    "lvg_rate": _l("Sales tax on low value goods, in percent"),
    "lvg_threshold_sen": _l("Low value goods: items sold at no more than"),
    "lvg_registration_number": _l("Serumpun's LVG registration number (empty: not registered, no LVG tax)"),
    "de_minimis_sen": _l("De minimis: air and postal consignments up to this CIF value"),
    "form_d": _l("Form D claimed: no duty on Indonesian goods"),
    "sales_tax_standard": _l("Sales tax on import, standard rate, in percent"),
    "sales_tax_reduced": _l("Sales tax on import, reduced rate, in percent"),
    "reduced_chapters": _l("HS chapters at the reduced rate"),
    "cn22_limit_sen": _l("CN22 declaration up to this value, CN23 above"),
}
ORDER = list(LABELS)


def label(key: str) -> str:
    if key.startswith("duty_chapter_"):
        return _("Import duty without a Form D, HS chapter %(chapter)s", chapter=key[-2:])
    return str(LABELS.get(key, key))


def shown(key: str, value: str) -> str:
    """A stored value as an officer reads it: ringgit for amounts in sen, yes or no for Form D, percentages."""
    kind = services.input_kind(key)
    try:
        if kind == services.RINGGIT:
            return format_money(int(value), "MYR")
    except ValueError:
        return value
    if kind == services.YES_NO:
        return _("Yes") if value == "1" else _("No")
    if key == "lvg_registration_number" and not value:
        return _("Not registered")
    if kind == services.PERCENT:
        return f"{value}%"
    if kind == services.CHAPTERS:
        return ", ".join(value.split(","))
    return value


def typed(key: str, value: str) -> str:
    """A stored value as the form takes it back: ringgit for amounts in sen."""
    if services.input_kind(key) == services.RINGGIT and value.isdigit():
        return f"{int(value) // 100}.{int(value) % 100:02d}"
    return value


class RuleForm(FlaskForm):
    key = HiddenField()
    effective_on = DateField(_l("In force from"), validators=[required()])
    source = StringField(_l("Source"), validators=[required(), length(300, 3)], filters=[strip],
                         description=_l("The law, order or notice, with its number."))


class PercentRuleForm(RuleForm):
    value = StringField(_l("New rate, in percent"), validators=[required(), length(12)], filters=[strip],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"},
                        description=_l("A number from 0 to 100, like 10 or 7.5."))


class RinggitRuleForm(RuleForm):
    value = StringField(_l("New amount, in ringgit (RM)"), validators=[required(), length(20)], filters=[strip],
                        render_kw={"inputmode": "decimal", "autocomplete": "off"},
                        description=_l("Like 500 or 1,750.00."))


class YesNoRuleForm(RuleForm):
    value = RadioChoiceField(_l("Claimed"), choices=options([("1", _l("Yes")), ("0", _l("No"))]), validators=[chosen()])


class TextRuleForm(RuleForm):
    value = StringField(_l("New registration number"), validators=[length(60)], filters=[strip],
                        render_kw={"autocomplete": "off", "spellcheck": "false"},
                        description=_l("Leave it empty when Serumpun is not registered: no LVG tax is collected then."))


class ChaptersRuleForm(RuleForm):
    value = StringField(_l("HS chapters"), validators=[required(), length(200)], filters=[strip],
                        render_kw={"inputmode": "numeric", "autocomplete": "off"},
                        description=_l("Two digits each, separated by commas, like 09, 19, 20."))


class DutyRuleForm(PercentRuleForm):
    chapter = StringField(_l("HS chapter"), validators=[required(), digits(2)], filters=[strip],
                          render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": "2"},
                          description=_l("Two digits: 62 is woven apparel, 09 coffee, tea and spices."))


FORMS = {services.PERCENT: PercentRuleForm, services.RINGGIT: RinggitRuleForm, services.YES_NO: YesNoRuleForm,
         services.TEXT: TextRuleForm, services.CHAPTERS: ChaptersRuleForm}
DUTY = "duty_chapter"  # the form for a chapter's duty posts this key and the chapter


def _named(form: RuleForm, key: str) -> RuleForm:
    """Each rule has its own form on the page: field ids carry the rule's key, so that labels stay unique."""
    for field in form:
        field.id = f"{key}-{field.name}"
        field.label.field_id = field.id
    if isinstance(form, YesNoRuleForm):
        form.value.label.text = label(key)
    return form


def _blank_form(key: str, today, current: str | None) -> RuleForm:
    cls = DutyRuleForm if key == DUTY else FORMS[services.input_kind(key)]
    data = {"key": key, "effective_on": today}
    if current is not None:
        data["value"] = typed(key, current)
    return _named(cls(formdata=None, data=data), key)


def _posted_form(key: str) -> RuleForm | None:
    if key == DUTY:
        return _named(DutyRuleForm(), key)
    kind = services.input_kind(key)
    return _named(FORMS[kind](), key) if kind else None


@bp.route("/", methods=["GET", "POST"])
def index():
    """The rules in force today, each with a form for a new value, and their history."""
    today = utcnow().date()
    posted_key = (request.form.get("key") or "").strip() if request.method == "POST" else None
    posted = _posted_form(posted_key) if posted_key else None
    refused = None
    if request.method == "POST" and posted is None:
        refused = _("There is no such rule.")
    elif posted is not None and posted.validate_on_submit():
        key = services.duty_key(posted.chapter.data) if posted_key == DUTY else posted_key
        with unit_of_work() as work:
            services.record_rule(current_user, key, posted.value.data or "", posted.effective_on.data,
                                 posted.source.data)
        if work.refused:
            attach_refusal(posted, work.refused)
        else:
            flash(_("Rule saved: %(rule)s. Delivered prices use it from %(date)s.", rule=label(key),
                    date=format_day(posted.effective_on.data)), "success")
            return redirect(url_for("customs.index") + f"#rule-{key}")
    in_force = services.rows_in_force(today)
    keys = ORDER + sorted(key for key in in_force if key.startswith("duty_chapter_"))
    forms = {key: _blank_form(key, today, in_force[key].value if key in in_force else None) for key in keys}
    forms[DUTY] = _blank_form(DUTY, today, None)
    if posted is not None:
        forms[posted_key] = posted
        if posted_key != DUTY and posted_key not in keys:
            keys.append(posted_key)  # a chapter's first duty, refused: shown with its errors
    status = 400 if refused else (status_for(posted) if posted is not None else 200)
    return render_template("officer/customs.html", forms=forms, keys=keys, in_force=in_force,
                           missing=[key for key in services.REQUIRED if key not in in_force],
                           history=services.rule_history(), label=label, shown=shown, today=today,
                           open_key=posted_key if status != 200 else None, refused=refused, duty=DUTY), status


def register(app: Flask) -> None:
    """The officers' customs rules page."""
    app.register_blueprint(bp)
    add_navigation(app, ("officer", "admin"), "customs.index", _l("Customs rules"), 70)
