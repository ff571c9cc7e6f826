"""Forms for signing up, signing in and looking after an account."""
from __future__ import annotations

import phonenumbers
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, HiddenField, PasswordField, StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from ..core.forms import (
    ChoiceField,
    MultiCheckboxField,
    RadioChoiceField,
    chosen,
    digits,
    email,
    length,
    options,
    required,
    strip,
)
from ..core.i18n import LANGUAGE_NAMES
from ..core.places import country_choices, kecamatan_choices, state_choices
from ..core.taxonomy import category_choices
from .passwords import MAX_LENGTH, password_problem


def phone_number(region: str, mobile_only: bool = False):
    """Check a phone number for a country and store it in E.164 form."""

    def check(form, field):
        raw = (field.data or "").strip()
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException as exc:
            raise ValidationError(_l("Enter a phone number with its area or mobile code.")) from exc
        if not phonenumbers.is_valid_number(number):
            raise ValidationError(_l("This phone number does not look right."))
        if mobile_only and phonenumbers.number_type(number) not in (
            phonenumbers.PhoneNumberType.MOBILE,
            phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
        ):
            raise ValidationError(_l("WhatsApp needs a mobile number."))
        field.data = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)

    return check


class NewPasswordMixin:
    """A new password typed twice, checked against our rules."""

    password = PasswordField(
        _l("Password"),
        validators=[required(), length(MAX_LENGTH)],
        description=_l("At least 10 characters; avoid common passwords."),
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        _l("Repeat password"), validators=[required()], render_kw={"autocomplete": "new-password"}
    )

    def validate_password(self, field):
        email_field = getattr(self, "email", None)
        problem = password_problem(field.data or "", email_field.data if email_field else None)
        if problem:
            raise ValidationError(problem)

    def validate_confirm(self, field):
        if field.data != self.password.data:
            raise ValidationError(_l("The two passwords are not the same."))


def email_field():
    return EmailField(
        _l("Email"), validators=[required(), email(), length(254)], filters=[strip],
        render_kw={"autocomplete": "email"},
    )


