"""Products: the merchant's own list and forms, and the public pages buyers see."""
from __future__ import annotations

from babel.lists import format_list
from flask import Blueprint, Flask, Response, current_app, flash, redirect, render_template, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from markupsafe import Markup

from ..accounts.models import Role
from ..core.auth import guard_blueprint
from ..core.cache import cached, cached_page
from ..core.errors import DomainError, NotFound
from ..core.forms import status_for
from ..core.models import utcnow
from ..core.places import state_choices
from ..core.taxonomy import CATEGORIES
from ..core.ui import add_dashboard_section, add_navigation
from ..core.unit_of_work import unit_of_work
from ..extensions import db, exempt_blueprint
from ..media.storage import storage
from ..rates.currency import request_rates, select_currency
from ..shipping import couriers
from ..verification import services as verification
from . import csv_io, delivery, hs, pages, saved_views, search, services, synonym_views
from .forms import (
    MAX_TIERS,
    PACKAGING_MATERIALS,
    CsvImportForm,
    NewProductForm,
    PhotoAltForm,
    PhotoUploadForm,
    ProductForm,
    form_values,
    product_data_from,
    read_staged,
    staged_token,
)
from .models import ProductStatus

bp = Blueprint("products", __name__, url_prefix="/merchant/products")
guard_blueprint(bp, Role.MERCHANT)

public = exempt_blueprint(Blueprint("catalog", __name__))  # read-only pages with no limits of their own

@bp.context_processor
@public.context_processor
def catalog_context():
    return {
        "hs_hints": [(c.code, c.name, hs.format_hs(c.hs_hint + "00")[:4]) for c in CATEGORIES.values() if c.hs_hint],
        "packaging_names": dict(PACKAGING_MATERIALS),
    }


def attach_problems(form, error: DomainError) -> None:
    """Put each problem next to its field; tier problems next to their row."""
    problems = getattr(error, "problems", None) or [services.Problem(error.field or "", error.message)]
    for problem in problems:
        if problem.field.startswith("tiers-"):
            entry = form.tiers.entries[int(problem.field.split("-")[1])]
            entry.form.min_quantity.errors = [*entry.form.min_quantity.errors, problem.message]
            continue
        field = getattr(form, problem.field, None)
        if field is not None:
            field.errors = [*field.errors, problem.message]
        else:
            form.form_errors.append(problem.message)


def language() -> str:
    return str(get_locale() or "id")


@bp.route("/")
def index():
    """The merchant's products with their status, stock and cover photo."""
    status_value = request.args.get("status", "")
    status = ProductStatus(status_value) if status_value in set(ProductStatus) else None
    products = services.list_own_products(current_user, status)
    return render_template("merchant/products/index.html", products=products, status=status,
                           statuses=list(ProductStatus), action_form=FlaskForm(), today=utcnow().date())


@bp.route("/new", methods=["GET", "POST"])
def create():
    """A new product, saved as a draft, with its photos chosen in the same form."""
    form = NewProductForm()
    adding_tier = form.is_submitted() and "add_tier" in request.form
    valid = not adding_tier and form.validate_on_submit()
    staged = read_staged(current_user.id, request.form.getlist("staged_photo")) if form.is_submitted() else []
    uploads = [(f.filename or "", f.read()) for f in request.files.getlist(form.photos.name)]
    if form.is_submitted() and any(name or data for name, data in uploads):
        # Stored and committed at once, whatever else the form says: a merchant never chooses a photo twice.
        with unit_of_work(capture=False):
            added, problems = services.stage_photos(current_user, uploads, storage(), already=len(staged),
                                                    max_pixels=current_app.config["MAX_UPLOAD_PIXELS"])
        staged += added
        form.photos.errors = list(problems)
    if adding_tier:
        if len(form.tiers) < MAX_TIERS:
            form.tiers.append_entry()
    elif valid and not form.photos.errors:
        with unit_of_work() as work:
            product = services.create_product(current_user, product_data_from(form), photos=staged)
        if work.refused:
            attach_problems(form, work.refused)
        else:
            flash(_("Draft saved.") if staged else _("Draft saved. Now add photos."), "success")
            if staged:
                return redirect(url_for("products.edit", product_id=product.id))
            return redirect(url_for("products.photos", product_id=product.id))
    return _form_page(form, None, staged=staged), status_for(form)


@bp.route("/<id:product_id>/edit", methods=["GET", "POST"])
def edit(product_id: int):
    """Change a product's details."""
    product = services.get_own_product(current_user, product_id)
    form = ProductForm(data=form_values(services.product_data(product)))
    if form.is_submitted() and "add_tier" in request.form:
        if len(form.tiers) < MAX_TIERS:
            form.tiers.append_entry()
    elif form.validate_on_submit():
        with unit_of_work() as work:
            services.update_product(current_user, product_id, product_data_from(form))
        if work.refused:
            attach_problems(form, work.refused)
        else:
            flash(_("Saved."), "success")
            return redirect(url_for("products.edit", product_id=product_id))
    return _form_page(form, product), status_for(form)


