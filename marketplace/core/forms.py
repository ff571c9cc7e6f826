"""Form pieces with messages in our catalogs (WTForms has no Indonesian or Malay)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from wtforms import DateField as WTFormsDateField
from wtforms import SelectField, SelectMultipleField, widgets
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Email, InputRequired, Length, Regexp, StopValidation, ValidationError


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


class DateField(WTFormsDateField):
    """A date typed as 2027-06-30 (a phone's date picker sends that); a bad one is refused in our words."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("render_kw", {"type": "date"})
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError as exc:
            raise ValueError(_l("Enter a date, like 2027-06-30.")) from exc

    def pre_validate(self, form):
        if self.process_errors and self.raw_data and self.raw_data[0].strip():
            raise StopValidation()  # something unreadable was typed: say so, not "this field is required"


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


def status_for(form) -> int:
    """400 when the form is shown again with errors, 200 otherwise."""
    return 400 if form.form_errors or form.errors or flat_errors(form) else 200
