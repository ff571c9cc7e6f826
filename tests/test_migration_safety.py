"""Migrations run while the app servers of the previous release are up (README, "Changing the schema while
app servers run"): each step only expands, and the code before it keeps working against it."""
from __future__ import annotations

import shutil
import time
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from alembic.script import ScriptDirectory
from flask_migrate import upgrade

from marketplace import create_app
from marketplace.extensions import db
from tests.migration_safety import PreviousRelease, contract_allows, lint, reflect, schema_breaks

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def revisions():
    """(revision, its file) from the first to the head."""
    scripts = ScriptDirectory(str(MIGRATIONS))
    return [(script.revision, script.path) for script in reversed(list(scripts.walk_revisions()))]


def test_every_migration_only_expands_or_says_why_not():
    unmarked = [str(finding) for _, path in revisions() for finding in lint(path) if finding.contract is None]
    assert unmarked == [], (
        "These steps would break or stall the app servers still running during the migration. Make them "
        "expand-only (README, 'Changing the schema while app servers run'), or, for a deliberate contract "
        "step of a later release, end the line with '# contract: <reason>':\n" + "\n".join(unmarked))


UNSAFE = '''
import sqlalchemy as sa
from alembic import op

TABLE = "products"


def upgrade():
    op.create_table("labels", sa.Column("id", sa.Integer(), primary_key=True))
    op.create_index("ix_labels_id", "labels", ["id"])
    op.create_index("ix_products_name", TABLE, ["name_en"])
    op.create_index("ix_products_moq", "products", ["moq"], postgresql_concurrently=True)
    op.add_column("products", sa.Column("colour", sa.String(20), nullable=True))
    op.add_column("products", sa.Column("weight", sa.Integer(), nullable=False))
    op.add_column("products", sa.Column("origin", sa.String(20), nullable=False, server_default="bandung"))
    with op.batch_alter_table("users") as batch_op:
        batch_op.drop_column("phone")
        batch_op.alter_column("name", new_column_name="full_name")
        batch_op.alter_column("role", type_=sa.String(40))
        batch_op.alter_column("email",
                              nullable=False)  # contract: every row has one since release 12
        batch_op.create_foreign_key("fk_users_shop", "shops", ["shop_id"], ["id"], postgresql_not_valid=True)
        batch_op.create_check_constraint("ck_users_age", "age > 0")
    op.drop_table("carts")
    rename()


def rename():
    op.rename_table("wishes", "saved")
    op.execute("CREATE INDEX ix_orders_at ON orders (created_at)")
    op.execute("CREATE INDEX CONCURRENTLY ix_orders_paid ON orders (paid_at)")
    op.execute("ALTER TABLE orders ALTER COLUMN note TYPE text")
    op.execute(sa.text("DROP TABLE wishes_old"))


def downgrade():
    op.drop_table("labels")
'''


def test_the_lint_names_each_operation_that_breaks_or_stalls_the_running_release(tmp_path):
    path = tmp_path / "0001_unsafe.py"
    path.write_text(UNSAFE)
    found = {(f.line, f.table, f.column, f.contract) for f in lint(path)}
    assert found == {
        (11, "products", None, None),  # index on an existing table, not concurrently
        (14, "products", "weight", None),  # NOT NULL without a server default
        (17, "users", "phone", None),  # dropped
        (18, "users", "name", None),  # renamed
        (19, "users", "role", None),  # type changed
        (20, "users", "email", "every row has one since release 12"),  # NOT NULL, marked as a contract step
        (23, "users", None, None),  # check constraint validated under lock
        (24, "carts", None, None),
        (29, "wishes", None, None),
        (30, "orders", None, None),  # raw CREATE INDEX without CONCURRENTLY
        (32, None, None, None),  # raw ALTER ... TYPE
        (33, None, None, None),  # raw DROP TABLE, in sa.text()
    }
    messages = {f.line: f.problem for f in lint(path)}
    assert "server default" in messages[14] and "postgresql_concurrently=True" in messages[11]
    # Only what is marked is let through the check of the previous release, and marked locks let nothing.
    allows = contract_allows(path)
    assert allows("users", "email") and allows("users", None)
    assert not allows("users", "phone") and not allows("products", None) and not allows("carts", None)
    assert not any(contract_allows(path)("products", None) for _, path in revisions())


