"""Form pieces with messages in our catalogs (WTForms has no Indonesian or Malay)."""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from wtforms import DateField as WTFormsDateField
from wtforms import RadioField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Regexp, StopValidation, ValidationError

from ..money import MAX_IDR_PRICE, MoneyError, parse_idr


def required():
    return DataRequired(message=_l("This field is required."))


def chosen():
    return InputRequired(message=_l("Please choose one."))


def length(max: int, min: int = -1):
    if min > 0:
        return Length(min=min, max=max, message=_l("Use between %(min)d and %(max)d characters.", min=min, max=max))
    return Length(max=max, message=_l("Use at most %(max)d characters.", max=max))


def email():
    return Email(message=_l("Enter a valid email address, like name@example.com."), check_deliverability=False)


def digits(count: int):
    return Regexp(rf"^[0-9]{{{count}}}$", message=_l("Enter exactly %(n)d digits.", n=count))


def strip(value):
    return value.strip() if isinstance(value, str) else value


def options(pairs) -> list[SelectChoice]:
    """Select options from (value, label) pairs."""
    return [SelectChoice(value, label) for value, label in pairs]


class ChoiceField(SelectField):
    """A select whose refusal of an unknown value speaks our languages."""

    def pre_validate(self, form):
        if self.data in ("", None):
            return  # whether a choice is needed is the validators' business
        if self.data not in {choice.value for choice in self.iter_choices()}:
            raise ValidationError(_l("Please choose one of the options."))


class RadioChoiceField(RadioField):
    """Radio buttons whose refusal of an unknown value speaks our languages."""

    def pre_validate(self, form):
        if self.data in ("", None):
            return
        if self.data not in {choice.value for choice in self.iter_choices()}:
            raise ValidationError(_l("Please choose one of the options."))


class DateField(WTFormsDateField):
    """A date typed as 2027-06-30 (a phone's date picker sends that); a bad one is refused in our words."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None  # nothing typed: whether a date is needed is the validators' business
            return
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Enter a date, like 2027-06-30.")) from exc

    def pre_validate(self, form):
        if self.process_errors and self.raw_data and self.raw_data[0].strip():
            raise StopValidation()  # something unreadable was typed: say so, not "this field is required"


class DateTimeField(StringField):
    """A moment typed on the reader's clock (a phone's picker sends 2027-06-30T09:00); .moment is UTC, naive."""

    FORMATS = ("%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S")

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("type", "datetime-local")
        super().__init__(label, validators, filters=[strip], **kwargs)
        self.moment: datetime | None = None

    def process_data(self, value):
        """A stored moment (naive UTC) shown on the reader's clock, as the picker wants it."""
        if isinstance(value, datetime):
            local = value.replace(tzinfo=timezone.utc).astimezone(get_timezone())
            value = local.strftime("%Y-%m-%dT%H:%M")
        super().process_data(value)

    def pre_validate(self, form):
        raw = (self.data or "").strip()
        self.moment = None
        if not raw:
            return
        for fmt in self.FORMATS:
            try:
                local = datetime.strptime(raw, fmt)
            except ValueError:
                continue
            zone = get_timezone()
            # pytz zones (Flask-Babel's) must localize: replace(tzinfo=) would give Jakarta's 1924 offset, +07:07.
            aware = zone.localize(local) if hasattr(zone, "localize") else local.replace(tzinfo=zone)
            self.moment = aware.astimezone(timezone.utc).replace(tzinfo=None)
            return
        raise StopValidation(_l("Enter a date and time, like 2027-06-30 09:00."))


def whole_number(minimum: int, maximum: int):
    """A whole number in a range; rejects decimals and text with our own message."""

    def check(form, field):
        raw = (field.data or "").strip() if isinstance(field.data, str) else field.data
        if raw in ("", None):
            field.data = None
            return
        if isinstance(raw, str):
            cleaned = raw.replace(".", "").replace(",", "") if re.fullmatch(r"[0-9]{1,3}([.,][0-9]{3})+", raw) else raw
            if not (cleaned.isascii() and cleaned.isdigit()):
                raise ValidationError(_l("Enter a whole number."))
            if len(cleaned) > 12:  # far past every maximum; int() of thousands of digits is refused anyway
                raise ValidationError(_l("Enter a number from %(min)d to %(max)d.", min=minimum, max=maximum))
            raw = int(cleaned)
        if not minimum <= raw <= maximum:
            raise ValidationError(_l("Enter a number from %(min)d to %(max)d.", min=minimum, max=maximum))
        field.data = raw

    return check


class NumberField(StringField):
    """A whole number typed as text: inputmode numeric on phones, our messages on errors."""

    def __init__(self, label=None, validators=None, minimum=0, maximum=10**9, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "numeric")
        super().__init__(label, [*(validators or []), whole_number(minimum, maximum)], **kwargs)

    def _value(self):
        return "" if self.data is None else str(self.data)


class PriceField(StringField):
    """Rupiah as a merchant types them: 45000, 45.000 or Rp 45.000; never sen."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "numeric")
        super().__init__(label, validators, **kwargs)
        self.rupiah: int | None = None

    def process_data(self, value):
        self.rupiah = value
        self.data = None if value is None else str(value)

    def pre_validate(self, form):
        raw = (self.data or "").strip()
        if not raw:
            self.rupiah = None
            return
        try:
            value = parse_idr(raw)
        except MoneyError as exc:
            if str(exc) == "decimals":
                raise ValidationError(_l("Rupiah prices are whole numbers: no sen.")) from exc
            raise ValidationError(_l("Enter a price in rupiah, like 45000 or 45.000.")) from exc
        if value <= 0:
            raise ValidationError(_l("A price must be more than zero."))
        if value > MAX_IDR_PRICE:
            raise ValidationError(_l("A price can be at most Rp 1.000.000.000."))
        self.rupiah = value

    def _value(self):
        return self.data or ""


class MultiCheckboxField(SelectMultipleField):
    """Several checkboxes: easier on a phone than a multiple select."""

    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()

    def pre_validate(self, form):
        allowed = {choice.value for choice in self.iter_choices()}
        if any(value not in allowed for value in self.data or []):
            raise ValidationError(_l("Please choose only from the options."))


def flat_errors(form) -> list[tuple[str, str, object]]:
    """(field id, label, message) for every error of a form, nested forms included.

    Read from the fields themselves: errors a service adds after validation are
    not in WTForms' cached form.errors.
    """
    found = []

    def walk(field):
        if field.type == "FieldList":
            for entry in field.entries:
                walk(entry)
        elif field.type == "FormField":
            for sub in field.form:
                walk(sub)
        elif field.type != "CSRFTokenField":
            found.extend((field.id, field.label.text, message) for message in field.errors)

    for field in form:
        walk(field)
    return found


def attach_refusal(form, error) -> None:
    """Show a service's refusal (a DomainError) next to its field, or at the top of the form."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)


def status_for(form) -> int:
    """400 when the form is shown again with errors, 200 otherwise."""
    return 400 if form.form_errors or form.errors or flat_errors(form) else 200
