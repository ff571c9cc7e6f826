"""Fixtures: a real database (SQLite file, or PostgreSQL from TEST_DATABASE_URL) built by the migrations
once per run, one app per run, and every test rolled back.

The contract (tests written anywhere in the suite may rely on it):

- `app`: the app on the migrated database, with the test profile. The same Flask object serves every
  test of the run; what a test changes is undone after it: its rows (a rollback), `app.config`, the
  page cache, the rate limiter's counts and the media folder (a fresh `MEDIA_ROOT` per test).
  Data a test writes is visible to everything the test does in this process: requests through
  `client`, `app.app_context()`, CLI commands run with `app.test_cli_runner()`, other apps of the
  same test. App code's `db.session.commit()` commits for real as far as the code can tell (it releases
  a savepoint; on_commit work runs; a rollback undoes only what came after the last commit).
- `app_factory(**config)`: another app with special settings, on the same database and the same
  per-test data as `app` (seed with `demo`, read with the special app). Made fresh for each call.
- `client`, `another_client`: `tests.helpers.Client`s of `app` (two browsers).
- `demo`: the demo accounts, rates, couriers and customs rules (`flask seed-demo` without its catalog),
  seeded into this test's data; returns `app`.
- `stripe_standin`: a started `tests.stripe_standin.StripeStandin` (Stripe's API and hosted Checkout page on
  127.0.0.1); see that module for the rest.
- `@pytest.mark.commits`: for a test whose data must be seen from another connection (a server or a
  worker in a thread, a second connection racing the first, a separate process). Its app commits for
  real, and every table is emptied after it. A test using `live_server` gets this automatically.

How the rollback works: each test holds one connection with a transaction open (BEGIN IMMEDIATE on
SQLite, so no other connection can write meanwhile), every app's sessions are bound to that connection
with join_transaction_mode="create_savepoint" (SQLAlchemy's "joining a session into an external
transaction" recipe; pysqlite runs SAVEPOINTs because marketplace/core/sqlite.py turns off its own
transaction handling and emits BEGIN itself), and the transaction is rolled back after the test.
- `shared_data` / `committed_shared_data` (module scope): for a module whose tests only read what a
  module fixture builds (a catalog); built once, each test in a savepoint within it (or, committed, for
  a server thread); the module's other tests run before them.
"""
from __future__ import annotations

import os
import shutil
import uuid
from contextlib import contextmanager

os.environ["SERUMPUN_ENV"] = "test"
os.environ.pop("DATABASE_URL", None)
os.environ.pop("DATABASE_REPLICA_URL", None)

import pytest  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from hypothesis import HealthCheck, settings  # noqa: E402
from sqlalchemy import create_engine, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.config import normalise_database_url  # noqa: E402
from marketplace.extensions import cache, db, limiter  # noqa: E402

from .helpers import Client  # noqa: E402
from .stripe_standin import stripe_standin  # noqa: E402, F401 (the fixture, for every test)


class Databases:
    """Makes and drops throwaway databases on the server under test."""

    def __init__(self, tmp_path_factory):
        self.tmp = tmp_path_factory
        self.server_url = os.environ.get("TEST_DATABASE_URL")
        self.made: list[str] = []

    @property
    def is_postgres(self) -> bool:
        return bool(self.server_url)

    def create(self, purpose: str) -> str:
        if not self.server_url:
            return f"sqlite:///{self.tmp.mktemp(purpose) / 'serumpun.sqlite'}"
        base = make_url(normalise_database_url(self.server_url))
        name = f"{base.database or 'serumpun_test'}_{purpose}_{uuid.uuid4().hex[:8]}"
        with self._admin() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        self.made.append(name)
        return base.set(database=name).render_as_string(hide_password=False)

    def _admin(self):
        base = make_url(normalise_database_url(self.server_url))
        engine = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
        return engine.connect()

    def drop_all(self) -> None:
        if not self.made:
            return
        with self._admin() as conn:
            for name in self.made:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


# Hypothesis fails an example that takes over 200 ms, and a test whose data is slow to generate: on a
# busy 2-core machine both happen to correct code. Each example is still checked; only the clock is not.
settings.register_profile("serumpun", deadline=None, suppress_health_check=[HealthCheck.too_slow])
settings.load_profile("serumpun")

# Sessions join the test's open transaction by a savepoint; with an Engine as the bind (production,
# and tests marked `commits`) the option changes nothing.
db.session.session_factory.configure(join_transaction_mode="create_savepoint")


@contextmanager
def _instance_path(path):
    """create_app reads the instance folder (and so MEDIA_ROOT) from the environment."""
    before = os.environ.get("SERUMPUN_INSTANCE_PATH")
    os.environ["SERUMPUN_INSTANCE_PATH"] = str(path)
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("SERUMPUN_INSTANCE_PATH", None)
        else:
            os.environ["SERUMPUN_INSTANCE_PATH"] = before


