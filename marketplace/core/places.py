"""Places Serumpun knows by name: Bandung's kecamatan and Malaysia's states.

Shipping zones live here too because they follow the states (East Malaysia is
Sabah, Sarawak and Labuan).
"""
from __future__ import annotations

from dataclasses import dataclass

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l

# The 30 kecamatan of Kota Bandung. Keys are stable slugs; names are proper
# nouns and read the same in every language.
KECAMATAN = {
    "andir": "Andir",
    "antapani": "Antapani",
    "arcamanik": "Arcamanik",
    "astanaanyar": "Astanaanyar",
    "babakan-ciparay": "Babakan Ciparay",
    "bandung-kidul": "Bandung Kidul",
    "bandung-kulon": "Bandung Kulon",
    "bandung-wetan": "Bandung Wetan",
    "batununggal": "Batununggal",
    "bojongloa-kaler": "Bojongloa Kaler",
    "bojongloa-kidul": "Bojongloa Kidul",
    "buahbatu": "Buahbatu",
    "cibeunying-kaler": "Cibeunying Kaler",
    "cibeunying-kidul": "Cibeunying Kidul",
    "cibiru": "Cibiru",
    "cicendo": "Cicendo",
    "cidadap": "Cidadap",
    "cinambo": "Cinambo",
    "coblong": "Coblong",
    "gedebage": "Gedebage",
    "kiaracondong": "Kiaracondong",
    "lengkong": "Lengkong",
    "mandalajati": "Mandalajati",
    "panyileukan": "Panyileukan",
    "rancasari": "Rancasari",
    "regol": "Regol",
    "sukajadi": "Sukajadi",
    "sukasari": "Sukasari",
    "sumur-bandung": "Sumur Bandung",
    "ujungberung": "Ujungberung",
}

WEST = "west"
EAST = "east"


@dataclass(frozen=True)
class State:
    code: str  # ISO 3166-2:MY
    name: object  # a lazy string: "Penang" in English, "Pulau Pinang" in Malay
    zone: str
    federal_territory: bool = False


MALAYSIAN_STATES = {
    s.code: s
    for s in [
        State("MY-01", _l("Johor"), WEST),
        State("MY-02", _l("Kedah"), WEST),
        State("MY-03", _l("Kelantan"), WEST),
        State("MY-04", _l("Malacca"), WEST),
        State("MY-05", _l("Negeri Sembilan"), WEST),
        State("MY-06", _l("Pahang"), WEST),
        State("MY-07", _l("Penang"), WEST),
        State("MY-08", _l("Perak"), WEST),
        State("MY-09", _l("Perlis"), WEST),
        State("MY-10", _l("Selangor"), WEST),
        State("MY-11", _l("Terengganu"), WEST),
        State("MY-12", _l("Sabah"), EAST),
        State("MY-13", _l("Sarawak"), EAST),
        State("MY-14", _l("Kuala Lumpur"), WEST, True),
        State("MY-15", _l("Labuan"), EAST, True),
        State("MY-16", _l("Putrajaya"), WEST, True),
    ]
}

# Buyers come from Malaysia first, then its neighbours.
BUYER_COUNTRIES = ("MY", "SG", "BN", "ID", "TH", "PH", "VN", "KH", "LA", "MM")


def country_name(code: str) -> str:
    """The country's name in the language of the page, from CLDR via Babel."""
    locale = get_locale()
    return locale.territories.get(code, code) if locale else code


def kecamatan_choices() -> list[tuple[str, str]]:
    return list(KECAMATAN.items())


def state_choices() -> list[tuple[str, str]]:
    return sorted(((s.code, str(s.name)) for s in MALAYSIAN_STATES.values()), key=lambda c: c[1])


def state_name(code: str | None) -> str:
    state = MALAYSIAN_STATES.get(code or "")
    return str(state.name) if state else (code or "")


def country_choices() -> list[tuple[str, str]]:
    return [(code, country_name(code)) for code in BUYER_COUNTRIES]


# Postcodes of each state (Pos Malaysia's ranges, first three digits being enough to tell the state).
POSTCODE_RANGES = {
    "MY-01": ((79000, 86999),),
    "MY-02": ((5000, 9999),),
    "MY-03": ((15000, 18999),),
    "MY-04": ((75000, 78999),),
    "MY-05": ((70000, 73999),),
    "MY-06": ((25000, 28999), (39000, 39999), (49000, 49999), (69000, 69999)),
    "MY-07": ((10000, 14999),),
    "MY-08": ((30000, 36999),),
    "MY-09": ((1000, 2999),),
    "MY-10": ((40000, 48999), (63000, 68999)),
    "MY-11": ((20000, 24999),),
    "MY-12": ((88000, 91999),),
    "MY-13": ((93000, 98999),),
    "MY-14": ((50000, 60999),),
    "MY-15": ((87000, 87999),),
    "MY-16": ((62000, 62999),),
}


def postcode_fits(postcode: str, state: str) -> bool:
    """Whether a five-digit Malaysian postcode belongs to the state (ISO 3166-2 code)."""
    if len(postcode) != 5 or not (postcode.isascii() and postcode.isdigit()):
        return False
    number = int(postcode)
    return any(low <= number <= high for low, high in POSTCODE_RANGES.get(state, ()))
