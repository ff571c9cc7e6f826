"""Fixtures: a real database (SQLite file, or PostgreSQL from TEST_DATABASE_URL)
built by the migrations once per run, and a fresh app per test."""
from __future__ import annotations

import os
import uuid

os.environ["SERUMPUN_ENV"] = "test"
os.environ.pop("DATABASE_URL", None)

import pytest  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from marketplace import create_app  # noqa: E402
from marketplace.config import normalise_database_url  # noqa: E402
from marketplace.extensions import db  # noqa: E402

from .helpers import Client  # noqa: E402


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


@pytest.fixture()
def app_factory(database_url, tmp_path, monkeypatch):
    """Build an app on the shared database; every table is emptied afterwards."""
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path / "instance"))
    apps = []

    def make(**overrides):
        config = {"SQLALCHEMY_DATABASE_URI": database_url, **overrides}
        app = create_app(config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        with app.app_context():
            db.session.remove()
            with db.engine.begin() as conn:
                for table in reversed(db.metadata.sorted_tables):
                    conn.execute(table.delete())
            db.engine.dispose()


@pytest.fixture()
def app(app_factory):
    return app_factory()


@pytest.fixture()
def client(app) -> Client:
    return Client(app)


@pytest.fixture()
def another_client(app) -> Client:
    return Client(app)


@pytest.fixture()
def demo(app):
    """The demo accounts and rates, as `flask seed-demo` makes them (without the catalog, for speed)."""
    from marketplace.customs.services import seed_sample_rules
    from marketplace.demo.seed import seed_accounts, seed_rates
    from marketplace.shipping.couriers import seed_sample_couriers

    with app.app_context():
        seed_accounts()
        seed_rates()
        seed_sample_couriers()
        seed_sample_rules()
        db.session.commit()
    return app
