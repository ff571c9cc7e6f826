"""One word for one thing: the glossary in marketplace/translations/GLOSSARY.md holds in both catalogs."""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

TRANSLATIONS = Path(__file__).resolve().parents[2] / "marketplace" / "translations"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]")
LANGUAGES = {"id": 1, "ms": 2}  # the glossary table's column for each language
ROLE_NOUNS = {"id": ("Pembeli", "Penjual", "Petugas", "Admin"), "ms": ("Pembeli", "Peniaga", "Pegawai", "Pentadbir")}


@dataclass(frozen=True)
class Term:
    english: tuple[str, ...]
    forms: dict[str, tuple[str, ...]]
    other_senses: tuple[str, ...]

    def used_in(self, source: str) -> bool:
        text = PLACEHOLDER.sub(" ", source)
        for sense in self.other_senses:
            text = re.sub(re.escape(sense), " ", text, flags=re.IGNORECASE)
        return any(re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE) for word in self.english)


def split(cell: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in cell.split(",") if part.strip())


def glossary() -> list[Term]:
    terms = []
    for line in (TRANSLATIONS / "GLOSSARY.md").read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) != 4 or cells[0] in ("English", "") or set(cells[0]) <= {"-"}:
            continue
        terms.append(Term(split(cells[0]), {lang: split(cells[col]) for lang, col in LANGUAGES.items()},
                          split(cells[3])))
    return terms


def entries(language: str):
    with open(TRANSLATIONS / language / "LC_MESSAGES" / "messages.po", "rb") as f:
        for message in read_po(f):
            if message.id:
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                yield ids[0], strings


def test_the_glossary_table_is_read():
    terms = glossary()
    assert len(terms) >= 25
    merchant = next(t for t in terms if t.english == ("merchant",))
    assert merchant.forms == {"id": ("penjual",), "ms": ("peniaga",)}
    shop = next(t for t in terms if t.english == ("shop",))
    assert shop.used_in("Go to my shop") and not shop.used_in("Shop as a buyer")
    assert not merchant.used_in("%(merchant)s sent your parcel")  # a placeholder is not the word


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_glossary_term_is_translated_with_its_word(language):
    wrong = []
    for source, strings in entries(language):
        for term in glossary():
            if term.used_in(source):
                for string in strings:
                    if not any(form.lower() in string.lower() for form in term.forms[language]):
                        wrong.append(f"{term.english[0]!r} should be {' or '.join(term.forms[language])}: "
                                     f"{source!r} -> {string!r}")
    assert wrong == [], "\n".join(wrong)


@pytest.mark.parametrize("language", LANGUAGES)
def test_role_nouns_are_lower_case_mid_sentence(language):
    nouns = "|".join(ROLE_NOUNS[language])
    # After a word inside a sentence (not after a full stop, colon or the start), the noun is lower case.
    pattern = re.compile(rf"(?<=[a-z,] )({nouns})\b")
    wrong = [f"{source!r} -> {string!r}" for source, strings in entries(language)
             for string in strings if pattern.search(string)]
    assert wrong == [], "\n".join(wrong)
