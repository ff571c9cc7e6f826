"""The page cache on Redis, for when Redis is down or restarting: a miss, never an error page.

A cache is an optimisation: while Redis does not answer, every read is a miss (the page is rendered
from the database) and every write is dropped, so buyers get slower pages instead of 500s. Once Redis
answers again, the same client uses it again by itself. A version bumped while Redis was down is lost
with it: what was cached under the old token can be shown until it expires (CACHE_DEFAULT_TIMEOUT).

The first failure, and then one a minute, are logged; each failing call waits at most the socket
timeouts in CACHE_OPTIONS (config.py), so a Redis that hangs rather than refuses cannot hold a request.
"""
from __future__ import annotations

import logging
import time
from typing import Any

from flask_caching.backends.rediscache import RedisCache
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

LOG_EVERY = 60.0  # seconds between two warnings of one process while Redis stays down


class TolerantRedisCache(RedisCache):
    """flask_caching's RedisCache whose failures are misses and dropped writes."""

    _last_warning = 0.0

    def _failed(self, operation: str, error: Exception, answer: Any) -> Any:
        now = time.monotonic()
        if now - TolerantRedisCache._last_warning >= LOG_EVERY:
            TolerantRedisCache._last_warning = now
            log.warning("Cache unavailable (%s: %s): serving without it", operation, error)
        return answer

    def get(self, key: str) -> Any:
        try:
            return super().get(key)
        except RedisError as error:
            return self._failed("get", error, None)

    def get_many(self, *keys: str) -> list[Any]:
        try:
            return super().get_many(*keys)
        except RedisError as error:
            return self._failed("get_many", error, [None] * len(keys))

    def has(self, key: str) -> bool:
        try:
            return super().has(key)
        except RedisError as error:
            return self._failed("has", error, False)

    def set(self, key: str, value: Any, timeout: int | None = None) -> Any:
        try:
            return super().set(key, value, timeout=timeout)
        except RedisError as error:
            return self._failed("set", error, False)

    def add(self, key: str, value: Any, timeout: int | None = None) -> Any:
        try:
            return super().add(key, value, timeout=timeout)
        except RedisError as error:
            return self._failed("add", error, False)

    def set_many(self, mapping: dict[str, Any], timeout: int | None = None) -> list[Any]:
        try:
            return super().set_many(mapping, timeout=timeout)
        except RedisError as error:
            return self._failed("set_many", error, [])

    def delete(self, key: str) -> bool:
        try:
            return super().delete(key)
        except RedisError as error:
            return self._failed("delete", error, False)

    def delete_many(self, *keys: str) -> Any:
        try:
            return super().delete_many(*keys)
        except RedisError as error:
            return self._failed("delete_many", error, [])

    def clear(self) -> bool:
        try:
            return super().clear()
        except RedisError as error:
            return self._failed("clear", error, False)

    def inc(self, key: str, delta: int = 1) -> Any:
        try:
            return super().inc(key, delta)
        except RedisError as error:
            return self._failed("inc", error, None)

    def dec(self, key: str, delta: int = 1) -> Any:
        try:
            return super().dec(key, delta)
        except RedisError as error:
            return self._failed("dec", error, None)
