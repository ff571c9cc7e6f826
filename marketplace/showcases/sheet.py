"""What a showcase's line sheet says, in the reader's language: the texts that pdf.render() lays out.

Prices are in ringgit at the rate in force beside the rupiah; the delivered price is the product page's
engine (catalog.delivery) for the minimum order to Selangor, where Petaling Jaya's trade fairs are. The
merchant's phone number is printed only for a signed-in reader (an officer at a fair, a buyer), as on
every other page; anyone else gets the shop's address on Serumpun.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import url_for
from flask_babel import format_decimal, get_locale, ngettext
from flask_babel import gettext as _

from ..catalog.delivery import delivered_price
from ..catalog.models import Product
from ..core.places import KECAMATAN, state_name
from ..core.templating import format_day, format_money, format_phone
from ..media.storage import StorageBackend
from ..money import Money, Rate, from_idr
from ..shipping.delivered import DEFAULT_STATE
from . import pdf
from .models import Showcase
from .services import THEMES


def _price(idr: int, rate: Rate | None) -> str:
    if rate is None:
        return format_money(idr, "IDR")
    return f"{format_money(from_idr(idr, rate).amount, 'MYR')} ({format_money(idr, 'IDR')})"


def _photo(product: Product, backend: StorageBackend) -> bytes | None:
    cover = product.cover
    if cover is None:
        return None
    variant = cover.variants[0]  # the smallest (320 px) is sharp at 34 mm
    return backend.open(variant["jpeg"])


def event_line(showcase: Showcase) -> str:
    """"Petaling Jaya Trade Week, Dewan Sivik, 12–15 Mar 2027", or the theme when there is no event."""
    if not showcase.event_name:
        return str(THEMES[showcase.theme][0]) if showcase.theme in THEMES else ""
    parts = [showcase.event_name]
    if showcase.event_place:
        parts.append(showcase.event_place)
    if showcase.event_starts_on:
        days = format_day(showcase.event_starts_on)
        if showcase.event_ends_on and showcase.event_ends_on != showcase.event_starts_on:
            days = f"{days} – {format_day(showcase.event_ends_on)}"
        parts.append(days)
    return ", ".join(parts)


def _entry(product: Product, rate: Rate | None, today: date, backend: StorageBackend, with_phone: bool,
           language: str) -> pdf.Entry:
    lines = [_("SKU %(sku)s", sku=product.sku),
             ngettext("Minimum order: %(num)d unit", "Minimum order: %(num)d units", product.moq)]
    for quantity, price in product.price_steps:
        lines.append(ngettext("From %(num)d unit: %(price)s per unit", "From %(num)d units: %(price)s per unit",
                              quantity, price=_price(price, rate)))
    delivered = delivered_price(product, product.moq, DEFAULT_STATE, rate, today)
    best = delivered.cheapest if delivered else None
    if best is not None:
        per_unit = Money(-(-best.total.amount // product.moq), "MYR")  # rounded up: never promise less
        lines.append(ngettext(
            "Delivered to %(state)s, %(num)d unit: %(total)s (about %(unit)s per unit), %(min)d–%(max)d days by "
            "%(service)s, tax included; an estimate",
            "Delivered to %(state)s, %(num)d units: %(total)s (about %(unit)s per unit), %(min)d–%(max)d days by "
            "%(service)s, tax included; an estimate", product.moq,
            state=state_name(DEFAULT_STATE), total=format_money(best.total.amount, "MYR"),
            unit=format_money(per_unit.amount, "MYR"), min=best.arrives_min, max=best.arrives_max,
            service=best.option.service.name))
    else:
        lines.append(_("No delivered price to %(state)s can be estimated today.", state=state_name(DEFAULT_STATE)))
    if product.halal_valid_on(today):
        lines.append(_("Halal certificate %(number)s, valid until %(date)s", number=product.halal_number,
                       date=format_day(product.halal_expires_on)))
    if product.food_registration:
        lines.append(product.food_registration_label)
    merchant = product.merchant
    contact = [merchant.business_name, f"{KECAMATAN.get(merchant.kecamatan, merchant.kecamatan)}, Bandung"]
    if with_phone and merchant.whatsapp:
        contact.append(_("WhatsApp %(phone)s", phone=format_phone(merchant.whatsapp)))
    else:
        contact.append(url_for("catalog.storefront", slug=merchant.slug, _external=True))
    return pdf.Entry(name=product.name_for(language),
                     url=url_for("catalog.product_page", product_id=product.id, _external=True),
                     lines=tuple(lines), contact=tuple(contact), photo=_photo(product, backend))


def line_sheet(showcase: Showcase, products: list[Product], rate: Rate | None, now: datetime,
               backend: StorageBackend, with_phone: bool) -> bytes:
    """The showcase's line sheet as PDF bytes, for the reader's language."""
    language = str(get_locale() or "id")
    today = now.date()
    notes = []
    if rate is not None:
        notes.append(_("Prices in ringgit at 1 MYR = %(rate)s IDR (%(source)s, %(date)s); merchants are paid in "
                       "rupiah, and the rupiah price is the price.", rate=format_decimal(rate.idr_per_unit, format="#,##0.00##"),
                       source=rate.source, date=format_day(rate.effective_on)))
    notes.append(_("Delivered prices are estimates for the minimum order to %(state)s: the cheapest courier, "
                   "Malaysian taxes included. Scan a code for today's price to any state.",
                   state=state_name(DEFAULT_STATE)))
    sheet = pdf.Sheet(
        title=showcase.title_for(language), subtitle=event_line(showcase), notes=tuple(notes),
        footer=_("Serumpun line sheet · %(address)s · printed %(date)s",
                 address=url_for("showcases.detail", slug=showcase.slug, _external=True),
                 date=format_day(today)),
        accent=THEMES.get(showcase.theme, THEMES["trade-week"])[1],
        entries=tuple(_entry(p, rate, today, backend, with_phone, language) for p in products),
        empty=_("Buyers can see none of this showcase's products today."),
    )
    return pdf.render(sheet)
