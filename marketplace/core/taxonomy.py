"""The fixed product taxonomy. Each category suggests an HS heading."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from flask_babel import force_locale
from flask_babel import lazy_gettext as _l


@dataclass(frozen=True)
class Category:
    code: str
    name: object
    hs_hint: str  # the HS chapter or heading most products of this kind fall under


CATEGORIES = {
    c.code: c
    for c in [
        Category("coffee-tea", _l("Coffee and tea"), "0901"),
        Category("snacks", _l("Snacks"), "1905"),
        Category("sauces-spices", _l("Sauces, sambal and spices"), "2103"),
        Category("batik-textiles", _l("Batik and textiles"), "5208"),
        Category("modest-fashion", _l("Modest fashion"), "6204"),
        Category("bags-leather", _l("Bags and leather"), "4202"),
        Category("crafts-decor", _l("Crafts and home decor"), "4602"),
        Category("beauty-herbal", _l("Beauty and herbal"), "3304"),
        Category("other", _l("Other"), ""),
    ]
}


def category_choices() -> list[tuple[str, str]]:
    return [(c.code, str(c.name)) for c in CATEGORIES.values()]


def category_name(code: str) -> str:
    category = CATEGORIES.get(code)
    return str(category.name) if category else code


@cache
def category_words(code: str) -> str:
    """The category's name in every language, so that "kopi" and "coffee" both find coffee."""
    category = CATEGORIES.get(code)
    if category is None:
        return ""
    words = []
    for language in ("en", "id", "ms"):
        with force_locale(language):
            words.append(str(category.name))
    return " ".join(dict.fromkeys(words))
