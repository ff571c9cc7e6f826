"""The product form. CSV import feeds its rows through the same form, so both
give the same messages for the same mistakes."""
from __future__ import annotations

import re
from decimal import Decimal

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, MultipleFileField
from itsdangerous import BadData, URLSafeTimedSerializer
from wtforms import BooleanField, Form, FormField, HiddenField, StringField, TextAreaField
from wtforms.fields import FieldList
from wtforms.validators import Optional, ValidationError

from ..core.forms import (
    ChoiceField,
    DateField,
    MultiCheckboxField,
    NumberField,
    PriceField,
    chosen,
    length,
    options,
    required,
    strip,
)
from ..core.taxonomy import category_choices
from . import hs
from .models import FoodRegistration, HalalBody
from .services import MAX_PHOTOS, ProductData, StagedPhoto, Tier

MAX_TIERS = 5
PACKAGING_MATERIALS = [
    ("paper", _l("Paper or cardboard")),
    ("plastic", _l("Plastic")),
    ("glass", _l("Glass")),
    ("metal", _l("Metal or tin")),
    ("bamboo-wood", _l("Bamboo or wood")),
    ("cloth", _l("Cloth")),
    ("mixed", _l("Mixed materials")),
]
LABEL_LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English"), ("ms", "Bahasa Melayu"), ("ar", "العربية"),
                   ("zh", "中文")]
SKU = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,39}$")


