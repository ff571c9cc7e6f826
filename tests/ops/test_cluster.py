"""The cluster (deploy/cluster.sh, `make cluster`): app servers hold no state that matters.

Started once for this module on free ports, on the local PostgreSQL, a Redis of its own and a moto S3, behind
HAProxy.
It runs in the PostgreSQL pass of the suite (the topology is PostgreSQL's; the SQLite pass has no use for
it), and needs haproxy, which .ci/run installs.
"""
from __future__ import annotations

import http.cookiejar
import os
import re
import shutil
import socket
import subprocess
import urllib.error
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRESQL, reason="the cluster runs on PostgreSQL: the PostgreSQL pass runs it"),
    pytest.mark.skipif((shutil.which("haproxy") is None or shutil.which("redis-server") is None)
                       and not os.environ.get("CI"),
                       reason="needs haproxy and redis-server (apt-get install haproxy redis-server; CI installs them)"),
]


def free_ports(n: int) -> list[int]:
    sockets = [socket.socket() for _ in range(n)]
    for s in sockets:
        s.bind(("127.0.0.1", 0))
    ports = [s.getsockname()[1] for s in sockets]
    for s in sockets:
        s.close()
    return ports


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


class Browser:
    """One buyer's cookies, sent to whichever server a request goes to."""

    def __init__(self, host: str):
        self.host = host  # what HAProxy would pass on: the site's own name
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), NoRedirect)

    def request(self, port: int, path: str, form: dict | None = None) -> tuple[int, Message, str]:
        data = urllib.parse.urlencode(form).encode() if form is not None else None
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, headers={"Host": self.host})
        try:
            with self.opener.open(request, timeout=30) as response:
                return response.status, response.headers, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read().decode()

    def form(self, port: int, page: str, action: str, fields: dict) -> tuple[int, Message, str]:
        status, _, html = self.request(port, page)
        assert status == 200, (page, status)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)
        return self.request(port, action, {"csrf_token": token, **fields})


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    lb, app1, app2, app3, s3, redis = free_ports(6)
    run = tmp_path_factory.mktemp("cluster")
    env = {**os.environ, "LB_PORT": str(lb), "APP_PORTS": f"{app1} {app2} {app3}", "S3_PORT": str(s3),
           "CLUSTER_DB": "serumpun_cluster_test", "CLUSTER_REDIS_PORT": str(redis), "CLUSTER_RUN": str(run),
           "WEB_CONCURRENCY": "1", "CONSUMERS": "1"}
    env.pop("SERUMPUN_ENV", None)
    started = subprocess.run(["bash", "deploy/cluster.sh", "start"], cwd=ROOT, env=env, capture_output=True, text=True,
                             timeout=600)
    try:
        assert started.returncode == 0, started.stdout + started.stderr
        yield {"lb": lb, "apps": (app1, app2, app3), "host": f"127.0.0.1:{lb}"}
    finally:
        subprocess.run(["bash", "deploy/cluster.sh", "stop"], cwd=ROOT, env=env, capture_output=True, timeout=120)
        leftover = [p.name for p in Path(run).glob("*.pid")]
        assert leftover == []


def test_sign_in_on_one_server_fill_the_cart_on_a_second_and_check_out_on_a_third(cluster):
    first, second, third = cluster["apps"]
    buyer = Browser(cluster["host"])

    status, headers, _ = buyer.form(first, "/login", "/login",
                                    {"email": "buyer@serumpun.example", "password": "serumpun-demo"})
    assert status in (302, 303), "signing in did not redirect"

    status, _, listing = buyer.request(second, "/products?q=preanger")
    product_id = re.search(r'href="(?:http://[^/"]+)?/products/(\d+)[-"]', listing).group(1)
    assert buyer.request(second, "/orders/")[0] == 200, "the second server does not know the buyer is signed in"
    status, _, page = buyer.request(second, f"/products/{product_id}")
    quantity = re.search(r'id="buy-quantity"[^>]*value="(\d+)"', page).group(1)
    status, _, _ = buyer.form(second, f"/products/{product_id}", "/cart/add",
                              {"product_id": product_id, "quantity": quantity, "next": "/cart/"})
    assert status in (302, 303)

    status, _, checkout = buyer.request(third, "/checkout")
    assert status == 200 and "preanger" in checkout.lower(), "the third server does not see the cart"
    key = re.search(r'name="checkout_key"[^>]*value="([^"]+)"', checkout).group(1)
    status, headers, _ = buyer.form(third, "/checkout", "/checkout", {
        "name": "Nur Aisyah", "phone": "012-345 6789", "line1": "12 Jalan SS2/24", "line2": "",
        "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "bank_transfer",
        "checkout_key": key})
    assert status in (302, 303), "checkout did not go through"
    order_path = urllib.parse.urlparse(headers["Location"]).path
    assert re.fullmatch(r"/orders/[A-Z0-9-]+", order_path), order_path

    # The order is there, once, whichever server (or the balancer) is asked.
    for port in (first, cluster["lb"]):
        status, _, order = buyer.request(port, order_path)
        assert status == 200 and order_path.rsplit("/", 1)[1] in order
    status, _, orders = buyer.request(first, "/orders/")
    assert orders.count(order_path) >= 1


def test_the_balancer_checks_readiness_and_passes_a_request_id(cluster):
    status, headers, body = Browser(cluster["host"]).request(cluster["lb"], "/readyz")
    assert status == 200 and '"redis":"ok"' in body.replace(" ", "") and '"storage":"ok"' in body.replace(" ", "")
    assert re.fullmatch(r"[0-9A-F]{20,}", headers["X-Request-ID"])
