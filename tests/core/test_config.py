"""Settings from the environment; production refuses to start unsafely."""
from __future__ import annotations

import pytest

from marketplace import create_app
from marketplace.config import ConfigError, load_config, normalise_database_url


def test_production_refuses_to_start_without_a_secret_key(monkeypatch):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app({"SERUMPUN_ENV": "production", "SERVER_NAME": "serumpun.example"})


def test_production_refuses_to_start_without_its_server_name(monkeypatch):
    monkeypatch.delenv("SERVER_NAME", raising=False)
    with pytest.raises(ConfigError, match="SERVER_NAME"):
        create_app({"SERUMPUN_ENV": "production", "SECRET_KEY": "x" * 40})


def test_development_keeps_a_generated_key_in_instance(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path))
    first = load_config("development")["SECRET_KEY"]
    second = load_config("development")["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600
    assert load_config("development")["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'serumpun.sqlite'}"


def test_settings_come_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("SECRET_KEY", "from-the-environment")
    monkeypatch.setenv("DATABASE_URL", "postgres://shop@db.internal/serumpun")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/2")
    monkeypatch.setenv("MAIL_SERVER", "smtp.example")
    monkeypatch.setenv("SERVER_NAME", "serumpun.example")
    config = load_config("production")
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://shop@db.internal/serumpun"
    assert config["RATELIMIT_STORAGE_URI"] == "redis://127.0.0.1:6379/2"
    assert config["MAIL_BACKEND"] == "smtp"
    assert config["SESSION_COOKIE_SECURE"] is True


def test_unknown_profile_is_refused():
    with pytest.raises(ConfigError):
        load_config("staging")


def test_database_urls_use_psycopg_3():
    assert normalise_database_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"


def test_the_apps_postgresql_connections_run_without_jit_unless_told(app, monkeypatch):
    from sqlalchemy import text

    from marketplace.extensions import db

    with app.app_context():
        if db.engine.dialect.name != "postgresql":
            pytest.skip("JIT is PostgreSQL's")
        # The database the tests run on: its connections ask for jit = off (a search's plan compiled for
        # 0.2 s before it ran), whatever the server's postgresql.conf says.
        assert db.session.execute(text("SHOW jit")).scalar() == "off"
    monkeypatch.setenv("DATABASE_URL", "postgres://serumpun@db.example/serumpun")
    monkeypatch.setenv("SERUMPUN_ENV", "development")
    monkeypatch.setenv("DATABASE_JIT_OFF", "0")  # behind PgBouncer: no startup options
    assert "connect_args" not in load_config()["SQLALCHEMY_ENGINE_OPTIONS"]