@pytest.fixture(scope="session")
def databases(tmp_path_factory):
    made = Databases(tmp_path_factory)
    yield made
    made.drop_all()


@pytest.fixture(scope="session")
def database_url(databases):
    """One database per run, built by `flask db upgrade` from empty."""
    url = databases.create("suite")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return url


@pytest.fixture(scope="session")
def _shared_app(database_url, tmp_path_factory):
    with _instance_path(tmp_path_factory.mktemp("instance")):
        app = create_app({"SQLALCHEMY_DATABASE_URI": database_url})
    # What the app keeps in app.extensions when it is new; per-app caches added later (rates in force,
    # for one) are dropped before and after every test.
    app.serumpun_fresh_extensions = dict(app.extensions)
    DEMO_ROWS[:] = _demo_rows(app)
    yield app
    with app.app_context():
        db.engine.dispose()


class TestData:
    """The rows of one test (or one module's shared data): a transaction on one connection, or real commits."""

    def __init__(self, shared_app, commits: bool):
        self.shared_app = shared_app
        self.commits = commits
        self.connection = None
        self.layers: list = []
        self.attached: dict = {}  # app -> the engine it had
        self.demo_seeded = False
        self.fixture_name = None
        self.media_root = None

    def begin(self) -> None:
        """A new layer: the outer transaction, or a savepoint within a module's shared data."""
        if self.commits:
            return
        if self.connection is None:
            with self.shared_app.app_context():
                self.connection = db.engine.connect()
        self.layers.append(self.connection.begin_nested() if self.connection.in_transaction()
                           else self.connection.begin())
        self.attach(self.shared_app)

    def attach(self, app) -> None:
        """Bind the app's sessions to the open transaction instead of its engine's pool."""
        if self.commits or app in self.attached:
            return
        engines = db._app_engines[app]
        self.attached[app] = engines[None]
        engines[None] = self.connection

    def detach(self, app) -> None:
        engine = self.attached.pop(app, None)
        if engine is not None:
            db._app_engines[app][None] = engine

    def end_layer(self) -> None:
        if self.layers:
            self.layers.pop().rollback()  # also ends a transaction that an error left inactive

    def close(self) -> None:
        while self.layers:
            self.end_layer()
        for app in list(self.attached):
            self.detach(app)
        if self.connection is not None:
            self.connection.close()
            self.connection = None

    def empty_tables(self, app) -> None:
        """After a test that committed for real: the next test starts from an empty schema."""
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())


def _fresh_extensions(app) -> None:
    app.extensions.clear()
    app.extensions.update(app.serumpun_fresh_extensions)


@contextmanager
def _state_reset(app, media_root, remove_media=True):
    """Undo what a test changes outside the database on the shared app."""
    saved_config = dict(app.config)
    _fresh_extensions(app)
    app.config["MEDIA_ROOT"] = str(media_root)
    app.config["DOCUMENTS_ROOT"] = str(media_root.parent / "documents")
    from marketplace.media.storage import build_document_storage, build_storage

    app.extensions["serumpun.storage"] = build_storage(app)
    app.extensions["serumpun.documents"] = build_document_storage(app)
    try:
        yield
    finally:
        app.config.clear()
        app.config.update(saved_config)
        _fresh_extensions(app)
        with app.app_context():
            db.session.remove()
            cache.clear()
        # The limiter is one object for all apps: the last init_app chose its storage.
        limiter.init_app(app)
        limiter.reset()
        if remove_media:
            shutil.rmtree(media_root, ignore_errors=True)
            shutil.rmtree(media_root.parent / "documents", ignore_errors=True)


def _wants_commits(request) -> bool:
    return request.node.get_closest_marker("commits") is not None or "live_server" in request.fixturenames


@pytest.fixture()
def _test_data(request, _shared_app, tmp_path):
    """This test's layer of data, and a clean slate for everything else the shared app keeps."""
    data = getattr(request.node.module, "_serumpun_shared_data", None)
    if data is not None:
        if data.fixture_name not in request.fixturenames:
            raise RuntimeError("a module's shared data is open: only tests that use it may run now")
        if _wants_commits(request) and not data.commits:
            raise RuntimeError("a test that needs real commits cannot run inside rolled-back shared data")
        owned = False
    else:
        data = TestData(_shared_app, _wants_commits(request))
        owned = True
    data.begin()
    demo_before = data.demo_seeded
    media_root = tmp_path / "instance" / "media" if owned else data.media_root
    with _state_reset(_shared_app, media_root, remove_media=owned):
        try:
            yield data
        finally:
            with _shared_app.app_context():
                db.session.remove()
            data.end_layer()
            data.demo_seeded = demo_before
            if owned:
                data.close()
                if data.commits:
                    data.empty_tables(_shared_app)


