"""The migrations build the schema from empty, and match the models exactly."""
from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect, text

from marketplace import create_app
from marketplace.core.schema import include_object
from marketplace.extensions import db


@pytest.fixture()
def new_database_app(databases, tmp_path, monkeypatch):
    """make(purpose): an app on a new, empty database of its own (its instance folder in tmp_path)."""
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path))
    return lambda purpose: create_app({"SQLALCHEMY_DATABASE_URI": databases.create(purpose)})


def test_upgrade_from_empty_matches_the_models_and_downgrades_cleanly(new_database_app):
    app = new_database_app("migrations")
    runner = app.test_cli_runner()
    with app.app_context():
        assert inspect(db.engine).get_table_names() == []

        result = runner.invoke(args=["db", "upgrade"])
        assert result.exit_code == 0, result.output
        tables = set(inspect(db.engine).get_table_names())
        assert {"users", "merchant_profiles", "buyer_profiles", "officer_profiles", "alembic_version"} <= tables

        with db.engine.connect() as conn:
            context = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include_object})
            differences = compare_metadata(context, db.metadata)
        assert differences == []

        assert runner.invoke(args=["db", "downgrade", "base"]).exit_code == 0
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        db.engine.dispose()


def test_a_database_with_customs_rules_gains_the_cn22_limit_and_keeps_quoting(new_database_app):
    from datetime import date

    from marketplace.customs.services import SAMPLE_RULES, rules_in_force

    app = new_database_app("cn22")
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade", "fa949ff7dac6"]).exit_code == 0
        with db.engine.begin() as conn:  # the rules as the earlier release seeded them
            for key, value, effective_on, source in SAMPLE_RULES:
                if key != "cn22_limit_sen":
                    conn.execute(text("INSERT INTO customs_rules (key, value, effective_on, source, created_at, "
                                      "updated_at) VALUES (:k, :v, :d, :s, :t, :t)"),
                                 {"k": key, "v": value, "d": effective_on, "s": source, "t": date(2026, 1, 1)})
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        rules = rules_in_force(date(2026, 12, 1))
        assert rules is not None and rules.cn22_limit_sen == 175_000 and "300 SDR" in rules.cn22_rule.source
        db.session.remove()
        db.engine.dispose()


def test_a_search_index_left_invalid_by_a_failed_concurrent_build_is_built_again(databases, new_database_app):
    # CREATE INDEX CONCURRENTLY that fails (here it met a VACUUM and deadlocked) leaves an invalid index;
    # running the migration again must not take it for built (searches would read every product).
    if not databases.is_postgres:
        pytest.skip("concurrent index builds are PostgreSQL's")
    app = new_database_app("invalid_index")
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade", "dabece93e92a"]).exit_code == 0
        with db.engine.begin() as conn:
            conn.execute(text("CREATE INDEX ix_products_search_document ON products (id)"))
            conn.execute(text("UPDATE pg_index SET indisvalid = false "
                              "WHERE indexrelid = 'ix_products_search_document'::regclass"))
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with db.engine.connect() as conn:
            valid, method = conn.execute(text(
                "SELECT i.indisvalid, am.amname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
                "JOIN pg_am am ON am.oid = c.relam WHERE i.indexrelid = 'ix_products_search_document'::regclass"
            )).one()
        assert valid and method == "gin"
        db.engine.dispose()


def test_the_words_of_products_saved_before_the_search_words_table_are_kept_by_its_migration(databases,
                                                                                              new_database_app):
    # The table catalog.search reads a typed word's longer forms from: filled from the documents already
    # there by the migration, and by the trigger for every product saved after it.
    if not databases.is_postgres:
        pytest.skip("search_words is PostgreSQL's (SQLite's FTS5 matches prefixes itself)")
    from marketplace.catalog import search

    app = new_database_app("search_words")
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade", "b8e4f2a6c913"]).exit_code == 0
        seeded = runner.invoke(args=["seed-bench", "--merchants", "4", "--products", "60"])
        assert seeded.exit_code == 0, seeded.output
        assert runner.invoke(args=["db", "upgrade"]).exit_code == 0
        with app.test_request_context():
            assert search.word_starts(["arab", "kerupu"]) == {"arab": ("arabica", "arabika"), "kerupu": ("kerupuk",)}
            db.session.execute(text("UPDATE products SET name_en = 'Zulkarnain Kerupuk' WHERE id = "
                                       "(SELECT min(id) FROM products)"))
            assert search.word_starts(["zulk"]) == {"zulk": ("zulkarnain",)}
            db.session.rollback()
        db.engine.dispose()


def test_the_search_words_backfill_waits_for_a_transaction_begun_before_its_trigger(databases, new_database_app):
    # An app server still on the old release changes a product's name in a transaction that began before
    # the migration: the document it writes has a new word, which the old trigger does not keep. Had the
    # backfill read the products before that transaction committed, the word would never be in the table.
    import threading

    from sqlalchemy import create_engine

    from marketplace.catalog import search

    if not databases.is_postgres:
        pytest.skip("search_words is PostgreSQL's")
    app = new_database_app("search_words_wait")
    url = app.config["SQLALCHEMY_DATABASE_URI"]
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade", "b8e4f2a6c913"]).exit_code == 0
        assert runner.invoke(args=["seed-bench", "--merchants", "2", "--products", "10"]).exit_code == 0
    old_release = create_engine(url)
    migrated: dict[str, int] = {}
    try:
        with old_release.connect() as conn:
            conn.execute(text("UPDATE products SET name_en = 'Yusnizar Batik' WHERE id = (SELECT min(id) FROM products)"))
            upgrade = threading.Thread(target=lambda: migrated.setdefault(
                "exit_code", runner.invoke(args=["db", "upgrade"]).exit_code))
            upgrade.start()
            upgrade.join(4)
            assert upgrade.is_alive(), "the migration went on while an older transaction was still open"
            conn.commit()
        upgrade.join(120)
        assert migrated == {"exit_code": 0}
        with app.test_request_context():
            assert search.word_starts(["yusn"]) == {"yusn": ("yusnizar",)}
    finally:
        old_release.dispose()
        with app.app_context():
            db.engine.dispose()
