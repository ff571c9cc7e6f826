"""Harmonized System codes: six digits, read with their chapter (the first two)."""
from __future__ import annotations

import re

from flask_babel import lazy_gettext as _l

from ..customs.landed import excluded_from_lvg

# The chapters UMKM goods from Bandung mostly fall under; others show as "Chapter NN".
CHAPTERS = {
    "04": _l("Dairy, eggs and honey"),
    "08": _l("Fruit and nuts"),
    "09": _l("Coffee, tea and spices"),
    "11": _l("Milling products and starches"),
    "15": _l("Fats and oils"),
    "17": _l("Sugars and sugar confectionery"),
    "18": _l("Cocoa and chocolate"),
    "19": _l("Cereal, flour and bakery products"),
    "20": _l("Preserved vegetables and fruit"),
    "21": _l("Miscellaneous edible preparations"),
    "22": _l("Beverages"),
    "33": _l("Essential oils, perfumery and cosmetics"),
    "34": _l("Soap and washing preparations"),
    "42": _l("Leather goods and bags"),
    "44": _l("Wood and articles of wood"),
    "46": _l("Basketwork and plaited goods"),
    "52": _l("Cotton and cotton fabrics"),
    "54": _l("Man-made filaments"),
    "61": _l("Knitted apparel"),
    "62": _l("Woven apparel"),
    "63": _l("Other made-up textiles"),
    "64": _l("Footwear"),
    "65": _l("Headgear"),
    "69": _l("Ceramic products"),
    "71": _l("Jewellery"),
    "94": _l("Furniture and lamps"),
    "95": _l("Toys and games"),
    "96": _l("Miscellaneous manufactured articles"),
}

HS_CODE = re.compile(r"^[0-9]{6}$")


def normalise_hs(text: str) -> str:
    """'0901.21' and '0901 21' both mean 090121."""
    return re.sub(r"[\s.]", "", text or "")


def is_excluded(code: str) -> bool:
    """Goods Malaysia's low-value-goods rules exclude, which Serumpun does not list."""
    return excluded_from_lvg(code)


def chapter_of(code: str) -> str:
    return code[:2]


def chapter_name(code: str) -> str:
    name = CHAPTERS.get(chapter_of(code))
    return str(name) if name else str(_l("Chapter %(n)s", n=chapter_of(code)))


def format_hs(code: str | None) -> str:
    """090121 as 0901.21, the way customs forms print it."""
    if not code:
        return ""
    return f"{code[:4]}.{code[4:]}"