@pytest.fixture()
def app_factory(_test_data, tmp_path, monkeypatch):
    """Build an app with special settings, on the same database and this test's data."""
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path / "instance"))
    apps = []

    def make(**overrides):
        config = {"SQLALCHEMY_DATABASE_URI": _test_data.shared_app.config["SQLALCHEMY_DATABASE_URI"],
                  **overrides}
        app = create_app(config)
        apps.append(app)
        _test_data.attach(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
        _test_data.detach(app)
        with app.app_context():
            if _test_data.commits:
                _test_data.empty_tables(app)
            db.engine.dispose()


@pytest.fixture()
def app(_test_data):
    return _test_data.shared_app


@pytest.fixture()
def client(app) -> Client:
    return Client(app)


@pytest.fixture()
def another_client(app) -> Client:
    return Client(app)


# The rows that seed_demo() writes, made once per run by the real seed functions (in a transaction that
# is rolled back) and inserted again by the `demo` fixture: hashing 17 passwords and checking each
# account took a fifth of a second per test.
DEMO_ROWS: list = []


def _demo_rows(app) -> list:
    with app.app_context():
        connection = db.engine.connect()
    engines = db._app_engines[app]
    engine, engines[None] = engines[None], connection
    transaction = connection.begin()
    try:
        seed_demo(app)
        rows = [(table, [dict(row._mapping) for row in connection.execute(select(table))])
                for table in db.metadata.sorted_tables]
    finally:
        engines[None] = engine
        transaction.rollback()
        connection.close()
    return [(table, table_rows) for table, table_rows in rows if table_rows]


def insert_demo_rows(data: TestData) -> None:
    def insert(connection):
        for table, rows in DEMO_ROWS:
            connection.execute(table.insert(), rows)

    if data.commits:
        with data.shared_app.app_context(), db.engine.begin() as connection:
            insert(connection)
    else:
        insert(data.connection)


def seed_demo(app) -> None:
    """The demo accounts and rates, as `flask seed-demo` makes them (without the catalog, for speed)."""
    from marketplace.catalog.synonyms import seed_sample_synonyms
    from marketplace.customs.services import seed_sample_rules
    from marketplace.demo.seed import seed_accounts, seed_rates
    from marketplace.shipping.couriers import seed_sample_couriers

    with app.app_context():
        seed_accounts()
        seed_rates()
        seed_sample_couriers()
        seed_sample_rules()
        seed_sample_synonyms()
        db.session.commit()


@pytest.fixture()
def demo(app, _test_data):
    """The demo accounts and rates, as `flask seed-demo` makes them (without the catalog, for speed)."""
    if not _test_data.demo_seeded:
        insert_demo_rows(_test_data)
        _test_data.demo_seeded = True
    return app


def _module_data(request, shared_app, media_root, commits: bool, fixture_name: str):
    data = TestData(shared_app, commits=commits)
    data.media_root = media_root
    data.fixture_name = fixture_name
    data.begin()
    request.module._serumpun_shared_data = data

    @contextmanager
    def building():
        with _state_reset(shared_app, data.media_root, remove_media=False):
            yield shared_app

    data.building = building

    def seed():
        if not data.demo_seeded:
            insert_demo_rows(data)
            data.demo_seeded = True

    data.seed_demo = seed
    try:
        yield data
    finally:
        del request.module._serumpun_shared_data
        data.close()
        if commits:
            data.empty_tables(shared_app)
        shutil.rmtree(media_root, ignore_errors=True)


SHARED_DATA_FIXTURES = ("shared_data", "committed_shared_data")


@pytest.fixture(scope="module")
def shared_data(request, _shared_app, tmp_path_factory):
    """For a module whose tests only read what its fixtures build: build it once, roll it back at the end.

    A module-scoped fixture takes this one and builds its data in `with shared_data.building():`;
    each test of the module that uses it then runs in a savepoint within it (and after the module's
    other tests). Use `shared_data.seed_demo()` there rather than the `demo` fixture. Media files
    written while building live in `shared_data.media_root`.
    """
    yield from _module_data(request, _shared_app, tmp_path_factory.mktemp("shared-media"), False, "shared_data")


@pytest.fixture(scope="module")
def committed_shared_data(request, _shared_app, tmp_path_factory):
    """Like `shared_data`, committed for real (for a server thread); its tests must only read it.

    Every table is emptied after the module's last test that uses it.
    """
    yield from _module_data(request, _shared_app, tmp_path_factory.mktemp("shared-media"), True,
                            "committed_shared_data")


def pytest_collection_modifyitems(items):
    """In each module, tests that use its shared data run last: the shared layer is then open only for them."""
    first_of_module: dict = {}
    for n, item in enumerate(items):
        first_of_module.setdefault(item.nodeid.split("::")[0], n)
    items.sort(key=lambda item: (first_of_module[item.nodeid.split("::")[0]],
                                 any(name in getattr(item, "fixturenames", ()) for name in SHARED_DATA_FIXTURES)))
