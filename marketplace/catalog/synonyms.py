"""Search synonyms: a Malaysian buyer's "keropok" finds a Bandung merchant's "kerupuk".

Officers keep groups of terms that mean one thing to a buyer, in Indonesian, Malay and English, each
group for one category or for all. Search reads the whole table from the cache (no query per search,
none per word), finds the query's words in it (the longest term first, so "minyak wangi" is one term)
and lets each found term match any term of its groups. A change to the table bumps the "synonyms"
cache version: the table and every cached search for words are read afresh from the next request on.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit import services as audit
from ..core.cache import SYNONYMS, cached
from ..core.errors import DomainError, NotFound
from ..core.signals import announce_after_commit, synonyms_changed
from ..core.taxonomy import CATEGORIES
from ..extensions import db
from .models import SynonymGroup

MAX_TERMS = 12  # terms in one group
MAX_TERM_WORDS = 4  # words in one term
MAX_WORD_LENGTH = 40  # as search reads words: longer ones are never searched for
MAX_ALTERNATIVES = 16  # terms one query word may stand for, across its groups

Term = tuple[str, ...]


class SynonymRefused(DomainError):
    """The group cannot be saved as given."""


def words(text: str) -> list[str]:
    """Words as search reads them: lower case, letters and digits only."""
    return re.findall(r"\w+", (text or "").lower())


def parse_terms(raw: str) -> list[str]:
    """The terms of a group as typed, one per line or between commas, read as search reads them."""
    terms = []
    for part in re.split(r"[,;\n]", raw or ""):
        term = " ".join(words(part))
        if term and term not in terms:
            terms.append(term)
    return terms


def _check(category: str | None, terms: list[str]) -> None:
    if category is not None and category not in CATEGORIES:
        raise SynonymRefused(_l("There is no such category."), field="category")
    if not terms:
        raise SynonymRefused(_l("Enter at least two words that mean the same, separated by commas."), field="terms")
    if len(terms) < 2:
        raise SynonymRefused(_l("A group needs at least two different words: “%(term)s” has nothing to stand for.",
                                term=terms[0]), field="terms")
    if len(terms) > MAX_TERMS:
        raise SynonymRefused(_l("A group can have at most %(n)d terms.", n=MAX_TERMS), field="terms")
    for term in terms:
        parts = term.split()
        if len(parts) > MAX_TERM_WORDS or any(len(part) > MAX_WORD_LENGTH for part in parts):
            raise SynonymRefused(_l("“%(term)s” is too long: a term has at most %(n)d words.",
                                    term=term, n=MAX_TERM_WORDS), field="terms")
    same = db.session.scalars(select(SynonymGroup).where(
        SynonymGroup.category.is_(None) if category is None else SynonymGroup.category == category)).all()
    if any(set(group.term_list) == set(terms) for group in same):
        raise SynonymRefused(_l("This group is already in the table."), field="terms")


def _changed() -> None:
    announce_after_commit(db.session, synonyms_changed, "synonyms")


def add_group(actor, category: str | None, raw_terms: str) -> SynonymGroup:
    """A new group of terms that find each other, for one category or (None) for all."""
    terms = parse_terms(raw_terms)
    _check(category, terms)
    group = SynonymGroup(category=category, terms=", ".join(terms))
    db.session.add(group)
    db.session.flush()
    audit.record(actor, "synonyms.added", "synonym_group", group.id, None,
                 {"category": category, "terms": terms})
    _changed()
    return group


def remove_group(actor, group_id: int) -> None:
    """Take a group out of the table: its terms no longer find each other."""
    group = db.session.get(SynonymGroup, group_id)
    if group is None:
        raise NotFound()
    audit.record(actor, "synonyms.removed", "synonym_group", group.id,
                 {"category": group.category, "terms": group.term_list}, None)
    db.session.delete(group)
    db.session.flush()
    _changed()


def list_groups() -> list[SynonymGroup]:
    """Every group: the ones for all categories first, then by category, oldest first."""
    groups = db.session.scalars(select(SynonymGroup).order_by(SynonymGroup.id)).all()
    order = {code: n for n, code in enumerate(CATEGORIES, start=1)}
    return sorted(groups, key=lambda g: order.get(g.category, 0) if g.category else 0)


def table() -> tuple[tuple[str | None, tuple[Term, ...]], ...]:
    """Every group as (category, terms as word tuples): from the cache, read again once the table changes."""

    def load():
        rows = db.session.execute(select(SynonymGroup.category, SynonymGroup.terms).order_by(SynonymGroup.id)).all()
        return tuple((category, tuple(tuple(term.split()) for term in terms.split(", "))) for category, terms in rows)

    return cached("synonym-table", (), load, versions=(SYNONYMS,), timeout=0)


@dataclass(frozen=True)
class Slot:
    """Words of the query matched as one: the words typed, and the other terms that may stand for them."""

    typed: Term
    others: tuple[Term, ...] = ()


def expand(tokens: list[str], category: str | None, groups=None) -> list[Slot]:
    """The query's words as slots; a term found in a group (longest first) is one slot with its synonyms.

    A search within a category uses that category's groups and those for every category; a search in
    every category uses them all.
    """
    groups = table() if groups is None else groups
    index: dict[Term, list[Term]] = {}
    for group_category, terms in groups:
        if category is not None and group_category not in (None, category):
            continue
        for term in terms:
            found = index.setdefault(term, [])
            found.extend(other for other in terms if other != term and other not in found)
    longest = max((len(term) for term in index), default=1)
    slots, at = [], 0
    while at < len(tokens):
        for size in range(min(longest, len(tokens) - at), 0, -1):
            term = tuple(tokens[at:at + size])
            if index.get(term):
                slots.append(Slot(term, tuple(index[term][:MAX_ALTERNATIVES])))
                at += size
                break
        else:
            slots.append(Slot((tokens[at],)))
            at += 1
    return slots


def seed_sample_synonyms() -> int:
    """The starting table for Bandung's food, crafts, fashion and beauty (only where the table is empty)."""
    if db.session.scalar(select(SynonymGroup.id).limit(1)) is not None:
        return 0
    for category, terms in SAMPLE_GROUPS:
        db.session.add(SynonymGroup(category=category, terms=", ".join(parse_terms(terms))))
    db.session.flush()
    _changed()
    return len(SAMPLE_GROUPS)


