"""Forms of trade: asking a merchant, writing in a thread, quoting, and posting a buying request."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import ValidationError

from ..core.forms import ChoiceField, DateField, NumberField, PriceField, chosen, length, options, required, strip
from ..money import MAX_IDR_PRICE, MoneyError, parse_amount
from .models import ShippingTerms
from .services import MAX_FREIGHT_DAYS, MAX_MESSAGE, MAX_NOTES, MAX_QUANTITY, TARGET_CURRENCIES, TERMS_NAMES


class ChoiceRadioField(RadioField):
    """Radio buttons whose refusal of an unknown value speaks our languages."""

    def pre_validate(self, form):
        if self.data in ("", None):
            return  # whether a choice is needed is the validators' business
        if self.data not in {choice.value for choice in self.iter_choices()}:
            raise ValidationError(_l("Please choose one of the options."))


class TargetPriceMixin:
    """A target price per unit, typed in the currency chosen beside it (ringgit with sen, or whole rupiah)."""

    target_price = StringField(_l("Target price per unit (optional)"), filters=[strip],
                               render_kw={"inputmode": "decimal"},
                               description=_l("What you hope to pay for one unit, before shipping."))
    target_currency = ChoiceField(_l("Currency"), choices=options((c, c) for c in TARGET_CURRENCIES),
                                  validators=[chosen()], default="MYR")
    minor_target: int | None = None

    def validate_target_price(self, field):
        self.minor_target = None
        if not field.data:
            return
        currency = self.target_currency.data if self.target_currency.data in TARGET_CURRENCIES else "MYR"
        try:
            amount = parse_amount(field.data, currency).amount
        except MoneyError as exc:
            raise ValidationError(_l("Enter a price like 12.50 (ringgit) or 45000 (rupiah).")) from exc
        if amount <= 0:
            raise ValidationError(_l("A price must be more than zero."))
        if amount > MAX_IDR_PRICE:
            raise ValidationError(_l("Enter a smaller price."))
        self.minor_target = amount


class InquiryForm(TargetPriceMixin, FlaskForm):
    quantity = NumberField(_l("Quantity"), validators=[required()], minimum=1, maximum=MAX_QUANTITY)
    destination_state = ChoiceField(_l("Deliver to (state)"), validators=[chosen()])
    needed_by = DateField(_l("Needed by"), validators=[required()])
    message = TextAreaField(_l("Your message"), validators=[required(), length(MAX_MESSAGE)], filters=[strip],
                            description=_l("Write in your own language; the merchant answers in theirs."))


class MessageForm(FlaskForm):
    body = TextAreaField(_l("Message"), validators=[required(), length(MAX_MESSAGE)], filters=[strip])


class QuoteForm(FlaskForm):
    product_id = ChoiceField(_l("Product"), validators=[chosen()])
    unit_price = PriceField(_l("Price per unit (rupiah)"), validators=[required()])
    quantity = NumberField(_l("Quantity"), validators=[required()], minimum=1, maximum=MAX_QUANTITY,
                           description=_l("The buyer orders exactly this many at this price."))
    valid_until = DateField(_l("Valid until"), validators=[required()],
                            description=_l("The quote ends at midnight of this day, Bandung time."))
    shipping_terms = ChoiceRadioField(_l("Shipping"), validators=[chosen()], default=ShippingTerms.COURIER.value,
                                choices=options((t.value, name) for t, name in TERMS_NAMES.items()))
    freight = PriceField(_l("Sea freight for the whole order (rupiah)"),
                         description=_l("Only for sea freight: what the buyer pays for the shipment."))
    freight_days = NumberField(_l("Days by sea"), minimum=1, maximum=MAX_FREIGHT_DAYS,
                               description=_l("Only for sea freight: from your door to the buyer's."))
    notes = TextAreaField(_l("Notes (optional)"), validators=[length(MAX_NOTES)], filters=[strip],
                          description=_l("Packing, lead time, payment or freight terms."))


class AnswerForm(FlaskForm):
    """The buyer's answer to a quote: accept or decline (the button pressed)."""

    quote_id = HiddenField(validators=[required()])


class RequestForm(TargetPriceMixin, FlaskForm):
    title = StringField(_l("What are you looking for?"), validators=[required(), length(140)], filters=[strip],
                        description=_l("For example: Arabica coffee beans, 250 g packs, for a café chain."))
    category = ChoiceField(_l("Category"), validators=[chosen()])
    quantity = NumberField(_l("Quantity"), validators=[required()], minimum=1, maximum=MAX_QUANTITY)
    destination_state = ChoiceField(_l("Deliver to (state)"), validators=[chosen()])
    deadline = DateField(_l("Answers wanted by"), validators=[required()])
    details = TextAreaField(_l("Details (optional)"), validators=[length(2000)], filters=[strip],
                            description=_l("Packaging, certificates you need, how often you would order."))


class ButtonForm(FlaskForm):
    """A button that changes something: only its CSRF token."""
