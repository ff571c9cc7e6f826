"""The checkout's form: where the parcels go, and how the buyer pays."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField

from ..accounts.forms import phone_number
from ..core.forms import ChoiceField, chosen, digits, length, required, strip


class CheckoutForm(FlaskForm):
    name = StringField(_l("Name of the recipient"), validators=[required(), length(120)], filters=[strip])
    phone = StringField(_l("Phone for the courier"), validators=[required(), phone_number("MY")], filters=[strip],
                        description=_l("A Malaysian number, such as 012-345 6789."))
    line1 = StringField(_l("Address"), validators=[required(), length(200)], filters=[strip])
    line2 = StringField(_l("Address, second line (optional)"), validators=[length(200)], filters=[strip])
    city = StringField(_l("Town or city"), validators=[required(), length(80)], filters=[strip])
    postcode = StringField(_l("Postcode"), validators=[required(), digits(5)], filters=[strip])
    state = ChoiceField(_l("State"), validators=[chosen()])
    payment_method = RadioField(_l("How you pay"), validators=[chosen()])
    checkout_key = HiddenField(validators=[required(), length(64, 16)])


class CancelForm(FlaskForm):
    """A button: the buyer cancels an order not yet paid."""


class RefundRequestForm(FlaskForm):
    """The buyer asks for the money of a parcel that shipped back (it arrived damaged, or never)."""

    reason = TextAreaField(_l("What went wrong?"), validators=[required(), length(500)], filters=[strip])
