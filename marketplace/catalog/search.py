"""Finding published products: full text in every language, filters, facets, sorts.

Full text uses SQLite's FTS5 table or PostgreSQL's GIN index on a document column (see the search
migrations); everything else is plain SQL that both databases run alike. A word found in the officers'
synonym table (see synonyms.py) matches any word of its group, within the same one match expression.
"""
from __future__ import annotations

import json
import re
from collections.abc import Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal

from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, Integer, and_, case, column, func, literal_column, select, table, text, union_all
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import contains_eager, selectinload
from sqlalchemy.sql.base import Executable
from sqlalchemy.sql.elements import ClauseElement
from sqlalchemy.sql.selectable import Join

from ..accounts.models import MerchantProfile, VerificationStatus
from ..core.cache import LISTING, SYNONYMS, cached
from ..core.taxonomy import CATEGORIES
from ..extensions import db
from ..money import MAX_IDR_PRICE, MINOR_UNITS, Money, MoneyError, Rate, decimal_text, idr_bounds_showing, parse_amount
from .models import FoodRegistration, Product
from .queries import only_visible
from .synonyms import Slot, expand

SORTS = ("relevance", "newest", "price_asc", "price_desc")
SHIP_OPTIONS = (3, 7, 14, 30)
READY_TO_SHIP_DAYS = 2  # what "ready to ship" means when a buyer asks "within N days"
PER_PAGE = 24
MAX_PAGE = 1000
MAX_TOKENS = 8
FLAGS = ("halal", "bpom", "verified", "recyclable")
# PostgreSQL: counts and facets are taken from the first SAMPLE products a search matches (one query of
# at most SAMPLE rows). When it matches no more, they are exact; when it matches more, each is that
# sample's share scaled to the planner's estimate of the matches, and the page says "about": an exact
# count reads every matching row, about half a second for 1,000,000 products on two cores.
SAMPLE = 1_000
# PostgreSQL: ranking reads every match (ts_rank over each one's document): 0.4 s for 70,000 of 1,000,000
# products. A search expected to match more than this many is ordered instead as the products with the
# words in their name, newest first, then the others, newest first: each part walks the index of
# publication dates and stops at its page. The page says so.
RANK_LIMIT = 2_000
RARE = 40  # see _count_from_sample

# PostgreSQL: each product's weighted document (names A, descriptions B, category words C), kept in a
# column by a trigger and GIN-indexed (migrations/versions/*_search_document.py); not a mapped column, so
# that loading a product never reads it.
PG_DOCUMENT = literal_column("products.search_document")
# PostgreSQL: every word of those documents, kept by the same trigger (migrations/versions/*_search_words.py).
# A typed word is searched as the words starting with it (see word_starts); where more than MAX_STARTS do,
# or one of them is not a plain word, as a prefix.
SEARCH_WORDS = table("search_words", column("word"))
MAX_STARTS = 50
PLAIN_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Filters:
    q: str = ""
    category: str | None = None
    min_price: Money | None = None  # in the buyer's currency, as typed
    max_price: Money | None = None
    halal: bool = False
    bpom: bool = False
    verified: bool = False
    recyclable: bool = False
    ships_within: int | None = None
    moq_max: int | None = None
    sort: str = ""
    page: int = 1

    @property
    def effective_sort(self) -> str:
        if self.sort in SORTS and (self.sort != "relevance" or self.tokens):
            return self.sort
        return "relevance" if self.tokens else "newest"

    @property
    def tokens(self) -> list[str]:
        return search_tokens(self.q)

    @property
    def versions(self) -> tuple[str, ...]:
        """The cache versions a search with these filters depends on: words depend on the synonyms too."""
        return (LISTING, SYNONYMS) if self.tokens else (LISTING,)

    def counting_key(self) -> tuple:
        """What the counts depend on: everything but the page and the order."""
        return replace(self, sort="", page=1)

    def query_args(self, page: bool = True) -> dict[str, str]:
        """These filters as query parameters, in one order and without defaults: one address per search.

        Filters that are the same search give the same parameters, however they were written: in any
        order, "halal=yes" or "halal=1", "25,50" or "25.5", "sort=newest" or no sort, "page=1" or none.
        Pages are cached by them and link with them, never with the raw query.
        """
        args: dict[str, str] = {}
        if self.q:
            args["q"] = self.q
        if self.category:
            args["category"] = self.category
        for name in ("min_price", "max_price"):
            amount = getattr(self, name)
            if amount is not None:
                args[name] = decimal_text(Decimal(amount.amount).scaleb(-MINOR_UNITS[amount.currency]))
        for name in FLAGS:
            if getattr(self, name):
                args[name] = "1"
        if self.ships_within:
            args["ships_within"] = str(self.ships_within)
        if self.moq_max:
            args["moq_max"] = str(self.moq_max)
        if self.effective_sort != ("relevance" if self.tokens else "newest"):
            args["sort"] = self.effective_sort
        if page and self.page != 1:
            args["page"] = str(self.page)
        return args


