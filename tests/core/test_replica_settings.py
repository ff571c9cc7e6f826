"""DATABASE_REPLICA_URL: unset, nothing changes; set, it must name a PostgreSQL replica of a PostgreSQL primary.

The replica itself is tested on real clusters in tests/ops/test_replica.py (PostgreSQL pass).
"""
from __future__ import annotations

import pytest

from marketplace.config import ConfigError, load_config
from marketplace.core.replica import replica_health
from marketplace.extensions import db


def test_without_a_replica_there_is_one_engine_and_readiness_does_not_mention_one(app):
    assert app.config["DATABASE_REPLICA_URL"] == ""
    assert replica_health(app) is None
    with app.app_context():
        assert list(db.engines) == [None]
    ready = app.test_client().get("/readyz")
    assert ready.status_code == 200
    assert "replica" not in ready.json and "catalog_reads" not in ready.json


def test_a_replica_url_is_a_postgresql_bind_with_a_short_connect_timeout(monkeypatch):
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgres://reader@replica.internal:5432/serumpun")
    config = load_config("test", {"SQLALCHEMY_DATABASE_URI": "postgresql://app@primary.internal:5432/serumpun"})
    replica = config["SQLALCHEMY_BINDS"]["replica"]
    assert replica["url"] == "postgresql+psycopg://reader@replica.internal:5432/serumpun"
    assert replica["pool_pre_ping"] is True and replica["connect_args"] == {"connect_timeout": 3, "options": "-c jit=off"}


def test_a_replica_of_sqlite_is_refused_at_start(monkeypatch):
    monkeypatch.setenv("DATABASE_REPLICA_URL", "postgresql://reader@replica.internal/serumpun")
    with pytest.raises(ConfigError, match="DATABASE_REPLICA_URL"):
        load_config("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