# (category or None for all, terms: Indonesian, Malay, English and common spellings). Each group is
# what a buyer in one country types for what a merchant in the other calls the thing.
SAMPLE_GROUPS: list[tuple[str | None, str]] = [
    (None, "oleh oleh, buah tangan, cenderamata, souvenir, souvenirs"),
    (None, "hampers, hamper, bingkisan, gift set, gift box"),
    (None, "jahe, halia, ginger"),
    (None, "kunyit, turmeric"),
    (None, "sereh, serai, lemongrass"),
    (None, "sereh wangi, serai wangi, citronella"),
    (None, "kemiri, buah keras, candlenut"),
    (None, "beras, rice"),
    ("coffee-tea", "kopi, coffee"),
    ("coffee-tea", "teh, tea"),
    ("coffee-tea", "biji kopi, coffee beans, whole bean"),
    ("coffee-tea", "kopi bubuk, kopi serbuk, ground coffee"),
    ("coffee-tea", "gula aren, gula kabung, gula melaka, palm sugar"),
    ("snacks", "kerupuk, krupuk, keropok, crackers, cracker"),
    ("snacks", "keripik, kripik, kerepek, chips, crisps, crackers"),  # buyers call both "crackers"
    ("snacks", "kue, kuih, kueh, cakes, cake"),
    ("snacks", "kue kering, biskut, cookies, biscuits"),
    ("snacks", "camilan, cemilan, jajanan, snek, makanan ringan, snacks, snack"),
    ("snacks", "singkong, ubi kayu, cassava"),
    ("snacks", "pisang, banana"),
    ("snacks", "tempe, tempeh"),
    ("snacks", "cokelat, coklat, chocolate"),
    ("snacks", "kacang, peanuts, nuts"),
    ("sauces-spices", "cabai, cabe, cili, chilli, chili"),
    ("sauces-spices", "saus sambal, sos cili, chilli sauce, chili sauce"),
    ("sauces-spices", "bumbu, rempah, perencah, spices, seasoning"),
    ("sauces-spices", "bawang merah, shallot, shallots"),
    ("sauces-spices", "bawang putih, garlic"),
    ("sauces-spices", "kecap, kicap, soy sauce"),
    ("sauces-spices", "terasi, belacan, shrimp paste"),
    ("sauces-spices", "cumi, sotong, squid"),
    ("sauces-spices", "ikan asin, ikan masin, salted fish"),
    ("sauces-spices", "bumbu kacang, kuah kacang, peanut sauce"),
    ("batik-textiles", "kain, fabric, cloth"),
    ("batik-textiles", "kemeja, kemeja batik, baju kemeja, shirt"),
    ("batik-textiles", "syal, selendang, scarf"),
    ("batik-textiles", "sutra, sutera, silk"),
    ("batik-textiles", "batik tulis, hand drawn batik"),
    ("batik-textiles", "taplak meja, alas meja, tablecloth"),
    ("modest-fashion", "jilbab, kerudung, tudung, hijab"),
    ("modest-fashion", "gamis, jubah, abaya"),
    ("modest-fashion", "mukena, telekung, prayer set"),
    ("modest-fashion", "bros, kerongsang, brooch"),
    ("modest-fashion", "ciput, anak tudung, inner cap"),
    ("modest-fashion", "tunik, tunic"),
    ("modest-fashion", "pashmina, selendang, shawl"),
    ("modest-fashion", "baju muslim, baju muslimah, pakaian muslimah, muslimah wear"),
    ("bags-leather", "tas, beg, bag, bags"),
    ("bags-leather", "dompet, wallet, purse"),
    ("bags-leather", "ransel, beg galas, backpack"),
    ("bags-leather", "tas selempang, beg silang, crossbody bag, sling bag"),
    ("bags-leather", "sepatu, kasut, shoes"),
    ("bags-leather", "ikat pinggang, tali pinggang, belt"),
    ("bags-leather", "gantungan kunci, rantai kunci, key ring, keychain"),
    ("bags-leather", "kulit, leather"),
    ("crafts-decor", "bambu, buluh, bamboo"),
    ("crafts-decor", "anyaman, anyam, woven"),
    ("crafts-decor", "kerajinan, kraftangan, handicraft, crafts"),
    ("crafts-decor", "lampu, lamp"),
    ("crafts-decor", "nampan, dulang, tray"),
    ("crafts-decor", "alat makan, kutleri, cutlery"),
    ("crafts-decor", "sedotan, penyedut minuman, straw, straws"),
    ("crafts-decor", "hiasan, dekorasi, decoration, decor"),
    ("beauty-herbal", "minyak wangi, parfum, perfume, wewangian, pewangi"),
    ("beauty-herbal", "sabun, soap"),
    ("beauty-herbal", "lulur, scrub, body scrub"),
    ("beauty-herbal", "masker wajah, topeng muka, face mask"),
    ("beauty-herbal", "minyak rambut, hair oil"),
    ("beauty-herbal", "minyak atsiri, minyak pati, essential oil, aromaterapi, aromatherapy"),
    ("beauty-herbal", "balsem, balm"),
    ("beauty-herbal", "jamu, herba, herbal"),
]