@dataclass
class Problem:
    param: str
    message: object


def search_tokens(q: str) -> list[str]:
    """Words of the query, lowercased; punctuation and operators are never passed to the engine."""
    return [t for t in re.findall(r"\w+", (q or "").lower()) if len(t) <= 40][:MAX_TOKENS]


def _flag(value: str | None) -> bool:
    return (value or "").lower() in ("1", "true", "yes", "on", "y")


def _positive_int(args: Mapping, name: str, problems: list[Problem], maximum: int) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= maximum:
        problems.append(Problem(name, _l("Use a whole number from 1 to %(max)d.", max=maximum)))
        return None
    return int(raw)


def parse_filters(args: Mapping, currency: str) -> tuple[Filters, list[Problem]]:
    """Filters from the URL. A bad value is reported and left out; the rest still apply."""
    problems: list[Problem] = []
    q = " ".join((args.get("q") or "").split())[:200].rstrip()
    category = args.get("category") or None
    if category and category not in CATEGORIES:
        problems.append(Problem("category", _l("There is no such category.")))
        category = None
    prices = {}
    for name in ("min_price", "max_price"):
        raw = (args.get(name) or "").strip()
        if raw:
            try:
                prices[name] = parse_amount(raw, currency)
            except MoneyError:
                problems.append(Problem(name, _l("Enter an amount like 25 or 25.50.")))
    if "min_price" in prices and "max_price" in prices and prices["min_price"].amount > prices["max_price"].amount:
        problems.append(Problem("max_price", _l("The highest price is below the lowest.")))
        prices.pop("max_price")
    ships = _positive_int(args, "ships_within", problems, 365)
    moq_max = _positive_int(args, "moq_max", problems, 1_000_000)
    sort = args.get("sort") or ""
    if sort and sort not in SORTS:
        problems.append(Problem("sort", _l("Unknown sort order.")))
        sort = ""
    page = _positive_int(args, "page", problems, MAX_PAGE) or 1
    filters = Filters(
        q=q, category=category, min_price=prices.get("min_price"), max_price=prices.get("max_price"),
        halal=_flag(args.get("halal")), bpom=_flag(args.get("bpom")), verified=_flag(args.get("verified")),
        recyclable=_flag(args.get("recyclable")), ships_within=ships, moq_max=moq_max, sort=sort, page=page,
    )
    return filters, problems


