"""The merchant's forms for working a parcel: a button for each move, the shipping details, a reason to cancel."""
from __future__ import annotations

from datetime import date
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField, TextAreaField
from wtforms.validators import ValidationError

from ..core.forms import DateField, length, required, strip
from ..core.templating import format_day


class MoveForm(FlaskForm):
    """A button: pack, or mark delivered."""


def web_address(form, field) -> None:
    """An optional link to the courier's tracking page: http or https, with a host."""
    if not field.data:
        field.data = None
        return
    parts = urlsplit(field.data)
    if parts.scheme not in ("http", "https") or not parts.hostname or any(c.isspace() for c in field.data):
        raise ValidationError(_l("Enter a web address that starts with https:// or http://."))


class ShipForm(FlaskForm):
    """The parcel left with a courier: who carries it, its tracking number and the day it went."""

    courier = StringField(_l("Courier"), validators=[required(), length(80)], filters=[strip],
                          description=_l("As on the receipt, such as Pos Indonesia or J&T Express."))
    tracking_number = StringField(_l("Tracking number"), validators=[required(), length(40)], filters=[strip])
    shipped_on = DateField(_l("Shipped on"), validators=[required()])
    tracking_url = StringField(_l("Tracking page (optional)"), validators=[length(300), web_address],
                               filters=[strip], description=_l("The courier's page for this parcel, if it has one."))

    def __init__(self, *args, earliest: date, latest: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.earliest, self.latest = earliest, latest

    def validate_shipped_on(self, field) -> None:
        if field.data is None:
            return
        if field.data > self.latest:
            raise ValidationError(_l("The day it went cannot be in the future."))
        if field.data < self.earliest:
            raise ValidationError(_l("The parcel cannot have gone before the order was placed (%(date)s).",
                                     date=format_day(self.earliest)))


class CancelParcelForm(FlaskForm):
    """The merchant cannot send a parcel: why, for the buyer and for staff who refund it."""

    reason = TextAreaField(_l("Why can you not send it?"), validators=[required(), length(300)], filters=[strip],
                           description=_l("Kept on the parcel's timeline. Its stock goes back on sale, and staff refund the buyer."))
