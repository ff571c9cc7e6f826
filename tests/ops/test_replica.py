"""Catalog reads from a streaming replica (DATABASE_REPLICA_URL, marketplace/core/replica.py), on real clusters.

The module makes two PostgreSQL clusters of its own with pg_createcluster: a primary on port 5438 and a
replica of it on 5439 (pg_basebackup -R, streaming), and drops both at the end. Why not a replica of the
shared server on 5432: its pg_hba.conf takes no replication connections, and a test must not change or
restart a server that other runs use. Every query is recorded with the engine (primary or replica) that
ran it. PostgreSQL pass only; it needs root (pg_createcluster, and pg_basebackup as the postgres user).
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import create_engine, event, text

from marketplace import create_app
from marketplace.core import replica
from marketplace.extensions import db

from ..helpers import Client

ON_POSTGRESQL = os.environ.get("TEST_DATABASE_URL", "").startswith("postgresql")
CAN_MAKE_CLUSTERS = shutil.which("pg_createcluster") is not None and os.geteuid() == 0

pytestmark = [
    pytest.mark.skipif(not ON_POSTGRESQL, reason="the replica is PostgreSQL's streaming replication: the "
                                                 "PostgreSQL pass runs it"),
    # In CI a missing pg_createcluster fails the module instead (the fixture cannot run).
    pytest.mark.skipif(not CAN_MAKE_CLUSTERS and not os.environ.get("CI"),
                       reason="needs root and pg_createcluster (Debian's postgresql-common)"),
]

PRIMARY, PRIMARY_PORT = "serumpun_replica_primary", 5438
REPLICA, REPLICA_PORT = "serumpun_replica_test", 5439
DATABASE = "serumpun_replica"
TRUST = "local all all trust\nhost all all 127.0.0.1/32 trust\n"
BUYER, MERCHANT = "buyer@serumpun.example", "merchant@serumpun.example"


def run(*args: str) -> str:
    done = subprocess.run(args, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, f"{' '.join(args)}: {done.stdout}{done.stderr}"
    return done.stdout


def pg_version() -> str:
    return max(os.listdir("/usr/lib/postgresql"), key=int)


def drop_cluster(version: str, name: str) -> None:
    if Path(f"/etc/postgresql/{version}/{name}").exists():
        subprocess.run(["pg_dropcluster", "--stop", version, name], capture_output=True, timeout=120)


def make_cluster(version: str, name: str, port: int, hba: str) -> Path:
    run("pg_createcluster", version, name, "-p", str(port), "-o", "fsync=off", "-o", "max_connections=40",
        "-o", "shared_buffers=16MB")
    Path(f"/etc/postgresql/{version}/{name}/pg_hba.conf").write_text(hba)
    return Path(f"/var/lib/postgresql/{version}/{name}")


def url(port: int, database: str = DATABASE) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{database}"


@pytest.fixture(scope="module")
def clusters():
    version = pg_version()
    for name in (REPLICA, PRIMARY):  # left over by a run that was killed
        drop_cluster(version, name)
    try:
        make_cluster(version, PRIMARY, PRIMARY_PORT, TRUST + "local replication all trust\n"
                                                           "host replication all 127.0.0.1/32 trust\n")
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, PRIMARY, "start")
        data = make_cluster(version, REPLICA, REPLICA_PORT, TRUST)
        for entry in data.iterdir():  # pg_basebackup fills an empty folder; the cluster's own goes
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        run("runuser", "-u", "postgres", "--", "pg_basebackup", "-h", "127.0.0.1", "-p", str(PRIMARY_PORT),
            "-U", "postgres", "-D", str(data), "-R", "-X", "stream", "-c", "fast")
        run("pg_ctlcluster", "--skip-systemctl-redirect", version, REPLICA, "start")
        admin = create_engine(url(PRIMARY_PORT, "postgres"), isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(text(f"CREATE DATABASE {DATABASE}"))
        admin.dispose()
        yield version
    finally:
        for name in (REPLICA, PRIMARY):
            drop_cluster(version, name)


class Served:
    """Which engine ran each statement: ("primary" | "replica", SQL)."""

    def __init__(self):
        self.log: list[tuple[str, str]] = []

    def listen(self, engine, name: str) -> None:
        event.listen(engine, "before_cursor_execute",
                     lambda conn, cursor, statement, *rest: self.log.append((name, statement)))

    def readers_of(self, table: str) -> set[str]:
        """The engines that read this table since the last clear()."""
        pattern = re.compile(rf"\bFROM {table}\b|\bJOIN {table}\b")
        return {name for name, sql in self.log if sql.lstrip().upper().startswith("SELECT") and pattern.search(sql)}

    def engines(self) -> set[str]:
        return {name for name, _ in self.log}

    def clear(self) -> None:
        self.log.clear()


class Clock:
    """core.replica's clock, moved on past the read-your-writes window without waiting for it."""

    def __init__(self):
        self.offset = 0.0

    def now(self) -> float:
        return time.time() + self.offset

    def pass_window(self, app) -> None:
        self.offset += replica.read_your_writes_seconds(app) + 1