class CentimetreField(StringField):
    """A length in centimetres with at most one decimal, kept as whole millimetres."""

    def __init__(self, label=None, validators=None, **kwargs):
        kwargs.setdefault("render_kw", {}).setdefault("inputmode", "decimal")
        super().__init__(label, validators, **kwargs)
        self.millimetres: int | None = None

    @staticmethod
    def format(mm: int) -> str:
        return str(mm // 10) if mm % 10 == 0 else f"{mm / 10:.1f}"

    def process_data(self, value):
        # Loaded from a product: millimetres in, centimetres shown.
        self.millimetres = value
        self.data = None if value is None else self.format(value)

    def pre_validate(self, form):
        raw = (self.data or "").strip().replace(",", ".")
        if not raw:
            self.millimetres = None
            return
        # Digits only: Decimal would also take "Infinity", "NaN" or "1e999999".
        if not re.fullmatch(r"[0-9]{1,6}(\.[0-9]{1,6})?", raw):
            raise ValidationError(_l("Enter a length in centimetres, like 12 or 12.5."))
        value = Decimal(raw)
        if value != value.quantize(Decimal("0.1")):
            raise ValidationError(_l("Use at most one decimal, like 12.5."))
        if not Decimal("0.1") <= value <= Decimal("300"):
            raise ValidationError(_l("Enter a length from 0.1 to 300 cm."))
        self.millimetres = int(value * 10)

    def _value(self):
        return self.data or ""


class TierForm(Form):
    min_quantity = NumberField(_l("From quantity"), minimum=2, maximum=1_000_000)
    unit_price = PriceField(_l("Unit price (Rp)"))

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        if ok and (self.min_quantity.data is None) != (self.unit_price.rupiah is None):
            target = self.unit_price if self.unit_price.rupiah is None else self.min_quantity
            target.errors = [*target.errors, _l("Fill in both the quantity and the price, or neither.")]
            return False
        return ok


class ProductForm(FlaskForm):
    name_id = StringField(_l("Name in Indonesian"), validators=[required(), length(140, 2)], filters=[strip])
    name_en = StringField(
        _l("Name in English"), validators=[Optional(), length(140, 2)], filters=[strip],
        description=_l("Optional, but most buyers in Malaysia read English; without it they see the Indonesian name."),
    )
    description_id = TextAreaField(_l("Description in Indonesian"), validators=[Optional(), length(5000)],
                                   filters=[strip])
    description_en = TextAreaField(_l("Description in English"), validators=[Optional(), length(5000)],
                                   filters=[strip])
    category = ChoiceField(_l("Category"), validators=[chosen()])
    hs_code = StringField(
        _l("HS code"), validators=[Optional()], filters=[strip],
        description=_l("Six digits, like 0901.21 for roasted coffee. Needed to publish."),
        render_kw={"inputmode": "decimal", "list": "hs-suggestions", "autocomplete": "off"},
    )
    sku = StringField(
        _l("SKU (your product code)"), validators=[required(), length(40)], filters=[strip],
        description=_l("Letters, digits, dots, dashes; unique in your shop."),
    )
    price = PriceField(_l("Retail price (Rp)"), validators=[required()])
    stock = NumberField(_l("Stock"), validators=[required()], minimum=0, maximum=1_000_000)
    moq = NumberField(_l("Minimum order quantity (MOQ)"), validators=[required()], minimum=1, maximum=100_000,
                      default=1)
    # One row to start; "Add a tier" (a submit button, so it works without JavaScript) asks for another.
    tiers = FieldList(FormField(TierForm), min_entries=1, max_entries=MAX_TIERS)
    processing = ChoiceField(
        _l("Processing time"), validators=[chosen()], default="ready",
        choices=options([("ready", _l("Ready to ship")), ("made_to_order", _l("Made to order"))]),
    )
    made_to_order_days = NumberField(_l("Days to make"), minimum=1, maximum=180)

    packed_weight_g = NumberField(
        _l("Packed weight (g)"), minimum=1, maximum=70_000,
        description=_l("The parcel as the courier weighs it: product, box and padding."),
    )
    box_length_cm = CentimetreField(_l("Length (cm)"))
    box_width_cm = CentimetreField(_l("Width (cm)"))
    box_height_cm = CentimetreField(_l("Height (cm)"))
    net_content = NumberField(_l("Net content"), minimum=1, maximum=1_000_000)
    net_content_unit = ChoiceField(_l("Unit"), choices=options([("", "—"), ("g", "g"), ("ml", "ml")]))
    units_per_carton = NumberField(_l("Units per carton"), minimum=1, maximum=10_000)
    packaging_material = ChoiceField(_l("Packaging material"))
    recyclable = BooleanField(_l("Recyclable packaging"))
    plastic_free = BooleanField(_l("Plastic-free packaging"))
    shelf_life_days = NumberField(_l("Shelf life (days)"), minimum=1, maximum=3650,
                                  description=_l("For food and cosmetics."))
    storage_note = StringField(_l("Storage"), validators=[Optional(), length(200)], filters=[strip],
                               description=_l("For example: keep in a cool, dry place."))
    label_languages = MultiCheckboxField(_l("Label languages"))

    halal_body = ChoiceField(_l("Halal certificate issued by"))
    halal_body_name = StringField(_l("Name of the certifying body"), validators=[Optional(), length(120)],
                                  filters=[strip])
    halal_number = StringField(_l("Halal certificate number"), validators=[Optional(), length(60)], filters=[strip])
    halal_expires_on = DateField(_l("Halal certificate valid until"), validators=[Optional()])
    food_registration = ChoiceField(_l("Food registration"))
    food_registration_number = StringField(_l("Registration number"), validators=[Optional(), length(40)],
                                           filters=[strip])
    npra_notification = StringField(
        _l("NPRA notification number (cosmetics)"), validators=[Optional(), length(20)], filters=[strip],
        description=_l("For example NOT210512345K, from the Malaysian notification holder."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = options([("", _l("Choose a category")), *category_choices()])
        self.packaging_material.choices = options([("", "—"), *PACKAGING_MATERIALS])
        self.label_languages.choices = options(LABEL_LANGUAGES)
        self.halal_body.choices = options([
            ("", _l("No halal certificate")), (HalalBody.BPJPH.value, "BPJPH"), (HalalBody.MUI.value, "MUI"),
            (HalalBody.OTHER.value, _l("Another body recognised by JAKIM")),
        ])
        self.food_registration.choices = options([
            ("", _l("None")), (FoodRegistration.BPOM_MD.value, "BPOM MD"), (FoodRegistration.PIRT.value, "P-IRT"),
        ])

    def validate_sku(self, field):
        if field.data and not SKU.match(field.data):
            raise ValidationError(_l("Use letters, digits, dots and dashes only (at most 40)."))

    def validate_hs_code(self, field):
        code = hs.normalise_hs(field.data)
        if not code:
            field.data = None
            return
        if not hs.HS_CODE.match(code):
            raise ValidationError(_l("An HS code has six digits, like 0901.21."))
        if hs.is_excluded(code):
            raise ValidationError(_l("Tobacco, alcoholic drinks, smoking pipes and e-cigarettes cannot be sold on Serumpun."))
        field.data = code

    def validate_made_to_order_days(self, field):
        if self.processing.data == "made_to_order" and field.data is None:
            raise ValidationError(_l("Say how many days it takes to make."))

    def validate_npra_notification(self, field):
        if field.data:
            value = field.data.replace(" ", "").upper()
            if not re.fullmatch(r"NOT[0-9]{9,10}[A-Z]?", value):
                raise ValidationError(_l("An NPRA notification number looks like NOT210512345K."))
            field.data = value

    def validate_food_registration_number(self, field):
        if not field.data:
            return
        digits = re.sub(r"[^0-9]", "", field.data)
        if self.food_registration.data == FoodRegistration.BPOM_MD.value:
            if len(digits) != 12:
                raise ValidationError(_l("A BPOM MD number has 12 digits, like MD 224510001234."))
            field.data = digits  # shown as "BPOM MD 224510001234"
        if self.food_registration.data == FoodRegistration.PIRT.value:
            if not 12 <= len(digits) <= 17:
                raise ValidationError(_l("A P-IRT number has 15 digits, like 2063273010123-24."))
            field.data = re.sub(r"^(?i:p-?irt)[\s.:]*(?i:no)?[\s.:]*", "", field.data).strip()


class NewProductForm(ProductForm):
    """The product form when creating: photos can be chosen in it too, not only after the first save."""

    photos = MultipleFileField(_l("Choose photos"), description=_l("JPEG, PNG or WebP, at most 10 MB each. The first one is the cover."),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})


class PhotoUploadForm(FlaskForm):
    photos = MultipleFileField(_l("Add photos"), description=_l("JPEG, PNG or WebP, at most 10 MB each."),
                               render_kw={"accept": "image/jpeg,image/png,image/webp"})


class PhotoAltForm(FlaskForm):
    alt_text = StringField(_l("Description for screen readers"), validators=[Optional(), length(200)],
                           filters=[strip])


class CsvImportForm(FlaskForm):
    file = FileField(_l("CSV file"), render_kw={"accept": ".csv,text/csv"})
    content = HiddenField()  # the previewed file, sent back to confirm


STAGED_MAX_AGE = 2 * 24 * 3600  # a form left open over a weekend night still saves its photos


def _staged_signer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="serumpun.staged-photo")


def staged_token(user_id: int, photo: StagedPhoto) -> str:
    """A photo chosen in the new-product form, signed for the page that carries it to the next request."""
    return _staged_signer().dumps({"u": user_id, "k": photo.image_key, "w": photo.width, "h": photo.height,
                                   "v": photo.variants})


def read_staged(user_id: int, tokens: list[str]) -> list[StagedPhoto]:
    """The photos this merchant chose earlier in the same form; forged, foreign or stale tokens are skipped."""
    photos: list[StagedPhoto] = []
    for token in tokens:
        try:
            value = _staged_signer().loads(token, max_age=STAGED_MAX_AGE)
        except BadData:
            continue
        if value.get("u") != user_id or any(p.image_key == value["k"] for p in photos):
            continue
        photos.append(StagedPhoto(image_key=value["k"], width=value["w"], height=value["h"], variants=value["v"]))
    return photos[:MAX_PHOTOS]


def product_data_from(form: ProductForm):
    """The form's values, parsed, for the catalog services."""

    tiers = [
        Tier(entry.form.min_quantity.data, entry.form.unit_price.rupiah, row=index)
        for index, entry in enumerate(form.tiers)
        if entry.form.min_quantity.data is not None and entry.form.unit_price.rupiah is not None
    ]
    return ProductData(
        sku=form.sku.data, name_id=form.name_id.data, name_en=form.name_en.data or None,
        description_id=form.description_id.data or None, description_en=form.description_en.data or None,
        category=form.category.data, hs_code=form.hs_code.data or None, price_idr=form.price.rupiah,
        stock=form.stock.data, moq=form.moq.data,
        made_to_order_days=form.made_to_order_days.data if form.processing.data == "made_to_order" else None,
        tiers=tiers, packed_weight_g=form.packed_weight_g.data,
        box_length_mm=form.box_length_cm.millimetres, box_width_mm=form.box_width_cm.millimetres,
        box_height_mm=form.box_height_cm.millimetres, net_content=form.net_content.data,
        net_content_unit=form.net_content_unit.data or None, units_per_carton=form.units_per_carton.data,
        packaging_material=form.packaging_material.data or None, recyclable=bool(form.recyclable.data),
        plastic_free=bool(form.plastic_free.data), shelf_life_days=form.shelf_life_days.data,
        storage_note=form.storage_note.data or None, label_languages=list(form.label_languages.data or []),
        halal_body=form.halal_body.data or None, halal_body_name=form.halal_body_name.data or None,
        halal_number=form.halal_number.data or None, halal_expires_on=form.halal_expires_on.data,
        food_registration=form.food_registration.data or None,
        food_registration_number=form.food_registration_number.data or None,
        npra_notification=form.npra_notification.data or None,
    )


def form_values(data) -> dict:
    """Initial values of the form for an existing product (a ProductData)."""
    values = {name: getattr(data, name) for name in (
        "sku", "name_id", "name_en", "description_id", "description_en", "category", "hs_code", "stock", "moq",
        "made_to_order_days", "packed_weight_g", "net_content", "net_content_unit", "units_per_carton",
        "packaging_material", "recyclable", "plastic_free", "shelf_life_days", "storage_note", "label_languages",
        "halal_body", "halal_body_name", "halal_number", "halal_expires_on", "food_registration",
        "food_registration_number", "npra_notification",
    )}
    values.update(
        price=data.price_idr,
        processing="made_to_order" if data.made_to_order_days else "ready",
        box_length_cm=data.box_length_mm, box_width_cm=data.box_width_mm, box_height_cm=data.box_height_mm,
        tiers=[{"min_quantity": t.min_quantity, "unit_price": t.unit_price_idr} for t in data.tiers],
        hs_code=hs.format_hs(data.hs_code) if data.hs_code else None,
    )
    return values


class SynonymGroupForm(FlaskForm):
    """A new group of search synonyms: its category (or all) and its terms."""

    category = ChoiceField(_l("Category"), default="")
    terms = TextAreaField(_l("Words that mean the same"), validators=[length(600)],
                          description=_l("Separate them with commas; a term may have several words. "
                                         "For example: kerupuk, keropok, crackers."),
                          render_kw={"rows": 2})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _l("All categories")), *category_choices()]
