"""Products: create, edit, duplicate, publish, archive, photos. Flush, never commit."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from ..accounts.models import MerchantProfile, User, VerificationStatus
from ..audit import services as audit
from ..core.errors import DomainError, NotFound
from ..core.models import utcnow
from ..core.signals import announce_after_commit, catalog_changed
from ..core.taxonomy import CATEGORIES, category_words
from ..extensions import db
from ..media.pipeline import ImageRejected, ProcessedImage, pixel_count, process_image
from ..media.services import delete_after_commit, store_image
from ..media.storage import StorageBackend
from ..verification import services as verification
from . import hs
from .models import FoodRegistration, HalalBody, PriceTier, Product, ProductPhoto, ProductStatus
from .queries import is_visible, may_preview, only_visible, shop_is_open

MAX_PHOTOS = 8
HALAL_WARNING_DAYS = 60


@dataclass
class Problem:
    field: str
    message: object


class ProductInvalid(DomainError):
    """One or more fields break a rule; each problem names its field."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__(problems[0].message, field=problems[0].field)


class CannotPublish(DomainError):
    def __init__(self, missing: list):
        self.missing = missing
        super().__init__(_l("This product cannot be published yet."))


class InvalidTransition(DomainError):
    status_code = 409
    default_message = _l("A product in this state cannot be changed that way.")


class PhotoRejected(DomainError):
    def __init__(self, message, filename: str = ""):
        self.filename = filename
        super().__init__(message, field="photos")


@dataclass
class Tier:
    min_quantity: int
    unit_price_idr: int
    row: int | None = None  # the form row it came from, to put a problem next to it


@dataclass
class ProductData:
    """Everything a merchant edits about a product, already parsed into types."""

    sku: str
    name_id: str
    category: str
    price_idr: int
    stock: int
    moq: int = 1
    name_en: str | None = None
    description_id: str | None = None
    description_en: str | None = None
    hs_code: str | None = None
    made_to_order_days: int | None = None
    tiers: list[Tier] = field(default_factory=list)
    packed_weight_g: int | None = None
    box_length_mm: int | None = None
    box_width_mm: int | None = None
    box_height_mm: int | None = None
    net_content: int | None = None
    net_content_unit: str | None = None
    units_per_carton: int | None = None
    packaging_material: str | None = None
    recyclable: bool = False
    plastic_free: bool = False
    shelf_life_days: int | None = None
    storage_note: str | None = None
    label_languages: list[str] = field(default_factory=list)
    halal_body: str | None = None
    halal_body_name: str | None = None
    halal_number: str | None = None
    halal_expires_on: date | None = None
    food_registration: str | None = None
    food_registration_number: str | None = None
    npra_notification: str | None = None


SIMPLE_FIELDS = [f.name for f in fields(ProductData) if f.name not in ("tiers",)]


def _listed_details(product: Product) -> tuple:
    """What lists of products show of this one: every detail (the API's list has them all), and whether it is
    in stock, but not how many are left. A change of the stock count alone, which is what a sale makes,
    leaves every cached listing and storefront standing."""
    data = product_data(product)
    return (*(getattr(data, f.name) for f in fields(ProductData) if f.name != "stock"), product.stock > 0)


def _catalog_changed(product: Product, listed: bool) -> None:
    """Buyers see this change once the transaction commits: the product's page, and lists too when listed.

    A change to a product that is not published is never listed: no list shows it, before or after.
    """
    product.updated_at = utcnow()
    announce_after_commit(db.session, catalog_changed, "catalog", product_id=product.id,
                          merchant_id=product.merchant_id, listed=listed)