# The product form's folding sections and the fields in each.
SECTIONS = {
    "product": ("name_id", "description_id", "category", "sku", "hs_code"),
    "english": ("name_en", "description_en"),
    "photos": ("photos",),
    "price": ("price", "stock", "moq", "processing", "made_to_order_days", "tiers"),
    "packaging": ("packed_weight_g", "box_length_cm", "box_width_cm", "box_height_cm", "net_content",
                  "net_content_unit", "units_per_carton", "packaging_material", "recyclable", "plastic_free",
                  "shelf_life_days", "storage_note", "label_languages"),
    "certificates": ("halal_body", "halal_body_name", "halal_number", "halal_expires_on", "food_registration",
                     "food_registration_number", "npra_notification"),
}


def _has_errors(field) -> bool:
    if field.type == "FieldList":
        return any(_has_errors(sub) for entry in field for sub in entry.form)
    return bool(field.errors)


def _sections(form, missing_fields: set[str], adding_tier: bool) -> dict:
    """Which sections are open: the first, those that lack what publishing needs, those with a problem, and
    the prices when a tier was just added."""
    wrong = {key for key, names in SECTIONS.items() if any(_has_errors(form[n]) for n in names if n in form)}
    incomplete = {key for key, names in SECTIONS.items() if missing_fields & set(names)}
    return {"open": {"product"} | wrong | incomplete | ({"price"} if adding_tier else set()),
            "wrong": wrong, "incomplete": incomplete}


def _form_page(form, product, staged=()) -> str:
    """The product form, new or existing: its sections fold, the ones with a problem open."""
    extra: dict = {"missing": []}
    if product is not None:
        data = services.product_data(product)
        extra = dict(missing=services.missing_for_publishing(data, len(product.photos)),
                     missing_english=services.missing_english(data),
                     action_form=FlaskForm(), halal_notice=services.halal_notice(product, utcnow().date()))
    sections = _sections(form, {name for name, _ in extra["missing"]}, "add_tier" in request.form)
    extra["missing"] = [what for _, what in extra["missing"]]
    return render_template(
        "merchant/products/form.html", form=form, product=product, shipping_preview=Markup(_shipping_preview(form)),
        staged=[(photo, staged_token(current_user.id, photo)) for photo in staged], max_tiers=MAX_TIERS,
        hs_suggestions=hs.suggestions(), sections=sections, **extra,
    )


@bp.route("/shipping-preview")
def shipping_preview():
    """The courier preview for weight and box sizes as typed (the form's script asks as the merchant types)."""
    form = ProductForm(formdata=request.args, meta={"csrf": False})
    for field in (form.packed_weight_g, form.box_length_cm, form.box_width_cm, form.box_height_cm):
        field.validate(form)
    return _shipping_preview(form)


def _shipping_preview(form) -> str:
    weight = form.packed_weight_g.data if isinstance(form.packed_weight_g.data, int) else None
    box = (form.box_length_cm.millimetres, form.box_width_cm.millimetres, form.box_height_cm.millimetres)
    checks, advice = couriers.packaging_check(weight, box)
    return render_template("merchant/products/_shipping_preview.html", checks=checks, advice=advice)


@bp.route("/<id:product_id>/status", methods=["POST"])
def change_status(product_id: int):
    """Publish, unpublish, archive or restore."""
    form = FlaskForm()
    target_value = request.form.get("status", "")
    if not form.validate_on_submit() or target_value not in set(ProductStatus):
        flash(_("The request could not be completed."), "error")
        return redirect(url_for("products.index"))
    target = ProductStatus(target_value)
    with unit_of_work() as work:
        product = services.change_status(current_user, product_id, target)
    if isinstance(work.refused, services.CannotPublish):
        flash(_("To publish, add: %(missing)s.", missing=format_list([str(m) for m in work.refused.missing],
                                                                      locale=get_locale())), "error")
        return redirect(url_for("products.edit", product_id=product_id))
    if work.refused:
        flash(str(work.refused.message), "error")
        return redirect(url_for("products.index"))
    flash({ProductStatus.PUBLISHED: _("Published: buyers can see it now."),
           ProductStatus.DRAFT: _("Moved back to drafts: buyers no longer see it."),
           ProductStatus.ARCHIVED: _("Archived.")}[target], "success")
    back_to_edit = request.form.get("back") == "edit"
    return redirect(url_for("products.edit", product_id=product.id) if back_to_edit else url_for("products.index"))


