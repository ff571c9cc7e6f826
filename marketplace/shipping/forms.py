from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, StringField
from wtforms.validators import Optional, ValidationError

from ..core.forms import ChoiceField, NumberField, PriceField, chosen, length, options, required, strip
from .couriers import ServiceData


class CourierServiceForm(FlaskForm):
    code = StringField(_l("Code"), validators=[required(), length(40, 2)], filters=[strip],
                       description=_l("Letters, digits and dashes; used in the API."))
    name = StringField(_l("Name in English"), validators=[required(), length(120, 2)], filters=[strip],
                       description=_l("Shown to readers whose language has no name of its own below."))
    name_id = StringField(_l("Name in Indonesian"), validators=[Optional(), length(120, 2)], filters=[strip])
    name_ms = StringField(_l("Name in Malay"), validators=[Optional(), length(120, 2)], filters=[strip])
    level = ChoiceField(_l("Service level"), validators=[chosen()],
                        choices=options([("express", _l("Express")), ("postal", _l("Postal")),
                                         ("economy", _l("Economy"))]))
    volumetric_divisor = NumberField(_l("Volumetric divisor (cm³ per kg)"), validators=[required()], minimum=1000,
                                     maximum=10_000)
    weight_step_g = NumberField(_l("Weight step (g)"), validators=[required()], minimum=1, maximum=10_000)
    max_weight_g = NumberField(_l("Maximum weight (g)"), validators=[required()], minimum=1, maximum=100_000)
    max_longest_cm = NumberField(_l("Longest side at most (cm)"), validators=[required()], minimum=1, maximum=500)
    max_sum_cm = NumberField(_l("Length + width + height at most (cm)"), validators=[required()], minimum=1,
                             maximum=1000)
    transit_min_days = NumberField(_l("Transit, fewest days"), validators=[required()], minimum=0, maximum=90)
    transit_max_days = NumberField(_l("Transit, most days"), validators=[required()], minimum=0, maximum=90)
    west_first = PriceField(_l("West Malaysia: first step (Rp)"), validators=[required()])
    west_next = PriceField(_l("West Malaysia: each further step (Rp)"), validators=[required()])
    east_first = PriceField(_l("East Malaysia: first step (Rp)"), validators=[Optional()])
    east_next = PriceField(_l("East Malaysia: each further step (Rp)"), validators=[Optional()])
    tracking_url_template = StringField(_l("Tracking address"), validators=[Optional(), length(300)], filters=[strip],
                                        description=_l("With {tracking} where the tracking number goes."))
    active = BooleanField(_l("Offered to buyers"), default=True)
    sample = BooleanField(_l("Sample rates (not a courier's price list)"))

    def validate_code(self, field):
        if field.data and not all(ch.isascii() and (ch.isalnum() or ch == "-") for ch in field.data):
            raise ValidationError(_l("Use letters, digits and dashes only."))

    def validate_transit_max_days(self, field):
        if isinstance(field.data, int) and isinstance(self.transit_min_days.data, int) \
                and field.data < self.transit_min_days.data:
            raise ValidationError(_l("The most days cannot be fewer than the fewest."))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        # Not an inline validator: Optional() stops those on an empty field, which is the case to catch.
        if ok and (self.east_first.rupiah is None) != (self.east_next.rupiah is None):
            self.east_next.errors.append(
                _l("Give both East Malaysia prices, or neither (then the service does not go there)."))
            return False
        return ok

    def validate_tracking_url_template(self, field):
        if field.data and ("{tracking}" not in field.data or not field.data.startswith("https://")):
            raise ValidationError(_l("An https:// address with {tracking} in it."))


def service_data_from(form: CourierServiceForm):
    """The form's values, parsed, for shipping.couriers.save_service (the page and the CSV import alike)."""

    rates = {"west": (form.west_first.rupiah, form.west_next.rupiah)}
    if form.east_first.rupiah is not None:
        rates["east"] = (form.east_first.rupiah, form.east_next.rupiah)
    return ServiceData(
        code=form.code.data, name=form.name.data, name_id=form.name_id.data or None, name_ms=form.name_ms.data or None,
        level=form.level.data,
        volumetric_divisor=form.volumetric_divisor.data, weight_step_g=form.weight_step_g.data,
        max_weight_g=form.max_weight_g.data, max_longest_mm=form.max_longest_cm.data * 10,
        max_sum_mm=form.max_sum_cm.data * 10, transit_min_days=form.transit_min_days.data,
        transit_max_days=form.transit_max_days.data, rates=rates,
        tracking_url_template=form.tracking_url_template.data or None, active=bool(form.active.data),
        sample=bool(form.sample.data),
    )
