"""Forms of the export-readiness page and of the officers' review."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from wtforms import StringField, TextAreaField
from wtforms.validators import Optional, ValidationError

from ..accounts.verification import REJECTION_REASONS, SUSPENSION_REASONS
from ..core.forms import ChoiceField, DateField, NumberField, chosen, digits, length, options, required, strip
from .models import DocumentKind, ExportExperience
from .services import CAPACITY_UNITS, DOCUMENT_KINDS, EXPERIENCE_NAMES, ReadinessData


def _no_spaces(value):
    return value.replace(" ", "").strip() if isinstance(value, str) else value


class ReadinessForm(FlaskForm):
    legal_name = StringField(
        _l("Legal name"), validators=[required(), length(160, 2)], filters=[strip],
        description=_l("As written on your NIB at OSS, such as CV Sangrai Preanger or PT ..., or your own name."),
    )
    nib = StringField(
        _l("NIB (Nomor Induk Berusaha)"), validators=[required(), digits(13)], filters=[_no_spaces],
        description=_l("The 13-digit business number from OSS."), render_kw={"inputmode": "numeric"},
    )
    npwp = StringField(
        _l("NPWP (tax number, optional)"), validators=[Optional(), length(20)], filters=[strip],
        description=_l("15 or 16 digits; dots and dashes are fine."),
    )
    monthly_capacity = NumberField(_l("Production capacity per month"), validators=[required()], minimum=1,
                                   maximum=10_000_000)
    capacity_unit = ChoiceField(_l("Unit"), validators=[chosen()])
    export_experience = ChoiceField(_l("Export experience"), validators=[chosen()])
    export_notes = TextAreaField(
        _l("Export experience in your own words (optional)"), validators=[Optional(), length(1000)], filters=[strip],
        description=_l("Where to, since when, through whom; trade fairs you took part in."),
    )
    can_get_form_d = ChoiceField(
        _l("Can you obtain a Form D (SKA, the ASEAN certificate of origin)?"), validators=[chosen()],
        description=_l("With a Form D, Malaysian customs charges no import duty on most goods from Indonesia."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.capacity_unit.choices = options([("", _l("Choose…")), *CAPACITY_UNITS.items()])
        self.export_experience.choices = options([("", _l("Choose…")),
                                                  *[(k.value, v) for k, v in EXPERIENCE_NAMES.items()]])
        self.can_get_form_d.choices = options([("", _l("Choose…")), ("yes", _l("Yes")), ("no", _l("Not yet"))])

    def validate_npwp(self, field):
        if field.data:
            number = "".join(ch for ch in field.data if ch in "0123456789")
            if len(number) not in (15, 16) or any(ch not in "0123456789.- " for ch in field.data):
                raise ValidationError(_l("An NPWP has 15 or 16 digits."))
            field.data = number

    def data_for_service(self) -> ReadinessData:
        return ReadinessData(
            legal_name=self.legal_name.data, nib=self.nib.data, npwp=self.npwp.data or None,
            monthly_capacity=self.monthly_capacity.data, capacity_unit=self.capacity_unit.data or None,
            export_experience=ExportExperience(self.export_experience.data) if self.export_experience.data else None,
            export_notes=self.export_notes.data, can_get_form_d={"yes": True, "no": False}.get(self.can_get_form_d.data),
        )


class DocumentForm(FlaskForm):
    kind = ChoiceField(_l("Document"), validators=[chosen()])
    file = FileField(_l("File"), description=_l("PDF, JPEG, PNG or WebP, at most 10 MB."),
                     render_kw={"accept": "application/pdf,image/jpeg,image/png,image/webp"})
    number = StringField(_l("Certificate number (optional)"), validators=[Optional(), length(60)], filters=[strip])
    expires_on = DateField(_l("Valid until (optional)"), validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = options([("", _l("Choose…")), *[(k.value, v) for k, v in DOCUMENT_KINDS.items()]])

    @property
    def kind_value(self) -> DocumentKind:
        return DocumentKind(self.kind.data)


class WorkshopPhotoForm(FlaskForm):
    photos = MultipleFileField(_l("Add workshop photos"), description=_l("JPEG, PNG or WebP, at most 10 MB each."),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})


class RejectForm(FlaskForm):
    reason = ChoiceField(_l("Reason"), validators=[chosen()])
    note = TextAreaField(_l("Note to the merchant"), validators=[Optional(), length(1000)], filters=[strip],
                         description=_l("What to fix. The merchant reads the reason in Indonesian, and this note as "
                                        "you write it."))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = options([("", _l("Choose…")), *REJECTION_REASONS.items()])


class SuspendForm(FlaskForm):
    reason = ChoiceField(_l("Reason"), validators=[chosen()])
    note = TextAreaField(_l("Note to the merchant"), validators=[Optional(), length(1000)], filters=[strip])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.reason.choices = options([("", _l("Choose…")), *SUSPENSION_REASONS.items()])
