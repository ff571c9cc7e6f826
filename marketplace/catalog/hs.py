"""Harmonized System codes: six digits, read with their chapter (the first two)."""
from __future__ import annotations

import re

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from ..core.taxonomy import category_name
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

# Six-digit codes most products of each category take, offered as choices in the product form (HS 2022).
SUGGESTIONS = {
    "coffee-tea": [
        ("090121", _l("Roasted coffee beans or ground coffee")),
        ("090111", _l("Green (unroasted) coffee beans")),
        ("210111", _l("Instant coffee and coffee extracts")),
        ("090230", _l("Black tea in packs of up to 3 kg")),
        ("090210", _l("Green tea in packs of up to 3 kg")),
    ],
    "snacks": [
        ("190590", _l("Crackers, kerupuk and other baked snacks")),
        ("190531", _l("Sweet biscuits and cookies")),
        ("200819", _l("Roasted or fried nuts and seeds")),
        ("200599", _l("Vegetable chips, like cassava chips")),
        ("170490", _l("Sweets, like dodol")),
    ],
    "sauces-spices": [
        ("210390", _l("Sambal and other sauces")),
        ("091030", _l("Turmeric")),
        ("091011", _l("Ginger")),
        ("090421", _l("Dried chillies")),
    ],
    "batik-textiles": [
        ("520851", _l("Printed cotton cloth up to 100 g/m², like most batik")),
        ("520852", _l("Printed cotton cloth over 100 g/m²")),
        ("540752", _l("Dyed synthetic cloth")),
        ("630492", _l("Furnishing articles of cotton")),
    ],
    "modest-fashion": [
        ("620442", _l("Women's dresses of cotton")),
        ("620630", _l("Women's blouses of cotton")),
        ("621490", _l("Scarves and hijabs of cotton")),
        ("621430", _l("Scarves and hijabs of synthetic fibres")),
        ("620520", _l("Men's shirts of cotton")),
    ],
    "bags-leather": [
        ("420221", _l("Handbags of leather")),
        ("420222", _l("Handbags of cloth or plastic")),
        ("420231", _l("Wallets and small cases of leather")),
        ("640399", _l("Leather shoes")),
    ],
    "crafts-decor": [
        ("460211", _l("Bamboo basketwork")),
        ("460212", _l("Rattan basketwork")),
        ("442019", _l("Wooden carvings and ornaments")),
        ("442090", _l("Wooden boxes and inlaid work")),
        ("691390", _l("Ceramic ornaments")),
    ],
    "beauty-herbal": [
        ("330499", _l("Skin care and make-up")),
        ("340111", _l("Soap bars")),
        ("330590", _l("Hair care")),
        ("330129", _l("Essential oils")),
    ],
}


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


def customs_description(name_en: str | None, name_id: str, hs_code: str | None) -> str:
    """What a CN22/CN23 says the goods are. Postal customs forms are read in English: a product written only
    in Indonesian is described by its HS chapter in English, with its Indonesian name."""
    if name_en:
        return name_en
    if not hs_code:
        return name_id
    with force_locale("en"):
        return f"{chapter_name(hs_code)}: {name_id}"


def suggestions(category: str | None = None) -> list[tuple[str, str, list[tuple[str, str]]]]:
    """(category, its name, [(code as printed, what it covers)]) for one category or all of them."""
    return [(code, category_name(code), [(format_hs(c), str(label)) for c, label in codes])
            for code, codes in SUGGESTIONS.items() if category in (None, code)]


def format_hs(code: str | None) -> str:
    """090121 as 0901.21, the way customs forms print it."""
    if not code:
        return ""
    return f"{code[:4]}.{code[4:]}"