def replica_app(served: Served, **config):
    """An app on the module's primary and replica, each query recorded in served."""
    before = os.environ.get("SERUMPUN_INSTANCE_PATH")
    os.environ["SERUMPUN_INSTANCE_PATH"] = config.pop("instance")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url(PRIMARY_PORT), "DATABASE_REPLICA_URL": url(REPLICA_PORT),
                          **config})
    finally:
        if before is None:
            os.environ.pop("SERUMPUN_INSTANCE_PATH", None)
        else:
            os.environ["SERUMPUN_INSTANCE_PATH"] = before
    with app.app_context():
        served.listen(db.engines[None], "primary")
        served.listen(db.engines[replica.REPLICA], "replica")
    return app


def dispose(app) -> None:
    with app.app_context():
        db.session.remove()
        for engine in db.engines.values():
            engine.dispose()


@pytest.fixture(scope="module")
def setup(clusters, tmp_path_factory):
    """The app (no page cache: every page asks the database) with the demo accounts and two products."""
    from tests.conftest import seed_demo
    from tests.orders.conftest import make

    served, clock = Served(), Clock()
    instance = tmp_path_factory.mktemp("replica-instance")
    app = replica_app(served, instance=str(instance), CACHE_TYPE="NullCache")
    with app.app_context():
        upgrade()
    seed_demo(app)
    with app.test_request_context(headers={"Accept-Language": "en"}):
        products = [make(MERCHANT, "RP-1", moq=1, stock=50), make(MERCHANT, "RP-2", moq=1, stock=50)]
        db.session.commit()
        slug = db.session.execute(text("SELECT slug FROM merchant_profiles ORDER BY id LIMIT 1")).scalar_one()
    patch = pytest.MonkeyPatch()
    patch.setattr(replica, "now", clock.now)
    wait_until_replayed(app)
    yield {"app": app, "products": products, "slug": slug, "served": served, "clock": clock, "instance": instance}
    patch.undo()
    dispose(app)


def on_replica(app, sql: str, **params):
    """Ask the replica directly, outside any request."""
    with app.app_context(), db.engines[replica.REPLICA].connect() as connection:
        return connection.execute(text(sql), params).all()


def wait_until_replayed(app, seconds: float = 30) -> None:
    """Until the replica has replayed everything the primary had written when this was called."""
    with app.app_context(), db.engines[None].connect() as primary:
        position = primary.execute(text("SELECT pg_current_wal_lsn()::text")).scalar_one()
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if on_replica(app, "SELECT pg_last_wal_replay_lsn() >= CAST(:p AS pg_lsn)", p=position)[0][0]:
            return
        time.sleep(0.1)
    raise AssertionError("the replica did not catch up")


def eventually_on_replica(app, sql: str, seconds: float = 30, **params):
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        rows = on_replica(app, sql, **params)
        if rows:
            return rows
        time.sleep(0.1)
    raise AssertionError(f"never replicated: {sql} {params}")