def check_product(merchant: MerchantProfile, data: ProductData, product: Product | None = None) -> list[Problem]:
    """The rules that span fields or need the database; field formats are the form's job."""
    problems: list[Problem] = []
    if data.category not in CATEGORIES:
        problems.append(Problem("category", _l("Please choose one of the options.")))
    if data.hs_code and hs.is_excluded(data.hs_code):
        problems.append(Problem("hs_code", _l("Tobacco, alcoholic drinks, smoking pipes and e-cigarettes cannot be sold on Serumpun.")))

    clash = select(Product.id).where(Product.merchant_id == merchant.id, func.lower(Product.sku) == data.sku.lower())
    if product is not None:
        clash = clash.where(Product.id != product.id)
    if db.session.scalar(clash) is not None:
        problems.append(Problem("sku", _l("You already have a product with this SKU.")))

    previous_quantity, previous_price = data.moq, data.price_idr
    for index, tier in enumerate(data.tiers):
        name = f"tiers-{tier.row if tier.row is not None else index}"
        if tier.min_quantity <= previous_quantity:
            message = (_l("A wholesale tier starts above the minimum order quantity.") if index == 0
                       else _l("Each tier needs a larger quantity than the one before."))
            problems.append(Problem(name, message))
        elif tier.unit_price_idr >= previous_price:
            message = (_l("A wholesale price must be below the retail price.") if index == 0
                       else _l("Prices must fall as quantities rise."))
            problems.append(Problem(name, message))
        previous_quantity, previous_price = tier.min_quantity, tier.unit_price_idr

    halal = (data.halal_body, data.halal_number, data.halal_expires_on)
    if any(halal) and not all(halal):
        problems.append(Problem("halal_number", _l("A halal certificate needs its issuer, number and expiry date.")))
    if data.halal_body == HalalBody.OTHER.value and not data.halal_body_name:
        problems.append(Problem("halal_body_name", _l("Name the body that issued the certificate.")))
    if bool(data.food_registration) != bool(data.food_registration_number):
        problems.append(Problem("food_registration_number",
                                _l("Choose the kind of food registration and enter its number.")))
    if data.made_to_order_days is not None and not 1 <= data.made_to_order_days <= 180:
        problems.append(Problem("made_to_order_days", _l("Enter a number from %(min)d to %(max)d.", min=1, max=180)))
    dims = (data.box_length_mm, data.box_width_mm, data.box_height_mm)
    if any(d is not None for d in dims) and not all(d is not None for d in dims):
        problems.append(Problem("box_length_cm", _l("Give all three box dimensions, or none.")))
    if product is not None and product.is_published:
        problems += [Problem(name, _l("A published product needs this. Unpublish it first to remove it."))
                     for name, _ in missing_for_publishing(data, photo_count=len(product.photos))]
    return problems


def missing_for_publishing(data, photo_count: int) -> list[tuple[str, object]]:
    """What a product lacks before buyers may see it: (field, what to add)."""
    missing = []
    if photo_count == 0:
        missing.append(("photos", _l("at least one photo")))
    if not data.packed_weight_g:
        missing.append(("packed_weight_g", _l("the packed weight")))
    if data.box_length_mm is None:
        missing.append(("box_length_cm", _l("the box dimensions")))
    if not data.hs_code:
        missing.append(("hs_code", _l("an HS code")))
    return missing


def missing_english(data) -> list[tuple[str, object]]:
    """English a merchant may add: not needed to publish (buyers then read the Indonesian), but most buyers
    in Malaysia read English first. (field, what to add)"""
    missing = []
    if not data.name_en:
        missing.append(("name_en", _l("a name in English")))
    if data.description_id and not data.description_en:
        missing.append(("description_en", _l("a description in English")))
    return missing


def _apply(product: Product, data: ProductData) -> None:
    for name in SIMPLE_FIELDS:
        setattr(product, name, getattr(data, name))
    product.halal_body = HalalBody(data.halal_body) if data.halal_body else None
    product.food_registration = FoodRegistration(data.food_registration) if data.food_registration else None
    if product.halal_body != HalalBody.OTHER:
        product.halal_body_name = None
    product.search_text = category_words(product.category)
    wanted = {t.min_quantity: t.unit_price_idr for t in data.tiers}
    product.tiers = [t for t in product.tiers if t.min_quantity in wanted]
    for tier in product.tiers:
        tier.unit_price_idr = wanted.pop(tier.min_quantity)
    product.tiers += [PriceTier(min_quantity=q, unit_price_idr=p) for q, p in wanted.items()]


def _merchant_of(user: User) -> MerchantProfile:
    if user.merchant_profile is None:
        raise NotFound()
    return user.merchant_profile


def get_own_product(user: User, product_id: int) -> Product:
    """The product, if it belongs to this merchant; otherwise it does not exist for them."""
    merchant = _merchant_of(user)
    product = db.session.get(Product, product_id)
    if product is None or product.merchant_id != merchant.id:
        raise NotFound()
    return product


def create_product(user: User, data: ProductData, photos: list[StagedPhoto] | tuple = ()) -> Product:
    """A new draft product in the merchant's shop, with the photos chosen in the same form (already stored)."""
    merchant = _merchant_of(user)
    problems = check_product(merchant, data)
    if problems:
        raise ProductInvalid(problems)
    product = Product(merchant=merchant, status=ProductStatus.DRAFT, tiers=[], photos=[])
    _apply(product, data)
    product.photos = [_photo_from(photo, position) for position, photo in enumerate(photos[:MAX_PHOTOS])]
    db.session.add(product)
    db.session.flush()
    _catalog_changed(product, listed=False)  # a draft: only its merchant sees it, never from the cache
    return product


