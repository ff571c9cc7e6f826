"""Catalog pages and their expensive parts, cached by what they show and kept fresh by versions.

Keys. An entry's key is made of its namespace, the parts that decide what it shows, and the
current token of each *version* it depends on. The parts come from the caller: the normalised
parameters of the page (never the raw URL: `?utm_source=1` and `?utm_source=2` show the same page,
so they are one entry), the language, the currency and the exchange rates, the day. This module
knows none of them and imports no domain package.

Versions. A version is a name ("product:7", "merchant:3", "shelf:3", "listing", "pricing") with a
random token in the cache. Bumping it gives it a new token, so every entry built on the old one is
never read again and expires on its own. A missing version (never set, or evicted from a full
cache) also gets a fresh random token: eviction costs a rebuild, and can never bring an old entry
back, as a counter starting again at 1 could. The versions, and why they are cut this way:

- product:<id>   that product's own page. Anything about the product bumps it, stock included.
- merchant:<id>  the shop's own details, shown on its storefront and on each of its product pages.
- shelf:<id>     the list of a merchant's published products: its storefront.
- listing        every list and count of products across merchants: search results and facets,
                 the home page's sections, the API's product list.
- pricing        what every delivered price depends on: courier rates and customs rules.
- synonyms       the officers' table of search synonyms: every search for words (never a list without
                 words) depends on it as well as on "listing".
- showcases      the officers' showcases: any change to one (text, cover, products, status, schedule).
                 A showcase's page is also a list of products, so it depends on "listing" too: a
                 product that leaves the catalog leaves every showcase with it.

A sale changes one product's stock count: it bumps that product only, so every other product
page, every listing and every storefront stays cached. No list shows the count, so they stay
right; when the stock reaches zero or comes back, the API's list says so, and the catalog
announces that change as "listed". Any other change to a published product (publishing,
unpublishing, a price, a name, a photo, a certificate) is listed: it bumps "listing" and the
merchant's shelf, and still leaves other products' pages alone. Such changes are rare next to
page views and sales. Listings share one version rather than one per product in them because a
page of results cannot know, without the query it is trying to save, which products a change
would move into it or out of it.

Exchange rates are not versioned: the rates in force are part of every key that shows a price,
so a new rate makes new keys by itself (in each worker once it reads the rates again, within a minute).

Who bumps what: domain packages announce changes with core.signals.catalog_changed once their
transaction commits; forget_changed() below, connected when this module is imported, turns each
announcement into bumps.

Whole pages (cached_page) are stored only for anonymous readers: the page is the same for all of
them but for the CSRF token and the return address, filled into placeholders on every answer. A
signed-in reader's page is rendered each time around the same cached parts, so that a header for
that reader (a name, later a cart badge) is never stored or shown to anyone else.
"""
from __future__ import annotations

import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps

from flask import g, make_response, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import escape

from ..extensions import cache
from . import replica
from .replica import primary_reads_if_changed
from .signals import catalog_changed, showcases_changed, synonyms_changed
from .ui import registered_placeholders

VERSION_PREFIX = "version:"
LISTING = "listing"
PRICING = "pricing"
SHOWCASES = "showcases"
SYNONYMS = "synonyms"


def product_version(product_id: int) -> str:
    return f"product:{product_id}"


def merchant_version(merchant_id: int) -> str:
    return f"merchant:{merchant_id}"


def shelf_version(merchant_id: int) -> str:
    return f"shelf:{merchant_id}"


def _new_token() -> str:
    # Its time first: an entry built within seconds of a change is built from the primary (core.replica).
    return f"{int(replica.now()):x}.{secrets.token_hex(8)}"


def _token_time(token) -> float:
    head, dot, _ = str(token).partition(".")
    try:
        return int(head, 16) if dot else 0.0
    except ValueError:
        return 0.0


def version_tokens(names: Iterable[str]) -> tuple:
    """The current token of each named version, in one round trip when they all exist."""
    keys = [VERSION_PREFIX + name for name in names]
    if not keys:
        return ()
    tokens = cache.get_many(*keys)
    if any(token is None for token in tokens):
        for key, token in zip(keys, tokens, strict=True):
            if token is None:
                cache.add(key, _new_token(), timeout=0)  # another worker may have made one first: theirs stands
        tokens = cache.get_many(*keys)
    return tuple(tokens)


def bump(*names: str) -> None:
    """Everything cached on these versions is out of date from now on."""
    if names:
        cache.set_many({VERSION_PREFIX + name: _new_token() for name in names}, timeout=0)