def test_the_replica_is_a_streaming_standby_of_the_primary(setup):
    app = setup["app"]
    assert on_replica(app, "SELECT pg_is_in_recovery(), inet_server_port()")[0] == (True, REPLICA_PORT)
    with app.app_context(), db.engines[None].connect() as primary:
        assert primary.execute(text("SELECT state FROM pg_stat_replication")).scalar_one() == "streaming"
    response = app.test_client().get("/readyz")
    assert response.status_code == 200
    assert response.json["replica"] == "ok" and response.json["catalog_reads"] == "replica"


def test_a_visitors_catalog_pages_and_api_reads_go_to_the_replica(setup):
    app, served, clock = setup["app"], setup["served"], setup["clock"]
    clock.pass_window(app)  # the products were just made: shared cache entries of them are built on the primary
    product = setup["products"][0]
    visitor = Client(app)
    for page in ("/", "/products", "/products?q=coffee", f"/products/{product}", f"/merchants/{setup['slug']}",
                 "/api/v1/products", f"/api/v1/products/{product}", f"/api/v1/merchants/{setup['slug']}"):
        served.clear()
        response = visitor.get(page)
        assert response.status_code == 200, page
        assert served.readers_of("products") == {"replica"}, page


def test_a_buyers_sign_in_checkout_and_next_pages_read_the_primary(setup):
    app, served, clock = setup["app"], setup["served"], setup["clock"]
    product = setup["products"][0]
    buyer = Client(app)
    assert buyer.login(BUYER).status_code in (302, 303)
    served.clear()
    assert buyer.get("/products").status_code == 200
    assert served.readers_of("products") == {"primary"}, "the page right after signing in read the replica"

    clock.pass_window(app)
    served.clear()
    assert buyer.get("/products?q=coffee").status_code == 200
    assert served.readers_of("products") == {"replica"}, "a signed-in buyer's later catalog page is the replica's"

    served.clear()
    assert buyer.post("/cart/add", {"product_id": product, "quantity": "2", "next": "/cart/"}).status_code in (302, 303)
    checkout = buyer.get("/checkout")
    assert checkout.status_code == 200
    key = re.search(r'name="checkout_key"[^>]*value="([^"]+)"', checkout.get_data(as_text=True)).group(1)
    placed = buyer.post("/checkout", {
        "name": "Nur Aisyah", "phone": "012-345 6789", "line1": "12 Jalan SS2/24", "line2": "",
        "city": "Petaling Jaya", "postcode": "47300", "state": "MY-10", "payment_method": "bank_transfer",
        "checkout_key": key})
    assert placed.status_code in (302, 303), placed.get_data(as_text=True)[:500]
    assert served.engines() == {"primary"}, "the cart or the checkout touched the replica"

    number = placed.headers["Location"].rstrip("/").rsplit("/", 1)[1]
    served.clear()
    assert buyer.get(f"/products/{product}").status_code == 200
    assert buyer.get(f"/orders/{number}").status_code == 200
    assert served.engines() == {"primary"}, "the buyer's pages right after the order read the replica"

    # The order reaches the replica by replication, and the buyer's catalog reads go back there.
    assert eventually_on_replica(app, "SELECT number FROM orders WHERE number = :n", n=number) == [(number,)]
    clock.pass_window(app)
    served.clear()
    assert buyer.get(f"/products/{product}?ship_to=MY-10").status_code == 200
    assert served.readers_of("products") == {"replica"}


def test_a_merchant_reads_the_primary_and_what_they_save_replicates(setup):
    app, served, clock = setup["app"], setup["served"], setup["clock"]
    product = setup["products"][1]
    merchant = Client(app)
    assert merchant.login(MERCHANT).status_code in (302, 303)
    clock.pass_window(app)
    served.clear()
    assert merchant.get(f"/products/{product}").status_code == 200
    assert merchant.get(f"/merchants/{setup['slug']}").status_code == 200
    assert served.engines() == {"primary"}, "a merchant's catalog pages read the replica"

    served.clear()
    copied = merchant.post(f"/merchant/products/{product}/duplicate", {}, token_from="/merchant/products/")
    assert copied.status_code in (302, 303)
    copy = int(re.search(r"/merchant/products/(\d+)/edit", copied.headers["Location"]).group(1))
    assert merchant.get(f"/merchant/products/{copy}/edit").status_code == 200
    assert served.engines() == {"primary"}
    assert eventually_on_replica(app, "SELECT id FROM products WHERE id = :id", id=copy) == [(copy,)]