@dataclass
class SearchResult:
    filters: Filters
    products: list[Product]
    total: int
    category_counts: dict[str, int]
    flag_counts: dict[str, int]
    ship_counts: dict[int, int]
    per_page: int = PER_PAGE
    problems: list[Problem] = field(default_factory=list)
    synonyms: list[Slot] = field(default_factory=list)  # the query's terms that were also searched as others
    estimated: bool = False  # the total is an estimate (PostgreSQL, see SAMPLE)
    facets_estimated: bool = False  # so are the facet counts
    named_first: bool = False  # relevance as "the words in the name first, newest first" (see RANK_LIMIT)

    @property
    def pages(self) -> int:
        pages = max(1, -(-self.total // self.per_page))
        if self.estimated and len(self.products) == self.per_page:
            # An estimate may fall short: a full page always offers the next one.
            pages = max(pages, self.filters.page + 1)
        return min(pages, MAX_PAGE)


def _ships_within(days: int):
    return func.coalesce(Product.made_to_order_days, READY_TO_SHIP_DAYS) <= days


class FtsFirstJoin(Join):
    """A join SQLite must read left side first: the matching FTS rows, then their products.

    Left to itself, SQLite's planner walks a products index and probes the FTS
    table once per product (350 ms at 100,000 products); CROSS JOIN fixes the
    order (20 ms). Other databases render it as a plain inner join.
    """

    inherit_cache = True


@compiles(FtsFirstJoin, "sqlite")
def _fts_first_join(join, compiler, **kw):
    kw["asfrom"] = True
    return (f"{compiler.process(join.left, **kw)} CROSS JOIN "
            f"{compiler.process(join.right, **kw)} ON {compiler.process(join.onclause, **kw)}")


@dataclass
class TextMatch:
    relevance: object  # higher is better
    subquery: object = None  # SQLite: the matching FTS rows, to join on id
    condition: object = None  # PostgreSQL: a condition on products
    in_name: object = None  # PostgreSQL: the words are in the product's name (the document's weight A)


# A term of several words ("minyak wangi") matches as a phrase, its last word possibly the start of a
# longer one, like every single word: "minyak goreng wangi pandan" is no perfume.
def _fts_term(term: tuple[str, ...]) -> str:
    return '"' + " ".join(term) + '"*'


def _ts_term(term: tuple[str, ...], starts: Mapping[str, tuple[str, ...] | None] | None = None) -> str:
    last = (starts or {}).get(term[-1])
    if not last:
        last_word = f"{term[-1]}:*"
    else:
        last_word = last[0] if len(last) == 1 else "(" + " | ".join(last) + ")"
    return " <-> ".join((*term[:-1], last_word))


def _ts_name_term(term: tuple[str, ...]) -> str:
    return " <-> ".join((*(f"{word}:A" for word in term[:-1]), f"{term[-1]}:*A"))


def _either(slot: Slot, term, union: str) -> str:
    """A slot as a match expression: the typed word, or (with synonyms) any of its terms."""
    if not slot.others:
        return term(slot.typed)
    return "(" + f" {union} ".join(term(alternative) for alternative in (slot.typed, *slot.others)) + ")"


def word_starts(prefixes: list[str]) -> dict[str, tuple[str, ...] | None]:
    """PostgreSQL: for each prefix, the words of the catalog's documents that start with it (itself among
    them when it is one), in one query; None where more than MAX_STARTS do or one is not a plain word.

    A prefix match ("batik:*") makes GIN gather every product of every word starting with it before it
    combines them with the other words (30 ms for "batik" among 1,000,000 products); the same words as
    alternatives ("batik | batiks") it combines word by word (9 ms). A word that is not plain, such as
    "tulis-an" (the document holds it one position before its parts "tulis" and "an") or an e-mail address,
    keeps the prefix: as alternatives it would not match the same products.
    """
    prefixes = tuple(sorted(set(prefixes)))
    if not prefixes:
        return {}
    # Cached until a listing changes, and then read again from the primary (core.cache.cached): the counts
    # cached with it must not be built from a replica's list that lacks a word just published.
    return cached("word-starts", prefixes, lambda: _read_word_starts(prefixes), versions=(LISTING,))


def _read_word_starts(prefixes: tuple[str, ...]) -> dict[str, tuple[str, ...] | None]:
    word = SEARCH_WORDS.c.word
    # DISTINCT before the limit: a word may be in the table twice (it has no unique constraint).
    parts = [select(literal_column(str(n)).label("n"), word).distinct()
             .where(word >= prefix, word < prefix + "\U0010ffff").order_by(word).limit(MAX_STARTS + 1).subquery()
             for n, prefix in enumerate(prefixes)]
    found: dict[str, list[str]] = {prefix: [] for prefix in prefixes}
    for n, found_word in db.session.execute(union_all(*(select(part.c.n, part.c.word) for part in parts))):
        found[prefixes[n]].append(found_word)
    return {prefix: (tuple(sorted(words)) if len(words) <= MAX_STARTS and all(PLAIN_WORD.fullmatch(w) for w in words)
                     else None) for prefix, words in found.items()}


def _text_match(slots: list[Slot]) -> TextMatch:
    """How the words are matched on this database; every word may be the start of a longer one.

    Each slot is a word or term of the query; one with synonyms matches the typed words or any of
    them. The whole query is still one match expression: no query per word or per synonym.
    """
    if db.engine.dialect.name == "postgresql":
        document = PG_DOCUMENT
        starts = word_starts([term[-1] for slot in slots for term in (slot.typed, *slot.others)])
        expression = " & ".join(_either(slot, lambda term: _ts_term(term, starts), "|") for slot in slots)
        tsquery = func.to_tsquery(text("'simple'::regconfig"), expression)
        in_name = func.to_tsquery(text("'simple'::regconfig"),
                                  " & ".join(_either(slot, _ts_name_term, "|") for slot in slots))
        return TextMatch(relevance=func.ts_rank(document, tsquery), condition=document.op("@@")(tsquery),
                         in_name=document.op("@@")(in_name))
    fts = (
        text("SELECT rowid AS id, bm25(product_fts, 10.0, 10.0, 2.0, 2.0, 1.0) AS rank "
             "FROM product_fts WHERE product_fts MATCH :match")
        .bindparams(match=" AND ".join(_either(slot, _fts_term, "OR") for slot in slots))
        .columns(id=Integer, rank=Float).subquery("fts")
    )
    return TextMatch(relevance=-fts.c.rank, subquery=fts)


def _conditions(filters: Filters, rate: Rate | None, today: date) -> tuple[dict, dict]:
    """Each filter's condition by name; the facet flags apart, since facets count them one by one."""
    conditions = {}
    if filters.category:
        conditions["category"] = Product.category == filters.category
    low, high = filters.min_price, filters.max_price
    given = low if low is not None else high
    if given is not None and given.currency != "IDR" and rate is not None:
        # The rupiah prices whose ringgit price, as shown, is within what the buyer typed.
        lowest, highest = idr_bounds_showing(low, high, rate)
    else:
        lowest, highest = (low.amount if low else None), (high.amount if high else None)
    # Beyond any listed price: clamped, so that a huge number is a bound, not an overflow.
    if lowest is not None:
        conditions["min_price"] = Product.price_idr >= min(max(lowest, 0), MAX_IDR_PRICE + 1)
    if highest is not None:
        conditions["max_price"] = Product.price_idr <= min(max(highest, -1), MAX_IDR_PRICE)
    if filters.moq_max:
        conditions["moq_max"] = Product.moq <= filters.moq_max
    flags = {
        "halal": Product.halal_valid_on(today),
        "bpom": Product.food_registration == FoodRegistration.BPOM_MD,
        "verified": MerchantProfile.verification_status == VerificationStatus.VERIFIED,
        "recyclable": Product.recyclable.is_(True),
    }
    return conditions, flags


def search(filters: Filters, rate: Rate | None, today: date, per_page: int = PER_PAGE) -> SearchResult:
    """One page of published products matching the filters, the total, and the facet counts."""
    conditions, flags = _conditions(filters, rate, today)
    active_flags = [name for name in FLAGS if getattr(filters, name)]
    ships = _ships_within(filters.ships_within) if filters.ships_within else None
    slots = expand(filters.tokens, filters.category) if filters.tokens else []
    match = _text_match(slots) if slots else None

    def base(query, skip: tuple = (), words: bool = True):
        if not words:  # every filter but the words (for estimates)
            return only_visible(query.select_from(Product)).where(
                *[c for name, c in conditions.items() if name not in skip])
        if match is not None and match.subquery is not None:
            query = query.select_from(FtsFirstJoin(match.subquery, Product.__table__,
                                                   match.subquery.c.id == Product.id))
        else:
            query = query.select_from(Product)
        query = only_visible(query)
        if match is not None and match.condition is not None:
            query = query.where(match.condition)
        return query.where(*[c for name, c in conditions.items() if name not in skip])

    def flags_except(skip: str | None = None) -> list:
        found = [flags[name] for name in active_flags if name != skip]
        return [*found, ships] if ships is not None and skip != "ships" else found

    # The same filters give the same counts to everyone: computed once a minute at most.
    total, flag_counts, ship_counts, category_counts, estimated = cached(
        "search-counts", (filters.counting_key(), rate, today),
        lambda: _count(filters, slots, base, flags, flags_except),
        versions=filters.versions,
    )
    query = base(select(Product)).where(*flags_except()).options(
        contains_eager(Product.merchant), selectinload(Product.photos), selectinload(Product.tiers)
    )
    offset = (filters.page - 1) * per_page
    by_name = filters.effective_sort == "relevance" and match.in_name is not None and total > RANK_LIMIT
    if by_name:
        products = _named_first(query, base(select(func.count(Product.id))).where(*flags_except()), match,
                                offset, per_page)
    else:
        query = query.order_by(*{
            "relevance": lambda: (match.relevance.desc(), Product.id.desc()),
            "price_asc": lambda: (Product.price_idr.asc(), Product.id.asc()),
            "price_desc": lambda: (Product.price_idr.desc(), Product.id.desc()),
            "newest": lambda: (Product.published_at.desc(), Product.id.desc()),
        }[filters.effective_sort]())
        products = list(db.session.scalars(query.limit(per_page).offset(offset)).unique())

    total_estimated = estimated
    if estimated:
        # What the page shows is certain: at least the products up to it, and all of them when it is not full.
        shown = (filters.page - 1) * per_page + len(products)
        if len(products) < per_page and (products or filters.page == 1):
            total, total_estimated = shown, False
        else:
            total = max(total, shown)
    return SearchResult(filters=filters, products=products, total=total, category_counts=category_counts,
                        flag_counts=flag_counts, ship_counts=ship_counts, per_page=per_page,
                        synonyms=[slot for slot in slots if slot.others], estimated=total_estimated,
                        facets_estimated=estimated, named_first=by_name)


def _named_first(query, counting, match: TextMatch, offset: int, per_page: int) -> list[Product]:
    """One page of the matches in the order of RANK_LIMIT: the words in the name first, then the rest."""
    newest = (Product.published_at.desc(), Product.id.desc())
    named_query = query.where(match.in_name).order_by(*newest).limit(per_page).offset(offset)
    with _planned_without(named_query, "seqscan", "bitmapscan", "sort"):  # a walk down the publication dates
        first = list(db.session.scalars(named_query).unique())
    if len(first) == per_page:
        return first
    # How many matches have the words in their name: known from this page, unless it is past them all.
    named = offset + len(first) if first or not offset else db.session.scalar(counting.where(match.in_name))
    rest_query = query.where(~match.in_name).order_by(*newest).limit(per_page - len(first)) \
        .offset(max(0, offset - named))
    with _planned_without(rest_query, "seqscan", "bitmapscan", "sort"):
        return first + list(db.session.scalars(rest_query).unique())


@contextmanager
def _planned_without(statement, *methods: str):
    """Run a query with some of PostgreSQL's ways to read a table or order rows closed ("seqscan", "sort").

    The planner cannot estimate a phrase or a word of the name, nor a word it has no statistics for: it
    counts on one product matching "batik <-> tulis" in a name and reads all 20,000 to sort them (0.7 s
    at 1,000,000 products, where walking the publication dates meets 24 within a few hundred: 0.06 s); it
    counts on 20,000 matching "minyak wangi" and reads the whole table for none (0.9 s, where the search
    index says so in 0.4 ms). Closed for this query only, on the connection it runs on (the replica's,
    when catalog reads go there), and only on PostgreSQL.
    """
    if db.engine.dialect.name != "postgresql" or not methods:
        yield
        return
    connection = db.session.connection(bind_arguments={"clause": statement})
    connection.exec_driver_sql("; ".join(f"SET LOCAL enable_{method} = off" for method in methods))
    yield
    # (A query that failed took its transaction, and these settings with it.)
    connection.exec_driver_sql("; ".join(f"RESET enable_{method}" for method in methods))


class Explain(Executable, ClauseElement):
    """EXPLAIN (FORMAT JSON) of a query, with its parameters bound as the query's own would be."""

    inherit_cache = False

    def __init__(self, statement):
        self.statement = statement


@compiles(Explain, "postgresql")
def _explain(element, compiler, **kw):
    return "EXPLAIN (FORMAT JSON) " + compiler.process(element.statement, **kw)


def planned_rows(query) -> int:
    """How many rows PostgreSQL's planner expects the query to return (from its statistics; nothing is read)."""
    plan = db.session.execute(Explain(query)).scalar_one()
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def planned_matches(slots: list[Slot], base, catalog: int | None = None) -> int:
    """The planner's estimate of the products matching every filter but the category and the flags.

    PostgreSQL estimates each word well, but it takes the words of a query as independent, and so a
    synonym's "kopi | coffee" as twice as many products as either (bilingual listings carry both) and
    "batik & tulis" as an eighth of the products with both. Words typed together, and a word's synonyms,
    go together: the words' share of the catalog is read as that of the rarest word (or phrase), each at
    its most common spelling; the other filters' share is the planner's.
    """
    others = planned_rows(base(select(Product.id), skip=("category",), words=False))
    if not slots:
        return others
    catalog = catalog or max(1, planned_rows(select(Product.id)))

    def rows(word: str) -> int:
        return planned_rows(select(Product.id).where(PG_DOCUMENT.op("@@")(
            func.to_tsquery(text("'simple'::regconfig"), _ts_term((word,))))))

    # A term of several words ("batik tulis") is a phrase: as common as its rarest word.
    words = min(max(min(rows(word) for word in term) for term in (slot.typed, *slot.others)) for slot in slots)
    return round(others * min(1.0, words / catalog))


def about(n: int) -> int:
    """An estimate as a person would say it: two significant figures (41,237 -> 41,000; 987 -> 990)."""
    if n < 100:
        return n
    step = 10 ** (len(str(n)) - 2)
    return (n + step // 2) // step * step


def _count(filters: Filters, slots: list[Slot], base, flags, flags_except):
    """The total and every facet, and whether they are estimates.

    SQLite: exact, in two queries (one aggregate, one per category). PostgreSQL: from a sample, see SAMPLE.
    """
    if db.engine.dialect.name == "postgresql":
        return _count_from_sample(filters, slots, base, flags)
    return count_exactly(base, flags, flags_except)


def count_exactly(base, flags, flags_except):
    """The total and every facet in two queries: one aggregate, one per category."""
    def when(*parts):
        return func.sum(case((and_(Product.id.is_not(None), *parts), 1), else_=0))

    columns = [when(*flags_except())]
    columns += [when(*flags_except(name), flags[name]) for name in FLAGS]
    columns += [when(*flags_except("ships"), _ships_within(days)) for days in SHIP_OPTIONS]
    row = db.session.execute(base(select(*columns))).one()
    values = [int(v or 0) for v in row]
    total = values[0]
    flag_counts = dict(zip(FLAGS, values[1:1 + len(FLAGS)], strict=True))
    ship_counts = dict(zip(SHIP_OPTIONS, values[1 + len(FLAGS):], strict=True))
    by_category = db.session.execute(
        base(select(Product.category, func.count()), skip=("category",))
        .where(*flags_except()).group_by(Product.category)
    ).all()
    category_counts = {code: 0 for code in CATEGORIES}
    category_counts.update({code: n for code, n in by_category})
    return total, flag_counts, ship_counts, category_counts, False


def _count_from_sample(filters: Filters, slots: list[Slot], base, flags):
    """Counts from the first SAMPLE matching products, every filter but the category and the flags applied
    in SQL, the rest tallied here; scaled to an estimate of all matches (planned_matches) when there are more."""
    days = func.coalesce(Product.made_to_order_days, READY_TO_SHIP_DAYS)
    columns = [Product.category, days, *(case((flags[name], True), else_=False) for name in FLAGS)]
    sample = base(select(*columns), skip=("category",)).limit(SAMPLE + 1)
    catalog = max(1, planned_rows(select(Product.id))) if slots else 1
    expected = planned_matches(slots, base, catalog) if slots else None
    # Words that few products have (under 1 in RARE): the sample is read through the search index. Left to
    # itself, the planner may read the table in order, hoping to meet the sample early, and read it all.
    rare = expected is not None and expected * RARE < catalog
    with _planned_without(sample, *(("seqscan", "indexscan") if rare else ())):
        rows = db.session.execute(sample).all()
    estimated = len(rows) > SAMPLE
    rows = rows[:SAMPLE]
    if estimated:
        scale = (expected if expected is not None else planned_matches(slots, base)) / len(rows)
    active = [FLAGS.index(name) for name in FLAGS if getattr(filters, name)]
    within = filters.ships_within
    total = 0
    flag_counts = dict.fromkeys(FLAGS, 0)
    ship_counts = dict.fromkeys(SHIP_OPTIONS, 0)
    category_counts = dict.fromkeys(CATEGORIES, 0)
    # One pass: a facet counts the products that pass every other filter (a flag's own is never among
    # those a product fails, since the product has it).
    for code, ready_in, *marks in rows:
        if not all(marks[i] for i in active):
            continue
        ships = within is None or ready_in <= within
        if ships and code in category_counts:
            category_counts[code] += 1
        if filters.category is not None and code != filters.category:
            continue
        for option in SHIP_OPTIONS:
            ship_counts[option] += ready_in <= option
        if ships:
            total += 1
            for name, mark in zip(FLAGS, marks, strict=True):
                flag_counts[name] += mark
    if estimated:
        def scaled(n: int) -> int:
            return about(round(n * scale))

        total = scaled(total)
        flag_counts = {name: scaled(n) for name, n in flag_counts.items()}
        ship_counts = {days: scaled(n) for days, n in ship_counts.items()}
        category_counts = {code: scaled(n) for code, n in category_counts.items()}
    return total, flag_counts, ship_counts, category_counts, estimated


def published_per_category() -> dict[str, int]:
    """Published products per category, for the home page and the API (cached until a listing changes)."""

    def count() -> dict[str, int]:
        rows = db.session.execute(only_visible(select(Product.category, func.count()).select_from(Product))
                                  .group_by(Product.category)).all()
        return {**{code: 0 for code in CATEGORIES}, **dict(rows)}

    return cached("category-counts", (), count, versions=(LISTING,))

