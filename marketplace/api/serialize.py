"""Products, merchants and rates as the API shows them: money in minor units with its currency."""
from __future__ import annotations

from datetime import date

from flask import request, url_for
from flask_babel import force_locale

from ..catalog.hs import chapter_name, format_hs
from ..catalog.models import Product
from ..catalog.taxonomy import CATEGORIES
from ..core.places import KECAMATAN
from ..media.storage import storage
from ..money import Money, Rate, decimal_text, from_idr


def _absolute(url: str) -> str:
    """Media URLs for partner systems: absolute, whether the app or a bucket serves them."""
    return url if "://" in url else request.host_url.rstrip("/") + url


def money(value: Money) -> dict:
    return {"amount": value.amount, "currency": value.currency}


def rate(value: Rate) -> dict:
    return {"currency": value.currency, "idr_per_unit": decimal_text(value.idr_per_unit),
            "effective_on": value.effective_on.isoformat(), "source": value.source}


def price(amount_idr: int, rates: dict[str, Rate]) -> dict:
    """The rupiah price and, where a rate is in force, the ringgit price it converts to."""
    result = {"idr": money(Money(amount_idr, "IDR"))}
    if "MYR" in rates:
        result["myr"] = money(from_idr(amount_idr, rates["MYR"]))
    return result


def stock_status(product: Product) -> str:
    if product.made_to_order_days:
        return "made_to_order"
    return "in_stock" if product.stock > 0 else "out_of_stock"


def names(code: str) -> dict:
    category = CATEGORIES[code]
    result = {}
    for language in ("id", "en", "ms"):
        with force_locale(language):
            result[language] = str(category.name)
    return result


def merchant_summary(merchant) -> dict:
    return {
        "slug": merchant.slug,
        "name": merchant.business_name,
        "kecamatan": KECAMATAN.get(merchant.kecamatan, merchant.kecamatan),
        "city": "Kota Bandung",
        "verified": merchant.is_verified,
        "url": url_for("catalog.storefront", slug=merchant.slug, _external=True),
    }


def product(item: Product, rates: dict[str, Rate], today: date) -> dict:
    backend = storage()
    box = None
    if item.box_length_mm is not None:
        box = {"length_mm": item.box_length_mm, "width_mm": item.box_width_mm, "height_mm": item.box_height_mm}
    halal = None
    if item.halal_number:
        halal = {"body": item.halal_body_name or (item.halal_body.value.upper() if item.halal_body else None),
                 "number": item.halal_number,
                 "expires_on": item.halal_expires_on.isoformat() if item.halal_expires_on else None,
                 "valid": item.halal_valid_on(today)}
    return {
        "id": item.id,
        "sku": item.sku,
        "url": url_for("catalog.product_page", product_id=item.id, _external=True),
        "name": {"id": item.name_id, "en": item.name_en},
        "description": {"id": item.description_id, "en": item.description_en},
        "category": item.category,
        "hs_code": item.hs_code,
        "hs": {"code": format_hs(item.hs_code), "chapter": item.hs_code[:2], "chapter_name": chapter_name(item.hs_code)}
        if item.hs_code else None,
        "price": price(item.price_idr, rates),
        "moq": item.moq,
        "tiers": [{"min_quantity": t.min_quantity, "unit_price": price(t.unit_price_idr, rates)} for t in item.tiers],
        "stock_status": stock_status(item),
        "made_to_order_days": item.made_to_order_days,
        "packed_weight_g": item.packed_weight_g,
        "box": box,
        "packaging": {
            "net_content": item.net_content, "net_content_unit": item.net_content_unit,
            "units_per_carton": item.units_per_carton, "material": item.packaging_material,
            "recyclable": item.recyclable, "plastic_free": item.plastic_free,
            "shelf_life_days": item.shelf_life_days, "label_languages": list(item.label_languages or []),
        },
        "certifications": {
            "halal": halal,
            "food_registration": {"kind": item.food_registration_kind, "number": item.food_registration_number}
            if item.food_registration else None,
            "npra_notification": item.npra_notification,
        },
        "merchant": merchant_summary(item.merchant),
        "images": [
            {"alt": photo.alt_text or item.name_en or item.name_id,
             "variants": [{"width": v["width"], "height": v["height"], "webp": _absolute(backend.url(v["webp"])),
                           "jpeg": _absolute(backend.url(v["jpeg"]))} for v in photo.variants]}
            for photo in item.photos
        ],
        "published_at": item.published_at.isoformat() + "Z" if item.published_at else None,
        "updated_at": item.updated_at.isoformat() + "Z",
    }