def update_product(user: User, product_id: int, data: ProductData) -> Product:
    """Change a product's details; a published product must stay publishable."""
    product = get_own_product(user, product_id)
    problems = check_product(product.merchant, data, product)
    if problems:
        raise ProductInvalid(problems)
    before = _listed_details(product)
    _apply(product, data)
    # updated_at moves even when only its wholesale tiers changed
    _catalog_changed(product, listed=product.is_published and _listed_details(product) != before)
    db.session.flush()
    return product


def product_data(product: Product) -> ProductData:
    """A product's editable details, as the form and the CSV export use them."""
    values = {name: getattr(product, name) for name in SIMPLE_FIELDS}
    values["halal_body"] = product.halal_body.value if product.halal_body else None
    values["food_registration"] = product.food_registration.value if product.food_registration else None
    values["tiers"] = [Tier(t.min_quantity, t.unit_price_idr) for t in product.tiers]
    values["label_languages"] = list(product.label_languages or [])
    return ProductData(**values)


TRANSITIONS = {
    (ProductStatus.DRAFT, ProductStatus.PUBLISHED),
    (ProductStatus.PUBLISHED, ProductStatus.DRAFT),
    (ProductStatus.DRAFT, ProductStatus.ARCHIVED),
    (ProductStatus.PUBLISHED, ProductStatus.ARCHIVED),
    (ProductStatus.ARCHIVED, ProductStatus.DRAFT),
}


def change_status(user: User, product_id: int, target: ProductStatus) -> Product:
    """Publish, unpublish, archive or restore, through the one table of allowed moves."""
    product = get_own_product(user, product_id)
    if (product.status, target) not in TRANSITIONS:
        raise InvalidTransition()
    if target == ProductStatus.PUBLISHED and product.is_taken_down:
        raise TakenDown()
    before = product.status
    was_published = product.is_published
    if target == ProductStatus.PUBLISHED:
        missing = missing_for_publishing(product_data(product), len(product.photos))
        if missing:
            raise CannotPublish([what for _, what in missing])
        product.mark_published()
    else:
        product.status = target
    _catalog_changed(product, listed=was_published or product.is_published)
    db.session.flush()
    audit.record(user, "product.status_changed", "product", product.id, {"status": before}, {"status": target})
    return product


# Why an officer takes a listing down: its merchant reads these in its own language, with the note beside.
TAKEDOWN_REASONS = {
    "prohibited": _l("The product may not be sold or exported to Malaysia."),
    "misleading": _l("The name, photos or description are misleading."),
    "counterfeit": _l("The product looks counterfeit or infringes a brand."),
    "certificate": _l("A halal or BPOM claim is missing, expired or wrong."),
    "wrong_category": _l("The product is in the wrong category or has the wrong HS code."),
    "other": _l("Another reason: see the officer's note."),
}


class TakenDown(DomainError):
    status_code = 409
    default_message = _l("An officer took this listing down. Fix what the officer asked for; an officer will "
                         "lift the takedown so that you can publish it again.")


def _officer(actor: User) -> None:
    if actor is None or not actor.is_officer:
        raise DomainError(_l("Only officers can do this."))


def get_product_for_officer(product_id: int) -> Product:
    """Any product, whatever its status, for an officer's moderation page."""
    product = db.session.scalar(select(Product).where(Product.id == product_id)
                                .options(selectinload(Product.photos), selectinload(Product.merchant)))
    if product is None:
        raise NotFound()
    return product


def take_down(actor: User, product_id: int, reason: str, note: str | None) -> Product:
    """An officer takes a listing down: it leaves the catalog at once, and its merchant reads why."""
    _officer(actor)
    if reason not in TAKEDOWN_REASONS:
        raise DomainError(_l("Please choose one of the options."), field="reason")
    product = get_product_for_officer(product_id)
    if product.is_taken_down:
        raise DomainError(_l("This listing is already taken down."))
    if product.status == ProductStatus.ARCHIVED:
        raise DomainError(_l("This listing is archived: buyers do not see it."))
    before = {"status": product.status, "taken_down": False}
    was_published = product.is_published
    product.status = ProductStatus.DRAFT
    product.takedown_reason, product.takedown_note = reason, note or None
    product.taken_down_at, product.taken_down_by_id = utcnow(), actor.id
    _catalog_changed(product, listed=was_published)
    db.session.flush()
    audit.record(actor, "product.taken_down", "product", product.id, before,
                 {"status": product.status, "taken_down": True, "reason": reason, **({"note": note} if note else {})})
    return product


