"""The forms officers and admins fill in: a payout, a correction, a commission rate."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import StopValidation, ValidationError

from ..core.forms import DateField, DateTimeField, length, required, strip  # noqa: F401  (DateTimeField: for its importers)
from ..money import MoneyError, parse_idr
from .services import MAX_ENTRY_IDR, PayablesRefused, parse_percent

MINUS_SIGNS = ("-", "\u2212", "\u2013")  # what phones and spreadsheets type for minus


class RupiahField(StringField):
    """Whole rupiah typed as 1500000, 1.500.000 or Rp 1.500.000; with signed=True a leading minus is allowed.

    The value is in .rupiah once validated.
    """

    def __init__(self, label=None, validators=None, signed: bool = False, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "text" if signed else "numeric")
        super().__init__(label, validators, filters=[strip], **kwargs)
        self.signed = signed
        self.rupiah: int | None = None

    def pre_validate(self, form):
        raw = (self.data or "").strip()
        self.rupiah = None
        if not raw:
            return  # whether it is needed is the validators' business
        sign = 1
        if self.signed and raw.startswith((*MINUS_SIGNS, "+")):
            sign = -1 if raw[0] in MINUS_SIGNS else 1
            raw = raw[1:].strip()
        try:
            value = parse_idr(raw)
        except MoneyError as exc:
            if str(exc) == "decimals":
                raise StopValidation(_l("Rupiah are whole numbers: no sen.")) from exc
            if self.signed:
                raise StopValidation(_l("Enter rupiah like 25.000, or -25.000 to take off.")) from exc
            raise StopValidation(_l("Enter rupiah like 1.500.000.")) from exc
        if value == 0:
            raise StopValidation(_l("Enter an amount more than zero."))
        if value > MAX_ENTRY_IDR:
            raise StopValidation(_l("That is more than any single entry can be."))
        self.rupiah = sign * value


class PayoutForm(FlaskForm):
    amount = RupiahField(_l("Amount paid (rupiah)"), validators=[required()])
    paid_on = DateField(_l("Date of the transfer"), validators=[required()])
    reference = StringField(_l("Bank reference"), validators=[required(), length(120, 3)], filters=[strip],
                            description=_l("As the bank shows it, for example BCA 0412-88231."))


class CorrectionForm(FlaskForm):
    amount = RupiahField(_l("Amount (rupiah)"), validators=[required()], signed=True,
                         description=_l("Positive: Serumpun owes the merchant more. Negative, like -25.000: less."))
    note = StringField(_l("Why"), validators=[required(), length(200, 3)], filters=[strip],
                       description=_l("The merchant reads this on the statement."))


class CommissionForm(FlaskForm):
    percent = StringField(_l("Commission rate (percent)"), validators=[required(), length(10)], filters=[strip],
                          description=_l("On the goods of each paid parcel, from 0 to 50, like 7.5."),
                          render_kw={"inputmode": "decimal"})
    starts_at = DateTimeField(_l("From"), description=_l("Empty: from now. Parcels paid before keep their rate."))
    note = StringField(_l("Note"), validators=[length(200)], filters=[strip])

    def validate_percent(self, field):
        try:
            field.basis_points = parse_percent(field.data or "")
        except PayablesRefused as exc:
            raise ValidationError(exc.message) from exc
