"""Cached pieces of catalog pages, and the one switch that makes them all stale.

Every change a buyer could see (a product saved, published, archived; a photo;
a rate) bumps the catalog generation; keys include it, so stale entries are
never read again and expire on their own. With Redis the generation is shared
by every worker; with the in-process cache another worker may show the old
page for at most CACHE_DEFAULT_TIMEOUT seconds.
"""
from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from ..extensions import cache

GENERATION_KEY = "catalog-generation"


def catalog_generation() -> int:
    value = cache.get(GENERATION_KEY)
    if value is None:
        value = 1
        cache.set(GENERATION_KEY, value, timeout=0)
    return value


def bump_catalog_generation() -> None:
    """Everything cached about the catalog is out of date from now on."""
    try:
        cache.inc(GENERATION_KEY)
    except Exception:  # a backend without atomic increments: a plain write is good enough here
        cache.set(GENERATION_KEY, catalog_generation() + 1, timeout=0)


def cached(namespace: str, parts: tuple, build: Callable[[], object], timeout: int | None = None):
    """build(), kept under a key made of the namespace, the catalog generation and the parts."""
    key = _key(namespace, parts)
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=timeout)
    return value


def _key(namespace: str, parts: tuple) -> str:
    return f"{namespace}:{hashlib.sha1(repr((catalog_generation(), parts)).encode()).hexdigest()}"


def cached_page(view):
    """Serve a catalog page rendered once for everyone who asks the same thing in the same language and currency.

    The header's CSRF token and return address are filled in per request. A page
    with flashed messages to show, or an answer other than a plain 200, is never stored.
    """
    from flask import g, make_response, request, session
    from flask_babel import get_locale
    from flask_login import current_user

    from ..rates.currency import request_rates, select_currency  # until the cache keys on what callers pass
    from .templating import fill_placeholders

    @wraps(view)
    def wrapper(*args, **kwargs):
        if request.method != "GET" or session.get("_flashes"):
            return view(*args, **kwargs)
        currency = select_currency()
        user = None
        if current_user.is_authenticated:
            # A buyer's state picks the delivered price: a changed profile must not get the old page.
            buyer = current_user.buyer_profile
            user = (current_user.id, current_user.role.value, current_user.display_name, buyer.state if buyer else None)
        key = _key("page", (request.full_path, str(get_locale()), currency, request_rates().get(currency), user))
        page = cache.get(key)
        if page is None:
            g.serumpun_page_cache = True
            try:
                response = make_response(view(*args, **kwargs))
            finally:
                g.serumpun_page_cache = False
            if response.status_code != 200 or response.mimetype != "text/html":
                return response
            page = response.get_data(as_text=True)
            cache.set(key, page)
        return fill_placeholders(page)

    return wrapper