@bp.route("/<id:product_id>/duplicate", methods=["POST"])
def duplicate(product_id: int):
    """Start a new draft from a copy of this product."""
    if not FlaskForm().validate_on_submit():
        return redirect(url_for("products.index"))
    with unit_of_work(capture=False):
        copy = services.duplicate_product(current_user, product_id)
    flash(_("Copied as a draft with SKU %(sku)s.", sku=copy.sku), "success")
    return redirect(url_for("products.edit", product_id=copy.id))


@bp.route("/<id:product_id>/photos", methods=["GET", "POST"])
def photos(product_id: int):
    """Upload, order and describe the product's photos."""
    product = services.get_own_product(current_user, product_id)
    form = PhotoUploadForm()
    if form.validate_on_submit():
        uploads = [(f.filename or "", f.read()) for f in request.files.getlist(form.photos.name)]
        with unit_of_work() as work:
            added = services.add_photos(current_user, product_id, uploads, storage(),
                                        max_pixels=current_app.config["MAX_UPLOAD_PIXELS"])
        if work.refused:
            form.photos.errors = [*form.photos.errors, work.refused.message]
        else:
            flash(_("%(n)d photo(s) added.", n=len(added)), "success")
            return redirect(url_for("products.photos", product_id=product_id))
    return render_template("merchant/products/photos.html", product=product, form=form,
                           action_form=FlaskForm(), max_photos=services.MAX_PHOTOS), status_for(form)


@bp.route("/<id:product_id>/photos/<id:photo_id>/move", methods=["POST"])
def move_photo(product_id: int, photo_id: int):
    """Move a photo up, down or to the front."""
    if FlaskForm().validate_on_submit():
        with unit_of_work(capture=False):
            services.move_photo(current_user, product_id, photo_id, request.form.get("direction", ""))
    return redirect(url_for("products.photos", product_id=product_id))


@bp.route("/<id:product_id>/photos/<id:photo_id>/alt", methods=["POST"])
def photo_alt(product_id: int, photo_id: int):
    """Describe a photo for people who cannot see it."""
    form = PhotoAltForm(prefix=f"photo-{photo_id}")
    if form.validate_on_submit():
        with unit_of_work(capture=False):
            services.set_photo_alt(current_user, product_id, photo_id, form.alt_text.data)
        flash(_("Description saved."), "success")
    else:
        flash(_("A description can have at most 200 characters."), "error")
    return redirect(url_for("products.photos", product_id=product_id))


@bp.route("/<id:product_id>/photos/<id:photo_id>/delete", methods=["POST"])
def delete_photo(product_id: int, photo_id: int):
    """Remove a photo."""
    if FlaskForm().validate_on_submit():
        with unit_of_work() as work:
            services.delete_photo(current_user, product_id, photo_id, storage())
        if work.refused:
            flash(str(work.refused.message), "error")
        else:
            flash(_("Photo removed."), "success")
    return redirect(url_for("products.photos", product_id=product_id))


