from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import ValidationError

from ..core.forms import ChoiceField, DateField, chosen, length, options, required, strip
from ..money import MoneyError, parse_rate
from .services import RATE_CURRENCIES


class RateForm(FlaskForm):
    currency = ChoiceField(_l("Currency"), validators=[chosen()], choices=options((c, c) for c in RATE_CURRENCIES))
    idr_per_unit = StringField(_l("Rupiah per one unit"), validators=[required()], filters=[strip],
                               description=_l("For example 3924.50 for one ringgit."),
                               render_kw={"inputmode": "decimal"})
    effective_on = DateField(_l("In force from"), validators=[required()])
    source = StringField(_l("Source"), validators=[required(), length(200, 3)], filters=[strip],
                         description=_l("For example: Bank Indonesia JISDOR, 15 October 2025."))

    def validate_idr_per_unit(self, field):
        try:
            field.rate = parse_rate(field.data)
        except MoneyError as exc:
            raise ValidationError(_l("Enter rupiah per unit from 100 to 100,000 with at most four decimals, like 3924.50.")) from exc
