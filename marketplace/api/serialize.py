"""Products, merchants and rates as the API shows them: money in minor units with its currency."""
from __future__ import annotations

from datetime import date

from flask import request, url_for
from flask_babel import force_locale

from ..catalog.hs import chapter_name, format_hs
from ..catalog.models import Product
from ..core.places import KECAMATAN, MALAYSIAN_STATES, state_name
from ..core.taxonomy import CATEGORIES
from ..media.storage import storage
from ..money import Money, Rate, decimal_text, from_idr
from ..shipping.delivered import shipping_myr


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


def _rule(rule) -> dict | None:
    if rule is None:
        return None
    return {"key": rule.key, "effective_on": rule.effective_on.isoformat(), "source": rule.source}


BREAKDOWN_KEYS = ("goods", "shipping", "lvg_sales_tax", "import_duty", "import_sales_tax")


def breakdown(landed_costs: list) -> dict:
    """The summed breakdown of one or more landed costs, each line with the rule it used."""
    lines = {}
    for key in BREAKDOWN_KEYS:
        rules = [e.rule for b in landed_costs for e in b.entries if e.key == key and e.rule]
        lines[key] = {"amount": sum(b.amount(key) for b in landed_costs), "currency": "MYR",
                      "rule": _rule(rules[0]) if rules else None}
    total = sum(line["amount"] for line in lines.values())
    registration = next((b.lvg_registration_number for b in landed_costs if b.lvg_registration_number), None)
    return {**lines, "total": {"amount": total, "currency": "MYR"}, "estimate": True,
            "lvg_registration_number": registration}


def declaration(boxes: int, form) -> dict:
    """A CN22 / CN23 customs declaration for one box, and how many such boxes go."""
    return {
        "boxes": boxes, "form": form.form, "category": form.category,
        "lines": [{"description": line.description, "hs_code": line.hs_code, "quantity": line.quantity,
                   "weight_g": line.weight_g, "value": money(Money(line.value_sen, form.currency)),
                   "origin": line.origin, "lvg_taxed": line.lvg_taxed} for line in form.lines],
        "weight_g": form.weight_g,
        "value": money(Money(form.value_sen, form.currency)),
        "postage": money(Money(form.postage_sen, form.currency)),
        "lvg_registration_number": form.lvg_registration_number,
        "certificate_of_origin": form.certificate_of_origin,
        "rule": _rule(form.rule),
    }


def order_quote(order, exchange: Rate) -> dict:
    """Parcels per merchant with every service that can carry them, and the order's taxed breakdown."""

    parcels = []
    for parcel in order.parcels:
        services = []
        for option in parcel.quote.options:
            services.append({
                "code": option.service.code, "name": option.service.name, "level": option.service.level,
                "parcels": len(option.parcels), "chargeable_weight_g": sum(option.chargeable_g),
                "price": {"idr": money(Money(option.price_idr, "IDR")), "myr": money(shipping_myr(option, exchange))},
                "transit_days": {"min": option.service.transit_min, "max": option.service.transit_max},
            })
        parcels.append({
            "merchant": merchant_summary(parcel.merchant),
            "actual_weight_g": parcel.actual_g,
            "services": services,
            "refused": [{"code": r.service.code, "reason": r.reason} for r in parcel.quote.refusals],
            "cheapest": parcel.quote.cheapest.service.code if parcel.quote.cheapest else None,
            "breakdown": breakdown([parcel.landed]) if parcel.landed else None,
            "declarations": [declaration(boxes, form) for boxes, form in parcel.declarations],
        })
    return {
        "state": {"code": order.state, "name": state_name(order.state), "zone": MALAYSIAN_STATES[order.state].zone},
        "parcels": parcels,
        "breakdown": {**breakdown([p.landed for p in order.parcels if p.landed]),
                      "shipping_service": "cheapest service for each parcel"},
        "exchange_rate": rate(exchange),
    }


def stats(figures, time_zone: str, generated_at) -> dict:
    """The officers' figures for the command center's feed (marketplace.stats.figures.Figures)."""
    def both(idr: int, sen: int) -> dict:
        return {"idr": money(Money(idr, "IDR")), "myr": money(Money(sen, "MYR"))}

    return {
        "range": {"since": figures.days.since.isoformat(), "until": figures.days.until.isoformat(),
                  "time_zone": time_zone},
        "generated_at": generated_at.isoformat(timespec="seconds") + "Z",
        "merchants": {"total": sum(figures.merchants.values()),
                      "by_verification_status": {status.value: n for status, n in figures.merchants.items()}},
        "products": {"published": figures.published_products},
        "orders": {"paid": figures.paid_orders,
                   "placed_by_status": {status.value: n for status, n in figures.orders_placed.items()}},
        "buyers": {"with_paid_orders": figures.buyers},
        "export_value": {
            **both(figures.export_idr, figures.export_sen),
            "by_month": [{"month": row.month.strftime("%Y-%m"), "paid_orders": row.orders, **both(row.idr, row.sen)}
                         for row in figures.months],
        },
        "top_categories": [{"category": row.code, "name": names(row.code) if row.code in CATEGORIES else None,
                            "published_products": row.published, "units": row.units, **both(row.idr, row.sen)}
                           for row in figures.categories],
        "buyers_by_state": [{"state": row.code, "name": state_name(row.code), "buyers": row.buyers,
                             "paid_orders": row.orders, **both(row.idr, row.sen)} for row in figures.states],
        "exchange_rates": [{"rate": rate(row.rate), "age_days": row.age_days, "stale": row.stale}
                           for row in figures.rates],
    }