@bp.route("/export.csv")
def export_csv():
    """All the merchant's products as a spreadsheet."""
    text = csv_io.export_products(
        current_user, lambda product: url_for("catalog.product_page", product_id=product.id, _external=True)
    )
    filename = f"serumpun-{current_user.merchant_profile.slug}-{utcnow():%Y%m%d}.csv"
    return Response(text, mimetype="text/csv",  # werkzeug adds "; charset=utf-8" to text types
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.route("/import", methods=["GET", "POST"])
def import_csv():
    """Upload a CSV, see every row checked, then confirm: nothing is written before that."""
    form = CsvImportForm()
    preview = None
    if form.validate_on_submit():
        content = form.content.data if request.form.get("confirm") else None
        if content is None:
            upload = request.files.get(form.file.name)
            raw = upload.read() if upload else b""
            try:
                content = csv_io.decode_upload(raw)
            except csv_io.CsvUnreadable as error:
                form.file.errors = [error.message]
                return render_template("merchant/products/import.html", form=form, preview=None), 400
        preview = csv_io.preview_import(current_user, content)
        if request.form.get("confirm") and preview.ok:
            with unit_of_work(capture=False):
                created, updated = csv_io.apply_import(current_user, preview)
            flash(_("Import done: %(created)d new, %(updated)d updated.", created=created, updated=updated), "success")
            return redirect(url_for("products.index"))
        db.session.rollback()
        form.content.data = content
    status = 400 if form.errors or (preview is not None and not preview.ok) else 200
    return render_template("merchant/products/import.html", form=form, preview=preview), status


def _browse_key():
    filters, problems = search.parse_filters(request.args, select_currency())
    return pages.search_key(filters, problems)


@public.route("/products")
@cached_page(_browse_key)
def browse():
    """Search and filter published products; every choice lives in the URL."""
    currency, today, lang = select_currency(), utcnow().date(), language()
    filters, problems = search.parse_filters(request.args, currency)
    rate = request_rates().get(currency)
    key = pages.search_key(filters, problems)

    def results() -> str:
        # Drawn from the parsed filters only: the raw query (an unknown parameter, "25,5" for 25.50) is not
        # in the key, so it must not show in what is cached under it either.
        result = search.search(filters, rate, today)
        return render_template("catalog/_results.html", result=result, cards=pages.card_prices(result.products),
                               language=lang, synonym_notes=_synonym_notes(result),
                               today=today, currency=currency, categories=CATEGORIES, args=filters.query_args(page=False),
                               ship_options=search.SHIP_OPTIONS, problems=problems)

    # The results part is the same for every reader who asks the same thing in the same language and currency.
    return render_template("catalog/browse.html", filters=filters,
                           results_html=Markup(cached("browse", key.parts, results, versions=key.versions)))


def _synonym_notes(result: search.SearchResult) -> list[str]:
    """For each term searched with its synonyms: "Showing results for “keropok” and “kerupuk”."."""
    notes = [_("Showing results for %(words)s.",
               words=format_list([f"“{' '.join(term)}”" for term in (slot.typed, *slot.others)], locale=get_locale()))
             for slot in result.synonyms]
    return list(dict.fromkeys(notes))  # a word typed twice is said once


def _product_key(product_id: int, slug: str | None = None):
    facts = pages.product_facts(product_id)
    if facts is None:
        return None
    merchant_id, moq = facts
    return pages.product_key(product_id, merchant_id, *pages.delivery_choice(moq))


@public.route("/products/<id:product_id>")
@public.route("/products/<id:product_id>-<slug>")
@cached_page(_product_key)
def product_page(product_id: int, slug: str | None = None):
    """A product as buyers see it."""
    facts = pages.product_facts(product_id)
    if facts is None:
        raise NotFound()
    merchant_id, moq = facts
    state, quantity = pages.delivery_choice(moq)
    viewer = current_user if current_user.is_authenticated else None
    owner = viewer is not None and viewer.merchant_profile is not None and viewer.merchant_profile.id == merchant_id
    if owner:
        # Its own merchant sees it as it is, a draft too (a preview only they may see): never from the cache.
        body = _product_body(services.get_published_product(product_id, viewer), state, quantity, viewer)
    else:
        key = pages.product_key(product_id, merchant_id, state, quantity)
        body = cached("product", key.parts,
                      lambda: _product_body(services.get_published_product(product_id), state, quantity),
                      versions=key.versions)
    return render_template("catalog/product.html", title=body["title"], body_html=Markup(body["html"]),
                           product_id=product_id, quantity=quantity, owner=owner)


def _product_body(product, state: str, quantity: int, viewer=None) -> dict:
    """The product page but for its header: the details, photos and the delivered price, the costly part."""
    today, lang = utcnow().date(), language()
    delivered = delivery.delivered_price(product, quantity, state, request_rates().get("MYR"), today, viewer)
    html = render_template("catalog/_product.html", product=product, language=lang, today=today,
                           delivered=delivered, state=state, quantity=quantity, states=state_choices())
    return {"title": product.name_for(lang), "html": html}


def _storefront_key(slug: str):
    merchant_id = pages.merchant_id_for(slug)
    return pages.storefront_key(slug, merchant_id) if merchant_id is not None else None


@public.route("/merchants/<slug>")
@cached_page(_storefront_key)
def storefront(slug: str):
    """A merchant's shop: its story and its published products."""
    merchant_id = pages.merchant_id_for(slug)
    if merchant_id is None:
        raise NotFound()

    def body() -> dict:
        merchant, products = services.get_storefront(slug)
        html = render_template("catalog/_storefront.html", merchant=merchant, products=products,
                               cards=pages.card_prices(products),
                               workshop=verification.workshop_photos_of(merchant.id),
                               language=language(), today=utcnow().date())
        return {"title": merchant.business_name, "html": html}

    key = pages.storefront_key(slug, merchant_id)
    shown = cached("storefront", key.parts, body, versions=key.versions)
    return render_template("catalog/storefront.html", title=shown["title"], body_html=Markup(shown["html"]))


def register(app: Flask) -> None:
    """The merchant's product pages, the public catalog, saved products, HS code filters and the product counts."""
    app.register_blueprint(bp)
    app.register_blueprint(public)
    synonym_views.register(app)
    saved_views.register(app)
    add_navigation(app, (None, "buyer"), "catalog.browse", _l("Products"), 20)
    add_navigation(app, ("merchant",), "products.index", _l("Products"), 20)
    add_dashboard_section(app, "merchant", lambda user: {"product_counts": services.count_own_products(user)})
    app.jinja_env.filters.update(hs=hs.format_hs, hs_chapter=hs.chapter_name)
    app.jinja_env.globals.update(takedown_reason=lambda code: services.TAKEDOWN_REASONS.get(code, code or ""))
