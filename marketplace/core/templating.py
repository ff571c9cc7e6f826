"""What every template can use: navigation, languages, formatting."""
from __future__ import annotations

from datetime import date, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import phonenumbers
from babel import dates as babel_dates
from babel import numbers as babel_numbers
from flask import Flask, current_app, render_template, request, url_for
from flask_babel import format_decimal, get_locale, to_user_timezone
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


# How each language writes money and dates. English as Malaysians write it (en_MY: "RM12.50", "2 Dec 2026"),
# not as Americans do ("MYR12.50", "Dec 2, 2026"); Malay and Indonesian as Babel has them.
FORMAT_LOCALES = {"en": "en_MY"}
# Ringgit are RM in every language: Babel writes "MYR" for Indonesian readers (and for English without en_MY).
CURRENCY_SIGNS = {"MYR": "RM"}


def format_locale() -> str:
    """The Babel locale the reader's numbers, money and dates are written in."""
    language = str(get_locale() or current_app.config["BABEL_DEFAULT_LOCALE"])
    return FORMAT_LOCALES.get(language, language)


def babel_money(amount: int, currency: str, locale: str) -> str:
    """Babel's way of writing minor units of a currency in a locale, with ringgit as RM."""
    text = babel_numbers.format_currency(Decimal(amount).scaleb(-MINOR_UNITS[currency]), currency, locale=locale,
                                         currency_digits=True)
    sign = CURRENCY_SIGNS.get(currency)
    return text.replace(currency, sign) if sign else text


_PATTERNS: dict[tuple[str, str], dict | None] = {}


def format_money(amount: int | None, currency: str = "IDR") -> str:
    """RM12.50 and Rp45.000 (or IDR45,000 to English readers): Babel's way for the reader's locale, ringgit as RM.

    Written with the pattern read once per locale and currency from Babel's own output (money_pattern): a
    listing's dozens of prices otherwise spend much of the page's time in Babel. Babel itself writes amounts
    below zero, and any currency whose sample does not fit a pattern.
    """
    if amount is None:
        return ""
    locale = format_locale()
    pattern = _pattern(locale, currency) if amount >= 0 else None
    return format_with_pattern(amount, pattern) if pattern is not None else babel_money(amount, currency, locale)


def format_day(value) -> str:
    """A date, the one way each language writes it: 2 Dec 2026, 2 Dis 2026, 2 Des 2026.

    Also a date kept as ISO text (2026-12-02), as an order's snapshot of the rules keeps them.
    """
    if not value:
        return ""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    return babel_dates.format_date(value, "medium", locale=format_locale())


def format_moment(value, zone=None) -> str:
    """A moment (naive UTC, as stored): the day as format_day writes it, then the time: 2 Dec 2026, 3:04 pm.

    In the reader's time zone, or in the zone given (a buyer's deadline reads in Malaysian time).
    """
    if not value:
        return ""
    local = value.replace(tzinfo=timezone.utc).astimezone(zone) if zone is not None else to_user_timezone(value)
    locale = format_locale()
    return (babel_dates.get_datetime_format("medium", locale=locale).replace("'", "")
            .replace("{1}", format_day(local)).replace("{0}", babel_dates.format_time(local, "short", locale=locale)))


def format_month(value) -> str:
    """A month on its own (a row of monthly figures): December 2026, Disember 2026, Desember 2026."""
    return babel_dates.format_date(value, "MMMM yyyy", locale=format_locale()) if value else ""


def money_pattern(currency: str) -> dict | None:
    """How format_money writes this currency in the reader's language, in pieces a script can reuse:
    {"prefix": "RM", "group": ",", "decimal": ".", "digits": 2, "suffix": ""}.

    Read from a formatted sample, so that a price a script writes looks exactly like one the server
    wrote; None if the sample does not fit that shape (the script then leaves the prices alone).
    """
    return _pattern(format_locale(), currency)


def _pattern(locale: str, currency: str) -> dict | None:
    key = (locale, currency)
    if key not in _PATTERNS:
        _PATTERNS[key] = _read_pattern(locale, currency)
    return _PATTERNS[key]


def _read_pattern(locale: str, currency: str) -> dict | None:
    digits = MINOR_UNITS[currency]
    minor = 1_234_567 * 10**digits + (89 if digits else 0)
    sample = babel_money(minor, currency, locale)
    first = next((i for i, ch in enumerate(sample) if ch.isdigit()), None)
    last = next((i for i in range(len(sample) - 1, -1, -1) if sample[i].isdigit()), None)
    if first is None or last is None:
        return None
    body = sample[first:last + 1]
    pattern = {"prefix": sample[:first], "suffix": sample[last + 1:], "group": body[1],
               "decimal": body[-digits - 1] if digits else "", "digits": digits}
    return pattern if format_with_pattern(minor, pattern) == sample else None


def format_with_pattern(minor: int, pattern: dict) -> str:
    """An amount written with a pattern: how format_money writes it, and what static/js/tier-price.js does."""
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
        # A currency named in running text: ringgit as Malaysians write it (RM), the others by their code.
        currency_name=lambda code: "RM" if code == "MYR" else code,
        amount=lambda money: format_money(money.amount, money.currency),
        rate=lambda value: format_decimal(value, format="#,##0.00##"),
        number=lambda value: format_decimal(value, format="#,##0"),  # 41000 -> 41,000 (41.000 in id)
        kg=lambda grams: format_decimal(Decimal(grams).scaleb(-3), format="#,##0.0"),  # 2500 -> 2.5 (2,5 in id)
        cm=lambda mm: format_decimal(Decimal(mm).scaleb(-1), format="#,##0.#"),  # 65 -> 6.5 (6,5 in id), 180 -> 18
        slug=lambda text: slugify(text or "", max_length=80, word_boundary=True),
        country=country_name,
        category=category_name,
        # One way per language to write a day, and one for a moment (see format_day and format_moment); a
        # format that a template may still pass ("short") is ignored, so that no page writes another.
        date=lambda value, _format=None: format_day(value),
        datetime=lambda value, _format=None: format_moment(value),
        month=format_month,
        # A buyer's deadline (a stock hold) reads in Malaysian time, wherever the page's own zone is.
        malaysia_time=lambda value: format_moment(value, MALAYSIA),
    )