def forget_changed(sender, product_id: int | None = None, merchant_id: int | None = None, listed: bool = False,
                   shop: bool = False, prices: bool = False, **_) -> None:
    """What a catalog_changed announcement makes stale (see the module's docstring)."""
    names = []
    if product_id is not None:
        names.append(product_version(product_id))
    if merchant_id is not None and shop:
        names.append(merchant_version(merchant_id))
    if listed or shop:  # a shop's name and verification show on its cards and count in the "verified" facet
        names.append(LISTING)
        if merchant_id is not None:
            names.append(shelf_version(merchant_id))
    if prices:
        names.append(PRICING)
    bump(*names)


catalog_changed.connect(forget_changed)


def forget_showcases(sender, **_) -> None:
    """A showcase changed: every page that shows one (its own, the list, the home page)."""
    bump(SHOWCASES)


showcases_changed.connect(forget_showcases)


def forget_synonyms(sender, **_) -> None:
    """The synonym table changed: every search for words, and the table itself."""
    bump(SYNONYMS)


synonyms_changed.connect(forget_synonyms)


def _key_and_times(namespace: str, parts: tuple, versions: Iterable[str]) -> tuple[str, list[float]]:
    """The entry's key, and when each version it depends on last changed."""
    versions = tuple(versions)
    tokens = version_tokens(versions)
    digest = hashlib.sha1(repr((parts, versions, tokens)).encode()).hexdigest()
    return f"{namespace}:{digest}", [_token_time(token) for token in tokens]


def cache_key(namespace: str, parts: tuple, versions: Iterable[str] = ()) -> str:
    return _key_and_times(namespace, parts, versions)[0]


def cached(namespace: str, parts: tuple, build: Callable[[], object], *, versions: Iterable[str] = (),
           timeout: int | None = None):
    """build(), kept under a key made of the namespace, the parts and the tokens of the versions it depends on."""
    key, changed_at = _key_and_times(namespace, parts, versions)
    value = cache.get(key)
    if value is None:
        with primary_reads_if_changed(changed_at):
            value = build()
        cache.set(key, value, timeout=timeout)
    return value


@dataclass(frozen=True)
class PageKey:
    """What a page shows: its normalised parameters and the reader's language, currency and rates
    (parts), and the versions whose change makes it stale."""

    parts: tuple
    versions: tuple[str, ...] = ()


CSRF_PLACEHOLDER = "\x00csrf\x00"
NEXT_PLACEHOLDER = "\x00next\x00"


def storing_whole_page() -> bool:
    """Whether the page being rendered is stored for many readers: per-request parts stay placeholders."""
    return bool(g.get("serumpun_page_cache"))


PLACEHOLDER = re.compile("\x00[a-z-]+\x00")  # every mark is a word between NULs, which no page has


def fill_placeholders(html: str) -> str:
    """This request's CSRF token, return address and registered marks (the cart's count), in a page or
    header rendered for many requests: one pass over the page, each mark's value made once."""
    registered = registered_placeholders()
    values: dict[str, str] = {}

    def value(match: re.Match) -> str:
        mark = match.group(0)
        if mark not in values:
            if mark == CSRF_PLACEHOLDER:
                values[mark] = str(escape(generate_csrf()))
            elif mark == NEXT_PLACEHOLDER:
                values[mark] = str(escape(request.full_path if request.query_string else request.path))
            elif mark in registered:
                values[mark] = registered[mark]()
            else:
                values[mark] = mark
        return values[mark]

    return PLACEHOLDER.sub(value, html)


def cached_page(describe: Callable[..., PageKey | None]):
    """Serve a page rendered once for every anonymous reader it would look the same to.

    describe(**view_args) says what the page shows (a PageKey), or None when it cannot say
    cheaply (a page that does not exist): then the view answers as usual. Signed-in readers,
    pages with flashed messages to show, and answers other than a plain 200 are never stored.
    """

    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            if request.method != "GET" or current_user.is_authenticated or session.get("_flashes"):
                return view(*args, **kwargs)
            described = describe(*args, **kwargs)
            if described is None:
                return view(*args, **kwargs)
            key, changed_at = _key_and_times("page", (request.endpoint, described.parts), described.versions)
            page = cache.get(key)
            if page is None:
                g.serumpun_page_cache = True
                try:
                    with primary_reads_if_changed(changed_at):
                        response = make_response(view(*args, **kwargs))
                finally:
                    g.serumpun_page_cache = False
                if response.status_code != 200 or response.mimetype != "text/html":
                    return response
                page = response.get_data(as_text=True)
                cache.set(key, page)
            return fill_placeholders(page)

        return wrapper

    return decorate
