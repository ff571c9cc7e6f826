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
    digest = hashlib.sha1(repr((catalog_generation(), parts)).encode()).hexdigest()
    key = f"{namespace}:{digest}"
    value = cache.get(key)
    if value is None:
        value = build()
        cache.set(key, value, timeout=timeout)
    return value