def lift_takedown(actor: User, product_id: int) -> Product:
    """An officer lifts a takedown: the merchant may publish the listing again (it stays a draft until then)."""
    _officer(actor)
    product = get_product_for_officer(product_id)
    if not product.is_taken_down:
        raise DomainError(_l("This listing is not taken down."))
    before = {"taken_down": True, "reason": product.takedown_reason}
    product.takedown_reason = product.takedown_note = product.taken_down_at = product.taken_down_by_id = None
    _catalog_changed(product, listed=False)
    db.session.flush()
    audit.record(actor, "product.takedown_lifted", "product", product.id, before, {"taken_down": False})
    return product


def list_taken_down(limit: int = 100) -> list[Product]:
    """Listings taken down by officers, newest first."""
    return list(db.session.scalars(select(Product).where(Product.taken_down_at.is_not(None))
                                   .options(selectinload(Product.merchant))
                                   .order_by(Product.taken_down_at.desc()).limit(limit)))


def duplicate_product(user: User, product_id: int) -> Product:
    """A draft copy with a new SKU; photos are shared until one copy changes them."""
    original = get_own_product(user, product_id)
    if original.is_taken_down:
        raise TakenDown()  # a copy would put the listing back without an officer's say
    data = product_data(original)
    base = f"{original.sku[:33]}-copy"
    sku, n = base, 1
    while db.session.scalar(select(Product.id).where(Product.merchant_id == original.merchant_id,
                                                     func.lower(Product.sku) == sku.lower())):
        n += 1
        sku = f"{base}{n}"
    data.sku = sku
    copy = create_product(user, data)
    copy.photos = [
        ProductPhoto(position=p.position, alt_text=p.alt_text, image_key=p.image_key, width=p.width,
                     height=p.height, variants=list(p.variants))
        for p in original.photos
    ]
    db.session.flush()
    return copy


REJECTION_MESSAGES = {
    "empty": _l("%(name)s is empty."),
    "too_large": _l("%(name)s is larger than 10 MB."),
    "format": _l("%(name)s is not a JPEG, PNG or WebP image."),
    "dimensions": _l("%(name)s is larger than 8000 pixels on a side."),
    "bomb": _l("%(name)s has too many pixels to be a product photo."),
    "broken": _l("%(name)s is damaged or incomplete."),
}


def _image_key(image: ProcessedImage) -> str:
    return image.variants[-1].webp.name.split(".")[0]


def _photo_step(filename: str, step, data: bytes):
    """One step of the pipeline on one upload; a refusal names the file."""
    shown = (filename or "photo")[:80]
    try:
        return step(data)
    except ImageRejected as rejection:
        raise PhotoRejected(REJECTION_MESSAGES[rejection.code] % {"name": shown}, shown) from rejection


@dataclass
class StagedPhoto:
    """A photo processed and stored before its product exists: the new-product form keeps it while the
    merchant adds a tier or fixes a mistake, and the product takes it when it is saved."""

    image_key: str
    width: int
    height: int
    variants: list[dict]


def _variants(image: ProcessedImage) -> list[dict]:
    return [{"width": v.width, "height": v.height, "webp": v.webp.name, "jpeg": v.jpeg.name} for v in image.variants]


def _photo_from(staged: StagedPhoto, position: int) -> ProductPhoto:
    return ProductPhoto(position=position, image_key=staged.image_key, width=staged.width, height=staged.height,
                        variants=list(staged.variants))


