"""The buyer's report and the officer's moderation forms."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import RadioField, TextAreaField
from wtforms.validators import InputRequired, Optional, ValidationError

from ..catalog.services import TAKEDOWN_REASONS
from ..core.forms import ChoiceField, chosen, length, options, strip
from .services import REPORT_REASONS


class RadioChoice(RadioField):
    """Radio buttons whose refusals speak our languages."""

    def pre_validate(self, form):
        if self.data not in (None, "") and self.data not in {value for value, *_ in self.iter_choices()}:
            raise ValidationError(_l("Please choose one of the options."))


class ReportForm(FlaskForm):
    reason = RadioChoice(_l("What is wrong with this listing?"), validators=[InputRequired(_l("Please choose one."))],
                         choices=options(REPORT_REASONS.items()), validate_choice=False)
    note = TextAreaField(_l("Details for the officers (optional)"), validators=[Optional(), length(1000)],
                         filters=[strip])


class DismissForm(FlaskForm):
    note = TextAreaField(_l("Note (optional)"), validators=[Optional(), length(1000)], filters=[strip])


class TakedownForm(FlaskForm):
    reason = ChoiceField(_l("Reason"), validators=[chosen()])
    note = TextAreaField(_l("Note to the merchant"), validators=[Optional(), length(1000)], filters=[strip],
                         description=_l("What to fix. The merchant reads the reason in Indonesian, and this note as "
                                        "you write it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = options([("", _l("Choose…")), *TAKEDOWN_REASONS.items()])
