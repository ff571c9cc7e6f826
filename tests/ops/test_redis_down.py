"""Redis down or restarting: buyers get slower pages, never error pages; limits and the cache come back by themselves.

A redis-server of the test's own on a free port (never the shared one on 6379), stopped and started again
within the test, with the app set up as production sets it from REDIS_URL (config.py): the page cache on
core.redis_cache, the rate limits and the job queue on the same Redis.
"""
from __future__ import annotations

import re
import shutil
import socket
import subprocess
import time

import pytest

from ..helpers import Client, text_of
from ..orders.conftest import BUYER, two_shops  # noqa: F401  (a fixture)

pytestmark = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class RedisServer:
    """redis-server on a private port, appendonly as the cluster runs it: stop() and start() keep its data."""

    def __init__(self, folder):
        self.port, self.folder, self.process = free_port(), folder, None
        self.url = f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--dir", str(self.folder),
             "--appendonly", "yes", "--appendfsync", "everysec", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while subprocess.run(["redis-cli", "-p", str(self.port), "ping"], capture_output=True,
                             text=True).stdout.strip() != "PONG":
            assert time.monotonic() < deadline, "redis-server did not start"
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=20)

    def keys(self, pattern: str) -> list[str]:
        return subprocess.run(["redis-cli", "-p", str(self.port), "--scan", "--pattern", pattern],
                              capture_output=True, text=True).stdout.split()


@pytest.fixture()
def redis_server(tmp_path):
    server = RedisServer(tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture()
def on_redis(app_factory, redis_server, demo):
    """The app as REDIS_URL sets it up in production (config.py), on the test's own Redis."""
    return app_factory(
        CACHE_TYPE="marketplace.core.redis_cache.TolerantRedisCache", CACHE_REDIS_URL=redis_server.url,
        CACHE_OPTIONS={"socket_connect_timeout": 1, "socket_timeout": 1}, CACHE_KEY_PREFIX="serumpun:",
        RATELIMIT_ENABLED=True, RATELIMIT_STORAGE_URI=redis_server.url, LOGIN_RATE_LIMIT="3 per 5 minutes",
        JOBS_BACKEND="redis", JOBS_REDIS_URL=redis_server.url)


def test_pages_sign_in_and_checkout_work_while_redis_is_down(on_redis, redis_server, two_shops):  # noqa: F811
    visitor = Client(on_redis)
    assert visitor.get("/products").status_code == 200
    assert len(redis_server.keys("serumpun:page:*")) == 1  # the listing is cached in Redis

    redis_server.stop()
    listing = visitor.get("/products")
    assert listing.status_code == 200 and "Coffee C-1" in text_of(listing)
    assert visitor.get(f"/products/{two_shops['coffee']}").status_code == 200

    buyer = Client(on_redis)
    assert buyer.login(BUYER).status_code == 302  # the limiter cannot count: the sign-in goes through
    assert buyer.post("/cart/add", {"product_id": two_shops["coffee"], "quantity": "6"},
                      token_from="/cart/").status_code == 302
    page = buyer.get("/checkout").get_data(as_text=True)
    key = re.search(r'name="checkout_key"[^>]*value="([^"]+)"', page).group(1)
    placed = buyer.post("/checkout", {
        "name": "Nur Aisyah", "phone": "012-345 6789", "line1": "12 Jalan SS2/24", "line2": "",
        "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "bank_transfer",
        "checkout_key": key})
    # The order is placed; its mail and the end of its hold could not be queued (logged by core.jobs).
    assert placed.status_code == 303 and "/orders/" in placed.headers["Location"]
    assert buyer.get(placed.headers["Location"]).status_code == 200


def test_the_cache_and_the_limits_count_again_once_redis_is_back(on_redis, redis_server):
    visitor = Client(on_redis)
    redis_server.stop()
    assert visitor.get("/products").status_code == 200
    for _ in range(5):  # more than the limit of 3: nothing can count them while Redis is down
        assert visitor.login("nobody@serumpun.example", "wrong").status_code == 400  # the form, not a 429

    redis_server.start()
    for _ in range(3):
        assert visitor.get("/products").status_code == 200
    assert len(redis_server.keys("serumpun:page:*")) == 1, "the listing is cached again, once"
    answers = [visitor.login("nobody@serumpun.example", "wrong").status_code for _ in range(4)]
    assert answers == [400, 400, 400, 429]
    assert redis_server.keys("LIMITS*accounts.login*")