def test_a_shared_page_built_just_after_a_change_is_built_from_the_primary(setup):
    """Else a replica a moment behind would put the old page in the cache for everyone, the merchant too."""
    served, clock = Served(), setup["clock"]
    app = replica_app(served, instance=str(setup["instance"]), CACHE_TYPE="SimpleCache")
    try:
        product = setup["products"][1]
        merchant = Client(app)
        merchant.login(MERCHANT)
        for status in ("draft", "published"):
            assert merchant.post(f"/merchant/products/{product}/status", {"status": status},
                                 token_from="/merchant/products/").status_code in (302, 303)
        visitor = Client(app)
        served.clear()
        assert visitor.get(f"/products/{product}").status_code == 200
        assert "primary" in served.readers_of("products"), "the fresh page was built from the replica"

        clock.pass_window(app)
        visitor.http.environ_base["HTTP_ACCEPT_LANGUAGE"] = "ms"  # another entry, built now
        served.clear()
        assert visitor.get(f"/products/{product}").status_code == 200
        assert served.readers_of("products") == {"replica"}
    finally:
        dispose(app)


def test_a_lagging_or_stopped_replica_sends_catalog_reads_to_the_primary(setup, clusters):
    app, served, clock = setup["app"], setup["served"], setup["clock"]
    clock.pass_window(app)
    visitor = Client(app)

    # Lagging: replay paused while the primary writes; with no lag allowed, any is too much.
    on_replica(app, "SELECT pg_wal_replay_pause()")
    try:
        with app.app_context(), db.engines[None].begin() as primary:
            primary.execute(text("UPDATE products SET stock = stock + 1 WHERE id = :id"), {"id": setup["products"][0]})
        app.config["DATABASE_REPLICA_MAX_LAG"] = 0
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 200
        assert ready.json["replica"] == "lagging" and ready.json["catalog_reads"] == "primary"
        served.clear()
        assert visitor.get("/products?q=kopi").status_code == 200
        assert served.engines() == {"primary"}
    finally:
        app.config["DATABASE_REPLICA_MAX_LAG"] = 5
        on_replica(app, "SELECT pg_wal_replay_resume()")

    # Stopped: the server stays ready, and the catalog answers from the primary.
    run("pg_ctlcluster", "--skip-systemctl-redirect", clusters, REPLICA, "stop")
    try:
        # A worker that checked a moment before it stopped: the request that meets the dead replica may
        # fail, and it switches this worker to the primary at once, without waiting for the next check.
        health = replica.replica_health(app)
        health.state, health.checked_at = "ok", time.monotonic()
        assert visitor.get("/products?q=gone").status_code in (200, 500, 503)  # or the 503 of a database out of reach
        assert health.state == "unavailable"
        served.clear()
        assert visitor.get("/products?q=still").status_code == 200
        assert served.engines() == {"primary"}

        ready = app.test_client().get("/readyz")
        assert ready.status_code == 200
        assert ready.json["database"] == "ok"
        assert ready.json["replica"] == "unavailable" and ready.json["catalog_reads"] == "primary"
        served.clear()
        assert visitor.get("/products?q=teh").status_code == 200
        assert served.engines() == {"primary"}
    finally:
        run("pg_ctlcluster", "--skip-systemctl-redirect", clusters, REPLICA, "start")

    # Back: the next check finds it streaming again, and the catalog reads from it.
    until = time.monotonic() + 60
    while app.test_client().get("/readyz").json["replica"] != "ok":
        assert time.monotonic() < until, "the replica did not come back"
        time.sleep(0.5)
    served.clear()
    assert visitor.get("/products?q=keripik").status_code == 200
    assert served.readers_of("products") == {"replica"}
