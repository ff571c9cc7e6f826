"""Officers build showcases: text in three languages, a cover, an event, products in order, a status.

Every service takes the acting officer, flushes and never commits, writes an audit entry, and announces
the change (core.signals.showcases_changed) for the page cache once it commits.
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from slugify import slugify
from sqlalchemy import func, select

from ..accounts.models import User
from ..audit import services as audit
from ..catalog.models import Product, ProductPhoto, ProductStatus
from ..catalog.queries import is_visible
from ..core.errors import DomainError, NotFound
from ..core.signals import announce_after_commit, showcases_changed
from ..extensions import db
from ..media.pipeline import ImageRejected, pixel_count, process_image
from ..media.services import delete_after_commit, store_image
from ..media.storage import StorageBackend
from .models import Showcase, ShowcaseItem, ShowcaseStatus

MAX_PRODUCTS = 40

# The theme sets a showcase's colours (page and cover) and says what it is about.
THEMES = {
    "trade-week": (_l("Trade week"), "#b4532a"),
    "halal-food": (_l("Halal food and drink"), "#2f7d5b"),
    "coffee-tea": (_l("Coffee and tea"), "#7a4a26"),
    "crafts": (_l("Crafts and décor"), "#8a7b2e"),
    "fashion": (_l("Batik and fashion"), "#3b3f8f"),
    "gifts": (_l("Gifts and hampers"), "#a23b5a"),
}


class ShowcaseRefused(DomainError):
    """A showcase rule said no; the message names what to change."""


@dataclass
class ShowcaseData:
    """What an officer edits about a showcase, already parsed."""

    title_id: str
    title_en: str
    title_ms: str
    theme: str
    status: str = ShowcaseStatus.DRAFT.value
    story_id: str | None = None
    story_en: str | None = None
    story_ms: str | None = None
    event_name: str | None = None
    event_place: str | None = None
    event_starts_on: date | None = None
    event_ends_on: date | None = None
    publish_from: datetime | None = None
    publish_until: datetime | None = None
    cover_alt: str | None = None


AUDITED = tuple(f.name for f in fields(ShowcaseData))


def _changed(showcase: Showcase) -> None:
    announce_after_commit(db.session, showcases_changed, "showcases")


def _check(data: ShowcaseData, showcase: Showcase | None) -> None:
    if data.theme not in THEMES:
        raise ShowcaseRefused(_l("Please choose one of the options."), field="theme")
    if data.status not in set(ShowcaseStatus):
        raise ShowcaseRefused(_l("Please choose one of the options."), field="status")
    if data.event_starts_on and data.event_ends_on and data.event_ends_on < data.event_starts_on:
        raise ShowcaseRefused(_l("The event cannot end before it starts."), field="event_ends_on")
    if (data.event_starts_on or data.event_ends_on) and not data.event_name:
        raise ShowcaseRefused(_l("Name the event these dates belong to."), field="event_name")
    if data.status == ShowcaseStatus.SCHEDULED:
        if data.publish_from is None:
            raise ShowcaseRefused(_l("A scheduled showcase needs the moment it opens."), field="publish_from")
        if data.publish_until is None:
            raise ShowcaseRefused(_l("A scheduled showcase needs the moment it closes."), field="publish_until")
        if data.publish_until <= data.publish_from:
            raise ShowcaseRefused(_l("It must close after it opens."), field="publish_until")
    if data.status != ShowcaseStatus.DRAFT:
        shown = [item for item in (showcase.items if showcase else []) if is_visible(item.product)]
        if not shown:
            raise ShowcaseRefused(_l("Add at least one product buyers can see before publishing. Save it as a "
                                     "draft for now."), field="status")


def _apply(showcase: Showcase, data: ShowcaseData) -> None:
    for name in AUDITED:
        setattr(showcase, name, getattr(data, name))
    showcase.status = ShowcaseStatus(data.status)
    if showcase.status != ShowcaseStatus.SCHEDULED:
        showcase.publish_from = showcase.publish_until = None  # a window only means something when scheduled


def _snapshot(showcase: Showcase) -> dict:
    return audit.snapshot(showcase, AUDITED)


def _unique_slug(title: str) -> str:
    base = slugify(title, max_length=80, word_boundary=True) or "showcase"
    slug, n = base, 1
    while db.session.scalar(select(Showcase.id).where(Showcase.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_showcase(actor: User, data: ShowcaseData) -> Showcase:
    """A new showcase; its address comes from the English title and never changes."""
    _check(data, None)
    showcase = Showcase(slug=_unique_slug(data.title_en), created_by_id=actor.id if actor else None, items=[])
    _apply(showcase, data)
    db.session.add(showcase)
    db.session.flush()
    audit.record(actor, "showcase.created", "showcase", showcase.id, None, _snapshot(showcase))
    _changed(showcase)
    return showcase


def get_showcase(showcase_id: int) -> Showcase:
    showcase = db.session.get(Showcase, showcase_id)
    if showcase is None:
        raise NotFound()
    return showcase


def update_showcase(actor: User, showcase_id: int, data: ShowcaseData) -> Showcase:
    """Change a showcase's text, event, theme or status (publishing needs a product buyers can see)."""
    showcase = get_showcase(showcase_id)
    _check(data, showcase)
    before = _snapshot(showcase)
    _apply(showcase, data)
    db.session.flush()
    if audit.record(actor, "showcase.changed", "showcase", showcase.id, before, _snapshot(showcase)):
        _changed(showcase)
    return showcase