def test_the_previous_release_keeps_working_after_every_migration(databases, tmp_path, monkeypatch):
    """For each revision R in order, the code before R writes a row into every table, R runs while that code's
    session stays open, and that code reads its row back and inserts, updates, reads and deletes another as
    it did before R."""
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": databases.create("expand")})
    problems, written = [], set()
    with app.app_context():
        engine = db.engine
        # The previous release's app servers: on PostgreSQL a pool of their own whose statements are all
        # prepared (as a long-running server's are), so that they meet the new schema through old plans.
        servers = sa.create_engine(engine.url, connect_args={"prepare_threshold": 0}) if databases.is_postgres \
            else engine
        for step, (revision, path) in enumerate(revisions()):
            with servers.connect() as connection:
                before = reflect(connection)
                connection.rollback()
                previous = PreviousRelease(before, step)
                previous.write(connection)
                try:
                    upgrade(directory=str(MIGRATIONS), revision=revision)
                except SystemExit:  # Flask-Migrate logged the error above
                    pytest.fail(f"{Path(path).name} fails on a database holding the previous release's rows")
                still = previous.still_works(connection)
            with engine.connect() as connection:
                after = reflect(connection)
                connection.rollback()
            broken = [(table, f"{table}.{column}: {problem}" if column else f"{table}: {problem}", column)
                      for table, column, problem in schema_breaks(before, after, engine.dialect)]
            broken += [(table, f"{table}: {problem}", None) for table, problem in still]
            allows = contract_allows(path)
            problems += [f"{Path(path).name}: {text}" for table, text, column in broken if not allows(table, column)]
            written |= set(previous.written)
        servers.dispose()
        engine.dispose()
    assert problems == [], "\n".join(problems)
    # The check is only as good as the rows it wrote: the busiest tables must have had one.
    assert {"users", "merchant_profiles", "products", "orders", "merchant_orders", "order_lines", "payments",
            "ledger_entries", "inquiries", "cart_lines"} <= written, sorted(written)


def test_the_schemas_before_and_after_a_step_are_compared_for_what_the_previous_release_needs():
    def schema(after: bool) -> sa.MetaData:
        metadata = sa.MetaData()
        sa.Table("shops", metadata, sa.Column("id", sa.Integer, primary_key=True),
                 sa.Column("name", sa.String(40) if after else sa.String(80)),
                 sa.Column("note", sa.Text, nullable=not after),
                 sa.Column("status", sa.String(16), nullable=False, server_default=None if after else "open"),
                 *([sa.Column("slug", sa.String(40), nullable=False),
                    sa.Column("colour", sa.String(20), nullable=False, server_default="red"),
                    sa.Column("size", sa.Integer)] if after else []))
        if not after:
            sa.Table("tags", metadata, sa.Column("id", sa.Integer, primary_key=True))
        return metadata

    problems = {(table, column): problem for table, column, problem
                in schema_breaks(schema(False), schema(True), sa.create_engine("sqlite://").dialect)}
    assert set(problems) == {("shops", "name"), ("shops", "note"), ("shops", "status"), ("shops", "slug"),
                             ("tags", None)}
    assert "VARCHAR(80) to VARCHAR(40)" in problems[("shops", "name")]
    assert "server default" in problems[("shops", "status")] and "server default" in problems[("shops", "slug")]


def _step(connection, change) -> None:
    with connection.begin():
        change(Operations(MigrationContext.configure(connection)))


