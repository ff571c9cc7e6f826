"""Staff's form for a bank transfer that arrived."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import StringField

from ..core.forms import DateField, length, required, strip


class TransferForm(FlaskForm):
    """Staff record a bank transfer they saw arrive for an order."""

    amount = StringField(_l("Amount received (RM)"), validators=[required(), length(20)], filters=[strip])
    received_on = DateField(_l("Received on"), validators=[required()])
    bank_reference = StringField(_l("Bank's reference of the transfer"), validators=[required(), length(120)],
                                 filters=[strip])


class RefundForm(FlaskForm):
    """Staff record money sent back to a buyer."""

    reference = StringField(_l("Reference of the refund"), validators=[required(), length(120)], filters=[strip])
