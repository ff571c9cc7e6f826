"""What every template can use: navigation, languages, formatting."""
from __future__ import annotations

from datetime import timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
from flask import Flask, current_app, render_template, request, url_for
from flask_babel import format_currency, format_date, format_datetime, format_decimal, get_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup
from slugify import slugify

from ..money import MINOR_UNITS
from .cache import CSRF_PLACEHOLDER, NEXT_PLACEHOLDER, fill_placeholders, storing_whole_page
from .forms import flat_errors
from .i18n import LANGUAGE_NAMES, LANGUAGE_SHORT
from .pagination import page_url
from .places import KECAMATAN, country_name, state_name
from .taxonomy import category_name
from .ui import navigation_entries, reader_parts


def format_phone(value: str | None) -> str:
    """+6281221430001 as +62 812-2143-0001: easier to read and to dial."""
    if not value:
        return ""
    try:
        return phonenumbers.format_number(phonenumbers.parse(value), phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    except phonenumbers.NumberParseException:
        return value

ROLE_NAMES = {
    "merchant": _l("Merchant"),
    "buyer": _l("Buyer"),
    "officer": _l("Officer"),
    "admin": _l("Admin"),
}


REFUSAL_NAMES = {
    "too_heavy_item": _l("Too heavy"),
    "too_long": _l("Too long"),
    "too_big": _l("Too big"),
    "no_rate": _l("Does not go there"),
}
BREAKDOWN_NAMES = {
    "goods": _l("Goods"),
    "shipping": _l("Shipping"),
    "lvg_sales_tax": _l("Sales tax on low value goods"),
    "import_duty": _l("Import duty"),
    "import_sales_tax": _l("Sales tax on import"),
}


def navigation() -> list[tuple[str, str, bool]]:
    """The reader's menu, as the packages registered it: (address, label, whether it is this page)."""
    role = current_user.role.value if current_user.is_authenticated else None
    return [(url_for(endpoint), label, request.endpoint == endpoint) for endpoint, label in navigation_entries(role)]


def format_money(amount: int | None, currency: str = "IDR") -> str:
    """Rp 45.000 for Indonesian readers, IDR 45,000 for English ones: Babel knows each locale's way."""
    if amount is None:
        return ""
    digits = MINOR_UNITS[currency]
    value = Decimal(amount).scaleb(-digits)
    return format_currency(value, currency, currency_digits=True)


def money_pattern(currency: str) -> dict | None:
    """How format_money writes this currency in the reader's language, in pieces a script can reuse:
    {"prefix": "MYR", "group": ",", "decimal": ".", "digits": 2, "suffix": ""}.

    Read from a formatted sample, so that a price a script writes looks exactly like one the server
    wrote; None if the sample does not fit that shape (the script then leaves the prices alone).
    """
    digits = MINOR_UNITS[currency]
    sample = format_money(1_234_567 * 10**digits + (89 if digits else 0), currency)
    first = next((i for i, ch in enumerate(sample) if ch.isdigit()), None)
    last = next((i for i in range(len(sample) - 1, -1, -1) if sample[i].isdigit()), None)
    if first is None or last is None:
        return None
    body = sample[first:last + 1]
    pattern = {"prefix": sample[:first], "suffix": sample[last + 1:], "group": body[1],
               "decimal": body[-digits - 1] if digits else "", "digits": digits}
    return pattern if format_with_pattern(1_234_567 * 10**digits + (89 if digits else 0), pattern) == sample else None


def format_with_pattern(minor: int, pattern: dict) -> str:
    """What static/js/tier-price.js does with a pattern, for testing that it matches format_money."""
    digits = pattern["digits"]
    text = str(minor).rjust(digits + 1, "0")
    whole, fraction = (text[:-digits], text[-digits:]) if digits else (text, "")
    groups = []
    while len(whole) > 3:
        whole, groups = whole[:-3], [whole[-3:], *groups]
    grouped = pattern["group"].join([whole, *groups])
    return pattern["prefix"] + grouped + (pattern["decimal"] + fraction if digits else "") + pattern["suffix"]


HEADER_CACHE_SIZE = 2000
MALAYSIA = ZoneInfo("Asia/Kuala_Lumpur")


def site_header() -> Markup:
    """The header, rendered once per kind of page and reader and reused: it is most of every page's work.

    Only the CSRF token and the return address differ between requests; they go in last.
    """
    user = current_user
    key = (
        str(get_locale()), reader_parts(), request.endpoint,
        (user.id, user.role.value, user.display_name) if user.is_authenticated else None,
    )
    cache = current_app.extensions.setdefault("serumpun.headers", {})
    html = cache.get(key)
    if html is None:
        html = render_template("_header.html", csrf_placeholder=Markup(CSRF_PLACEHOLDER),
                               next_placeholder=Markup(NEXT_PLACEHOLDER))
        if len(cache) >= HEADER_CACHE_SIZE:
            cache.clear()
        cache[key] = html
    if storing_whole_page():
        return Markup(html)  # the whole page is being cached: fill_placeholders runs on every answer
    return Markup(fill_placeholders(html))


def register_template_helpers(app: Flask) -> None:
    @app.context_processor
    def globals_for_templates():
        locale = get_locale()
        return {
            "navigation": navigation,
            "role_names": ROLE_NAMES,
            "breakdown_names": BREAKDOWN_NAMES,
            "refusal_names": REFUSAL_NAMES,
            "money": format_money,

            "languages": LANGUAGE_NAMES,
            "language_short": LANGUAGE_SHORT,
            "current_language": str(locale) if locale else app.config["BABEL_DEFAULT_LOCALE"],
        }

    app.jinja_env.add_extension("jinja2.ext.do")
    # Globals, not context: macros imported without context need them.
    app.jinja_env.globals.update(flat_errors=flat_errors, page_url=page_url, site_header=site_header,
                                money_pattern=money_pattern)
    app.jinja_env.filters.update(
        kecamatan=lambda code: KECAMATAN.get(code, code),
        state=state_name,
        phone=format_phone,
        money=format_money,
        amount=lambda money: format_money(money.amount, money.currency),
        rate=lambda value: format_decimal(value, format="#,##0.00##"),
        kg=lambda grams: format_decimal(Decimal(grams).scaleb(-3), format="#,##0.0"),  # 2500 -> 2.5 (2,5 in id)
        cm=lambda mm: format_decimal(Decimal(mm).scaleb(-1), format="#,##0.#"),  # 65 -> 6.5 (6,5 in id), 180 -> 18
        slug=lambda text: slugify(text or "", max_length=80, word_boundary=True),
        country=country_name,
        category=category_name,
        date=lambda value, fmt="medium": format_date(value, fmt) if value else "",
        datetime=lambda value, fmt="medium": format_datetime(value, fmt) if value else "",
        # A buyer's deadline (a stock hold) reads in Malaysian time, wherever the page's own zone is.
        malaysia_time=lambda value: format_datetime(value.replace(tzinfo=timezone.utc).astimezone(MALAYSIA), "short",
                                                    rebase=False) if value else "",
    )