def test_the_check_fails_a_step_that_drops_renames_or_requires_what_the_previous_release_leaves_out(
        databases, tmp_path, monkeypatch):
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": databases.create("contract")})
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
        engine = db.engine
        with engine.connect() as connection:
            before = reflect(connection)
            connection.rollback()
            previous = PreviousRelease(before, 1)
            previous.write(connection)
            assert {"courier_services", "saved_products", "users"} <= set(previous.written)

            def contract(op):
                op.drop_column("courier_services", "name_ms")
                op.rename_table("saved_products", "wishlist_items")
                # Added with a default so that existing rows fill it, then the default is dropped.
                op.add_column("users", sa.Column("nickname", sa.String(40), nullable=False, server_default="x"))
                if connection.dialect.name == "postgresql":
                    op.alter_column("users", "nickname", server_default=None)
            _step(connection, contract)

            after = reflect(connection)
            connection.rollback()
            breaks = {(table, column) for table, column, _ in schema_breaks(before, after, engine.dialect)}
            expected = {("courier_services", "name_ms"), ("saved_products", None)}
            if databases.is_postgres:  # SQLite keeps the column's default, which is safe
                expected.add(("users", "nickname"))
            assert breaks == expected
            failing = previous.still_works(connection)
        engine.dispose()
    tables = {table for table, _ in failing}
    assert {"courier_services", "saved_products"} <= tables
    assert any("reading the row written before the step fails" in problem for _, problem in failing)
    if databases.is_postgres:  # SQLite keeps the column's default: the previous release's INSERT still works
        assert any(table == "users" and "INSERT ended 'ok'" in problem and "23502" in problem
                   for table, problem in failing), failing


REBUILD = '''"""Rebuilds courier_services on SQLite (batch mode copies the table and drops the old one).

Revision ID: rebuild01
Revises: {head}
"""
from alembic import op

revision = "rebuild01"
down_revision = "{head}"


def upgrade():
    with op.batch_alter_table("courier_services") as batch_op:
        batch_op.drop_column("name_ms")  # contract: the test's own step


def downgrade():
    pass
'''


def test_a_step_that_rebuilds_a_table_keeps_the_rows_of_the_tables_pointing_at_it(databases, tmp_path, monkeypatch):
    """With SQLite's foreign keys on, dropping the old copy of a rebuilt table would delete the courier's
    rates (ON DELETE CASCADE): migrations/env.py turns them off while migrating, and checks them after."""
    directory = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, directory, ignore=shutil.ignore_patterns("__pycache__"))
    head = revisions()[-1][0]
    (directory / "versions" / "rebuild01_rebuild.py").write_text(REBUILD.format(head=head))
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": databases.create("rebuild")})
    with app.app_context():
        upgrade(directory=str(directory), revision=head)
        with db.engine.connect() as connection:
            before = reflect(connection)
            connection.rollback()
            previous = PreviousRelease(before, 1)
            previous.write(connection)
            assert {"courier_services", "courier_rates"} <= set(previous.written)
            upgrade(directory=str(directory))
            problems = previous.still_works(connection)
            rates = connection.execute(sa.text("SELECT count(*) FROM courier_rates")).scalar()
            connection.rollback()
        db.engine.dispose()
    assert rates == 1
    assert not any(table == "courier_rates" for table, _ in problems), problems
    assert any(table == "courier_services" for table, _ in problems)  # it did drop name_ms


def test_a_migration_waiting_behind_a_long_transaction_gives_up_after_the_lock_timeout(
        databases, tmp_path, monkeypatch):
    if not databases.is_postgres:
        pytest.skip("lock_timeout is PostgreSQL's; SQLite has one writer and no app servers in production")
    monkeypatch.setenv("SERUMPUN_INSTANCE_PATH", str(tmp_path))
    monkeypatch.setenv("MIGRATION_LOCK_TIMEOUT", "1s")
    app = create_app({"SQLALCHEMY_DATABASE_URI": databases.create("locks")})
    runner = app.test_cli_runner()
    with app.app_context():
        assert runner.invoke(args=["db", "upgrade", "5c6c53839694"]).exit_code == 0
        report = sa.create_engine(db.engine.url)  # a long report of the running release, on products
        with report.connect() as reading:
            reading.execute(sa.text("SELECT count(*) FROM products"))  # holds its lock until the end
            started = time.monotonic()
            result = runner.invoke(args=["db", "upgrade", "dd0e5c2286e8"])  # adds a column to products
            waited = time.monotonic() - started
            assert result.exit_code != 0 and "lock timeout" in str(result.exception), result.output
            assert waited < 10
            reading.rollback()
        report.dispose()
        with db.engine.connect() as connection:
            assert connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == "5c6c53839694"
        result = runner.invoke(args=["db", "upgrade"])  # run again once the report is done
        assert result.exit_code == 0, result.output
        with db.engine.connect() as connection:  # the app's own connections keep no migration timeout
            assert connection.execute(sa.text("SHOW lock_timeout")).scalar() == "0"
        db.engine.dispose()