def stage_photos(user: User, uploads: list[tuple[str, bytes]], backend: StorageBackend, already: int = 0,
                 max_pixels: int | None = None) -> tuple[list[StagedPhoto], list[object]]:
    """Check and store photos chosen in the new-product form: the good ones are kept, each refusal is a message.

    Nothing is written to the database; the files stay once the caller commits (a rollback removes them).
    """
    _merchant_of(user)
    uploads = [(name, data) for name, data in uploads if name or data]
    problems: list[object] = []
    if already + len(uploads) > MAX_PHOTOS:
        problems.append(_l("A product can have at most %(n)d photos.", n=MAX_PHOTOS))
        uploads = uploads[:max(MAX_PHOTOS - already, 0)]
    staged, pixels = [], 0
    for filename, data in uploads:
        try:
            size = _photo_step(filename, pixel_count, data)
            if max_pixels is not None and pixels + size > max_pixels:
                problems.append(_l("%(name)s was not added: one upload may have at most %(limit)d million pixels "
                                   "in all. Add it again on its own.", name=(filename or "photo")[:80],
                                   limit=max_pixels // 1_000_000))
                continue
            image = _photo_step(filename, process_image, data)
        except PhotoRejected as rejection:
            problems.append(rejection.message)
            continue
        pixels += size
        store_image(db.session, backend, image)
        staged.append(StagedPhoto(image_key=_image_key(image), width=image.width, height=image.height,
                                  variants=_variants(image)))
    return staged, problems


def add_photos(user: User, product_id: int, uploads: list[tuple[str, bytes]], backend: StorageBackend,
               max_pixels: int | None = None) -> list[ProductPhoto]:
    """Process every upload first; if any is refused, nothing is stored. At most max_pixels in all are decoded."""
    product = get_own_product(user, product_id)
    uploads = [(name, data) for name, data in uploads if name or data]
    if not uploads:
        raise PhotoRejected(_l("Choose at least one photo."))
    if len(product.photos) + len(uploads) > MAX_PHOTOS:
        raise PhotoRejected(_l("A product can have at most %(n)d photos.", n=MAX_PHOTOS))
    # Decoding costs time in proportion to pixels, not bytes: seven one-bit PNGs of 5 KB are 280 million
    # pixels. Every header is read (cheap) and the sum bounded before a single pixel is decoded.
    sizes = [_photo_step(filename, pixel_count, data) for filename, data in uploads]
    if max_pixels is not None and sum(sizes) > max_pixels:
        raise PhotoRejected(_l("Together these photos have %(total)d million pixels; one upload may have at most "
                               "%(limit)d million. Upload them a few at a time.",
                               total=-(-sum(sizes) // 1_000_000), limit=max_pixels // 1_000_000))
    processed = [_photo_step(filename, process_image, data) for filename, data in uploads]
    added = []
    position = max((p.position for p in product.photos), default=-1)
    for image in processed:
        store_image(db.session, backend, image)
        position += 1
        photo = ProductPhoto(position=position, image_key=_image_key(image), width=image.width, height=image.height,
                             variants=_variants(image))
        product.photos.append(photo)
        added.append(photo)
    _catalog_changed(product, listed=product.is_published)  # its cover photo shows on its cards
    db.session.flush()
    return added


def _own_photo(user: User, product_id: int, photo_id: int) -> tuple[Product, ProductPhoto]:
    product = get_own_product(user, product_id)
    photo = next((p for p in product.photos if p.id == photo_id), None)
    if photo is None:
        raise NotFound()
    return product, photo


def _renumber(product: Product, ordered: list[ProductPhoto]) -> None:
    for index, photo in enumerate(ordered):
        photo.position = index
    product.photos.sort(key=lambda p: p.position)


def move_photo(user: User, product_id: int, photo_id: int, direction: str) -> None:
    """Move a photo one place earlier ("up"), later ("down"), or to the front as the cover ("cover")."""
    product, photo = _own_photo(user, product_id, photo_id)
    ordered = list(product.photos)
    index = ordered.index(photo)
    ordered.pop(index)
    target = {"up": max(index - 1, 0), "down": min(index + 1, len(ordered)), "cover": 0}.get(direction)
    if target is None:
        raise DomainError(_l("The request could not be completed."))
    ordered.insert(target, photo)
    _renumber(product, ordered)
    _catalog_changed(product, listed=product.is_published)  # its cover photo shows on its cards
    db.session.flush()


def set_photo_alt(user: User, product_id: int, photo_id: int, alt_text: str | None) -> None:
    """Describe a photo for screen readers."""
    product, photo = _own_photo(user, product_id, photo_id)
    photo.alt_text = (alt_text or "").strip() or None
    _catalog_changed(product, listed=product.is_published)  # its cover photo shows on its cards
    db.session.flush()


def delete_photo(user: User, product_id: int, photo_id: int, backend: StorageBackend) -> None:
    """Remove a photo; its files go once no other photo uses them and the change is committed."""
    product, photo = _own_photo(user, product_id, photo_id)
    if product.is_published and len(product.photos) == 1:
        raise DomainError(_l("A published product needs at least one photo. Add another before removing this one."))
    still_used = db.session.scalar(
        select(func.count()).select_from(ProductPhoto).where(ProductPhoto.image_key == photo.image_key,
                                                             ProductPhoto.id != photo.id)
    )
    files = photo.files
    product.photos.remove(photo)
    _renumber(product, list(product.photos))
    _catalog_changed(product, listed=product.is_published)  # its cover photo shows on its cards
    db.session.flush()
    if not still_used and not verification.workshop_photo_uses(photo.image_key):  # the same upload, on the shop
        delete_after_commit(db.session, backend, files)


def halal_notice(product: Product, today: date) -> str | None:
    """'expired' or 'expiring' when the merchant should renew the certificate."""
    if not product.halal_expires_on:
        return None
    if product.halal_expires_on < today:
        return "expired"
    if product.halal_expires_on <= today + timedelta(days=HALAL_WARNING_DAYS):
        return "expiring"
    return None


def count_own_products(user: User) -> dict[str, int]:
    """How many of the merchant's products are in each status."""
    merchant = _merchant_of(user)
    rows = db.session.execute(select(Product.status, func.count()).where(Product.merchant_id == merchant.id)
                              .group_by(Product.status)).all()
    counts = {status.value: 0 for status in ProductStatus}
    counts.update({status.value: n for status, n in rows})
    return counts


def list_own_products(user: User, status: ProductStatus | None = None) -> list[Product]:
    """The merchant's products, most recently changed first."""
    merchant = _merchant_of(user)
    query = (select(Product).where(Product.merchant_id == merchant.id)
             .options(selectinload(Product.photos)).order_by(Product.updated_at.desc(), Product.id.desc()))
    if status is not None:
        query = query.where(Product.status == status)
    return list(db.session.scalars(query))


def get_published_product(product_id: int, viewer: User | None = None) -> Product:
    """A product buyers may see; its own merchant may also preview a draft."""
    product = db.session.scalar(
        # The merchant and its account in the same query (is_visible reads both), the photos and tiers in one
        # more each: four round trips to the database fewer than loading each as it is first read.
        select(Product).where(Product.id == product_id).options(
            selectinload(Product.photos), selectinload(Product.tiers),
            joinedload(Product.merchant).joinedload(MerchantProfile.user),
        )
    )
    if product is None or not (is_visible(product) or may_preview(product, viewer)):
        raise NotFound()
    return product


def get_storefront(slug: str) -> tuple[MerchantProfile, list[Product]]:
    """A merchant's public shop and its published products, newest first."""
    merchant = db.session.scalar(select(MerchantProfile).where(MerchantProfile.slug == slug))
    if merchant is None or not shop_is_open(merchant):
        raise NotFound()
    products = db.session.scalars(
        only_visible(select(Product)).where(Product.merchant_id == merchant.id)
        .options(selectinload(Product.photos), selectinload(Product.tiers))
        .order_by(Product.published_at.desc(), Product.id.desc())
    ).all()
    return merchant, list(products)


def new_arrivals(limit: int = 8) -> list[Product]:
    """The most recently published products of active merchants."""
    return list(db.session.scalars(
        only_visible(select(Product))
        .options(selectinload(Product.photos), contains_eager(Product.merchant))
        .order_by(Product.published_at.desc(), Product.id.desc()).limit(limit)
    ))


def showcase_merchants(limit: int = 6, verified_only: bool = True) -> list[tuple[MerchantProfile, int]]:
    """Merchants (verified ones, unless asked otherwise) with published products, most products first."""
    query = (
        only_visible(select(MerchantProfile, func.count(Product.id)).select_from(Product))
        .options(selectinload(MerchantProfile.category_links))
        .group_by(MerchantProfile.id).order_by(func.count(Product.id).desc(), MerchantProfile.business_name)
        .limit(limit)
    )
    if verified_only:
        query = query.where(MerchantProfile.verification_status == VerificationStatus.VERIFIED)
    rows = db.session.execute(query).all()
    return [(merchant, count) for merchant, count in rows]


def product_facts(product_id: int) -> tuple[int, int] | None:
    """The merchant and the minimum order of a product, whatever its status: what its page's cache key needs."""
    row = db.session.execute(select(Product.merchant_id, Product.moq).where(Product.id == product_id)).first()
    return (row.merchant_id, row.moq) if row else None


def merchant_id_by_slug(slug: str) -> int | None:
    """The merchant whose shop has this address, if any: what its storefront's cache key needs."""
    return db.session.scalar(select(MerchantProfile.id).where(MerchantProfile.slug == slug))