class MerchantShopForm(FlaskForm):
    business_name = StringField(_l("Business name"), validators=[required(), length(120, 2)], filters=[strip])
    owner_name = StringField(_l("Owner's name"), validators=[required(), length(120, 2)], filters=[strip])
    whatsapp = StringField(
        _l("WhatsApp number"),
        validators=[required(), phone_number("ID", mobile_only=True)],
        filters=[strip],
        description=_l("For example 0812 3456 7890 or +62 812 3456 7890."),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )
    address_line = StringField(
        _l("Street address"), validators=[required(), length(200, 5)], filters=[strip],
        render_kw={"autocomplete": "street-address"},
    )
    kecamatan = ChoiceField(_l("Kecamatan"), validators=[chosen()])
    postcode = StringField(
        _l("Postcode"), validators=[required(), digits(5)], filters=[strip],
        render_kw={"inputmode": "numeric", "autocomplete": "postal-code"},
    )
    categories = MultiCheckboxField(_l("Main product categories"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kecamatan.choices = options([("", _l("Choose a kecamatan")), *kecamatan_choices()])
        self.categories.choices = options(category_choices())

    def validate_categories(self, field):
        if not field.data:
            raise ValidationError(_l("Choose at least one category."))


class MerchantShopEditForm(MerchantShopForm):
    npwp = StringField(
        _l("NPWP (tax number, optional)"), validators=[Optional(), length(20)], filters=[strip],
        description=_l("15 or 16 digits; dots and dashes are fine."),
    )
    story = TextAreaField(
        _l("Your story"), validators=[Optional(), length(2000)], filters=[strip],
        description=_l("Tell buyers who you are, how you make your products and how you pack them."),
    )

    def validate_npwp(self, field):
        if field.data:
            number = "".join(ch for ch in field.data if ch in "0123456789")
            if len(number) not in (15, 16) or any(ch not in "0123456789.- " for ch in field.data):
                raise ValidationError(_l("An NPWP has 15 or 16 digits."))
            field.data = number


class MerchantSignupForm(NewPasswordMixin, MerchantShopForm):
    email = email_field()
    nib = StringField(
        _l("NIB (Nomor Induk Berusaha)"),
        validators=[required(), digits(13)],
        filters=[lambda v: v.replace(" ", "").strip() if isinstance(v, str) else v],
        description=_l("The 13-digit business number from OSS."),
        render_kw={"inputmode": "numeric"},
    )


IN_MALAYSIA, ABROAD = "MY", "abroad"


class BuyerDetailsForm(FlaskForm):
    full_name = StringField(
        _l("Your name"), validators=[required(), length(120, 2)], filters=[strip], render_kw={"autocomplete": "name"}
    )
    company = StringField(
        _l("Company (optional)"), validators=[Optional(), length(120)], filters=[strip],
        description=_l("For shops and distributors buying wholesale."), render_kw={"autocomplete": "organization"},
    )
    # Where the buyer lives decides which address fields count: a Malaysian state, or a country and a region.
    # Both groups are on the page (a script hides the other one); only the chosen one is checked and kept.
    lives_in = RadioChoiceField(_l("Where do you live?"), validators=[chosen()], default=IN_MALAYSIA,
                                choices=options([(IN_MALAYSIA, _l("In Malaysia")), (ABROAD, _l("Outside Malaysia"))]))
    state = ChoiceField(_l("State (Malaysia)"))
    country = ChoiceField(_l("Country (outside Malaysia)"))
    region = StringField(
        _l("State or region (outside Malaysia)"), validators=[length(80)], filters=[strip],
        render_kw={"autocomplete": "address-level1"},
    )
    city = StringField(
        _l("City"), validators=[required(), length(80, 2)], filters=[strip],
        render_kw={"autocomplete": "address-level2"},
    )
    postcode = StringField(
        _l("Postcode"), validators=[required(), length(10)], filters=[strip],
        render_kw={"autocomplete": "postal-code"},
    )
    phone = StringField(
        _l("Phone"), validators=[required(), length(30)], filters=[strip],
        description=_l("For example 012-345 6789 or +60 12-345 6789."),
        render_kw={"autocomplete": "tel", "inputmode": "tel"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.country.choices = options([("", _l("Choose a country")),
                                        *((code, name) for code, name in country_choices() if code != "MY")])
        self.state.choices = options([("", _l("Choose a state")), *state_choices()])
        if getattr(self.lives_in, "raw_data", None) == []:
            # A form sent without the choice (an older page): the country it names says where.
            self.lives_in.data = ABROAD if self.country.data not in ("", None, "MY") else IN_MALAYSIA
            self.lives_in.raw_data = [self.lives_in.data]

    def validate(self, extra_validators=None):
        # Only the group for where the buyer lives counts: what was typed in the other one is dropped.
        if self.in_malaysia:
            self.country.data, self.region.data = "", ""
        else:
            self.state.data = ""
        return super().validate(extra_validators)

    @property
    def in_malaysia(self) -> bool:
        return self.lives_in.data != ABROAD

    @property
    def country_code(self) -> str:
        """The country the address is in: Malaysia, or the one chosen outside it (empty until chosen)."""
        return "MY" if self.in_malaysia else (self.country.data or "")

    def validate_state(self, field):
        if self.in_malaysia and not field.data:
            raise ValidationError(_l("Choose your state or federal territory."))

    def validate_country(self, field):
        if not self.in_malaysia and not field.data:
            raise ValidationError(_l("Choose your country."))

    def validate_region(self, field):
        if not self.in_malaysia and not field.data:
            raise ValidationError(_l("Enter your state, province or region."))

    def validate_postcode(self, field):
        value = field.data or ""
        if self.in_malaysia:
            if not (len(value) == 5 and value.isascii() and value.isdigit()):
                raise ValidationError(_l("A Malaysian postcode has 5 digits."))
        elif not (3 <= len(value) <= 10 and value.isascii() and value.replace(" ", "").replace("-", "").isalnum()):
            raise ValidationError(_l("This postcode does not look right."))

    def validate_phone(self, field):
        phone_number(self.country_code or "MY")(self, field)


class BuyerSignupForm(NewPasswordMixin, BuyerDetailsForm):
    email = email_field()


class LoginForm(FlaskForm):
    email = email_field()
    password = PasswordField(
        _l("Password"), validators=[required(), length(MAX_LENGTH)], render_kw={"autocomplete": "current-password"}
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    next = HiddenField()


class ForgotPasswordForm(FlaskForm):
    email = email_field()


class ResetPasswordForm(NewPasswordMixin, FlaskForm):
    pass


class ChangePasswordForm(NewPasswordMixin, FlaskForm):
    current_password = PasswordField(
        _l("Current password"), validators=[required()], render_kw={"autocomplete": "current-password"}
    )


class ChangeEmailForm(FlaskForm):
    email = EmailField(_l("New email"), validators=[required(), email(), length(254)], filters=[strip])
    current_password = PasswordField(
        _l("Current password"), validators=[required()], render_kw={"autocomplete": "current-password"}
    )


class LanguageForm(FlaskForm):
    language = ChoiceField(_l("Language"), validators=[chosen()], choices=options(LANGUAGE_NAMES.items()))
    next = HiddenField()


class CurrencyForm(FlaskForm):
    currency = ChoiceField(_l("Currency"), validators=[chosen()],
                           choices=options([("MYR", "MYR (RM)"), ("IDR", "IDR (Rp)"), ("SGD", "SGD (S$)"),
                                            ("USD", "USD (US$)")]))
    next = HiddenField()


class InviteOfficerForm(FlaskForm):
    email = email_field()
    full_name = StringField(_l("Name"), validators=[required(), length(120, 2)], filters=[strip])
    organisation = StringField(_l("Organisation"), validators=[required(), length(160, 2)], filters=[strip])
    country = ChoiceField(
        _l("Side of the partnership"),
        validators=[chosen()],
        choices=options([("ID", _l("Bandung, Indonesia")), ("MY", _l("Petaling Jaya, Malaysia"))]),
    )