COVER_REFUSALS = {
    "empty": _l("Choose an image for the cover."),
    "too_large": _l("The cover is larger than 10 MB."),
    "format": _l("The cover is not a JPEG, PNG or WebP image."),
    "dimensions": _l("The cover is larger than 8000 pixels on a side."),
    "bomb": _l("The cover has too many pixels."),
    "broken": _l("The cover image is damaged or incomplete."),
}


def _files_in_use(image_key: str, showcase_id: int) -> bool:
    """Whether another showcase or a product photo has the same image (files are shared by content)."""
    other = db.session.scalar(select(func.count()).select_from(Showcase)
                              .where(Showcase.cover_key == image_key, Showcase.id != showcase_id))
    photos = db.session.scalar(select(func.count()).select_from(ProductPhoto).where(ProductPhoto.image_key == image_key))
    return bool(other or photos)


def set_cover(actor: User, showcase_id: int, upload: bytes, backend: StorageBackend,
              max_pixels: int | None = None) -> Showcase:
    """Put a new cover through the photo pipeline (checked, upright, stripped, in three sizes)."""
    showcase = get_showcase(showcase_id)
    try:
        if max_pixels is not None and pixel_count(upload) > max_pixels:
            raise ImageRejected("bomb")
        image = process_image(upload)
    except ImageRejected as rejection:
        raise ShowcaseRefused(COVER_REFUSALS[rejection.code], field="cover") from rejection
    old = showcase.cover
    store_image(db.session, backend, image)
    showcase.cover_key = image.variants[-1].webp.name.split(".")[0]
    showcase.cover_width, showcase.cover_height = image.width, image.height
    showcase.cover_variants = [{"width": v.width, "height": v.height, "webp": v.webp.name, "jpeg": v.jpeg.name}
                               for v in image.variants]
    db.session.flush()
    if old is not None and old.image_key != showcase.cover_key and not _files_in_use(old.image_key, showcase.id):
        delete_after_commit(db.session, backend, old.files)
    audit.record(actor, "showcase.cover_changed", "showcase", showcase.id,
                 {"cover": old.image_key if old else None}, {"cover": showcase.cover_key})
    _changed(showcase)
    return showcase


def _order(showcase: Showcase) -> list[int]:
    return [item.product_id for item in showcase.items]


def add_product(actor: User, showcase_id: int, product_id: int) -> ShowcaseItem:
    """Put a product buyers can see at the end of the showcase."""
    showcase = get_showcase(showcase_id)
    product = db.session.get(Product, product_id)
    if product is None or not is_visible(product):
        raise ShowcaseRefused(_l("Only products buyers can see can go in a showcase."))
    if any(item.product_id == product_id for item in showcase.items):
        raise ShowcaseRefused(_l("This product is in the showcase already."))
    if len(showcase.items) >= MAX_PRODUCTS:
        raise ShowcaseRefused(_l("A showcase can hold at most %(n)d products.", n=MAX_PRODUCTS))
    before = _order(showcase)
    item = ShowcaseItem(product_id=product_id, position=max((i.position for i in showcase.items), default=-1) + 1)
    showcase.items.append(item)
    db.session.flush()
    audit.record(actor, "showcase.product_added", "showcase", showcase.id, {"products": before},
                 {"products": _order(showcase)})
    _changed(showcase)
    return item


def _item(showcase: Showcase, product_id: int) -> ShowcaseItem:
    item = next((i for i in showcase.items if i.product_id == product_id), None)
    if item is None:
        raise NotFound()
    return item


def remove_product(actor: User, showcase_id: int, product_id: int) -> None:
    """Take a product out of the showcase."""
    showcase = get_showcase(showcase_id)
    item = _item(showcase, product_id)
    before = _order(showcase)
    showcase.items.remove(item)
    for position, rest in enumerate(showcase.items):
        rest.position = position
    db.session.flush()
    audit.record(actor, "showcase.product_removed", "showcase", showcase.id, {"products": before},
                 {"products": _order(showcase)})
    _changed(showcase)


def move_product(actor: User, showcase_id: int, product_id: int, direction: str) -> None:
    """Move a product one place earlier ("up") or later ("down"); at either end nothing moves."""
    showcase = get_showcase(showcase_id)
    item = _item(showcase, product_id)
    if direction not in ("up", "down"):
        raise ShowcaseRefused()
    ordered = list(showcase.items)
    before = _order(showcase)
    index = ordered.index(item)
    target = index - 1 if direction == "up" else index + 1
    if not 0 <= target < len(ordered):
        return
    ordered[index], ordered[target] = ordered[target], ordered[index]
    for position, each in enumerate(ordered):
        each.position = position
    showcase.items.sort(key=lambda i: i.position)
    db.session.flush()
    audit.record(actor, "showcase.products_reordered", "showcase", showcase.id, {"products": before},
                 {"products": _order(showcase)})
    _changed(showcase)


def list_showcases() -> list[Showcase]:
    """Every showcase for the officers' list, most recently changed first."""
    return list(db.session.scalars(select(Showcase).order_by(Showcase.updated_at.desc(), Showcase.id.desc())))


def hidden_reason(product: Product):
    """Why buyers no longer see a product, as far as the catalog tells."""
    if product.is_taken_down:
        return _l("an officer took the listing down")
    if product.merchant.suspended_at is not None:
        return _l("its merchant is suspended")
    if product.status == ProductStatus.DRAFT:
        return _l("its merchant moved it back to drafts")
    if product.status == ProductStatus.ARCHIVED:
        return _l("its merchant archived it")
    if not product.merchant.user.active:
        return _l("its merchant's account is closed")
    return _l("buyers can no longer see it")
