"""What each public catalog page shows, as a cache key: one entry per page a reader could tell apart.

A key holds the page's parameters as parsed and normalised (unknown ones left out, the same search in
any order once, a default the same as no value), the reader's language and currency, the rates in
force and the day (a halal certificate and a rate are valid on a day); a page of product cards also holds
the state their delivered prices are for (the buyer's, Selangor for visitors), and depends on "pricing"
(courier rates, customs rules) besides the listing. The versions say which changes
make it stale (see core.cache). The views cache a page's expensive part under the same key for every
reader, and the whole page under it for anonymous readers.
"""
from __future__ import annotations

from flask import g, request
from flask_babel import get_locale
from flask_login import current_user

from ..core.cache import LISTING, PRICING, PageKey, cached, merchant_version, product_version, shelf_version
from ..core.models import utcnow
from ..rates.currency import request_rates, select_currency
from ..shipping.delivered import delivery_state
from . import delivery, search, services


def reader_parts() -> tuple:
    """The reader's language and currency, every rate in force (a page may show two currencies), the day."""
    return (str(get_locale() or "id"), select_currency(), tuple(sorted(request_rates().items())),
            utcnow().date())


def listing_parts() -> tuple:
    """A page of product cards: the reader's parts and the state each card's delivered price is for."""
    return (*reader_parts(), card_state())


def home_key() -> PageKey:
    return PageKey(listing_parts(), (LISTING, PRICING))


def search_key(filters: search.Filters, problems: list[search.Problem]) -> PageKey:
    """A search page: the filters as one canonical query, and which of the given ones could not be used."""
    refused = tuple((p.param, str(p.message)) for p in problems)
    return PageKey((tuple(filters.query_args().items()), refused, *listing_parts()), (*filters.versions, PRICING))


def product_facts(product_id: int) -> tuple[int, int] | None:
    """(merchant id, minimum order) of a product, cached until the product changes; None if there is none.

    Asked twice by a product page (for its cache key, then by the view): read once per request."""
    asked = g.setdefault("serumpun_product_facts", {})
    if product_id not in asked:
        asked[product_id] = cached("product-facts", (product_id,), lambda: services.product_facts(product_id),
                                   versions=(product_version(product_id),))
    return asked[product_id]


def buyer_state() -> str | None:
    if current_user.is_authenticated and current_user.buyer_profile is not None:
        return current_user.buyer_profile.state
    return None


def card_state() -> str:
    """The state product cards quote a delivered price to: the buyer's own, else Selangor."""
    return delivery_state(None, buyer_state())


def card_prices(products) -> dict[int, delivery.CardPrice]:
    """Each card's "delivered to <state> from <amount>" for this reader, by product id (no query per card)."""
    return delivery.card_prices(products, card_state(), request_rates(), select_currency(), utcnow().date())


def delivery_choice(moq: int) -> tuple[str, int]:
    """The state and quantity the delivered price is for: the URL's, else the buyer's state; never below the moq."""
    state = delivery_state(request.args.get("state"), buyer_state())
    raw = request.args.get("qty")
    quantity = max(int(raw), moq) if raw and raw.isascii() and raw.isdigit() and len(raw) < 7 else moq
    return state, quantity


def product_key(product_id: int, merchant_id: int, state: str, quantity: int) -> PageKey:
    """A product page: the product, the delivered price's state and quantity (the slug in its URL is decoration)."""
    return PageKey((product_id, state, quantity, *reader_parts()),
                   (product_version(product_id), merchant_version(merchant_id), PRICING))


def merchant_id_for(slug: str) -> int | None:
    """The merchant behind a shop address, cached a while: addresses never change hands."""
    return cached("merchant-id", (slug,), lambda: services.merchant_id_by_slug(slug))


def storefront_key(slug: str, merchant_id: int) -> PageKey:
    return PageKey((slug, *listing_parts()), (merchant_version(merchant_id), shelf_version(merchant_id), PRICING))
