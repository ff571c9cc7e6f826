from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, StringField
from wtforms.validators import ValidationError

from ..core.forms import ChoiceField, chosen, length, options, required, strip
from ..money import MoneyError, parse_rate
from .services import RATE_CURRENCIES


class RateForm(FlaskForm):
    currency = ChoiceField(_l("Currency"), validators=[chosen()], choices=options((c, c) for c in RATE_CURRENCIES))
    idr_per_unit = StringField(_l("Rupiah per one unit"), validators=[required()], filters=[strip],
                               description=_l("For example 3924.50 for one ringgit."),
                               render_kw={"inputmode": "decimal"})
    effective_on = DateField(_l("In force from"), validators=[required()], render_kw={"type": "date"})
    source = StringField(_l("Source"), validators=[required(), length(200, 3)], filters=[strip],
                         description=_l("For example: Bank Indonesia JISDOR, 15 October 2025."))

    def validate_idr_per_unit(self, field):
        try:
            field.rate = parse_rate(field.data)
        except MoneyError as exc:
            raise ValidationError(_l("Enter a positive number with at most four decimals, like 3924.50.")) from exc
