import logging
import os
from logging.config import fileConfig

from flask import current_app

from alembic import context
from sqlalchemy import text as sa_text

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging, leaving the app's own loggers
# alone (the default would silence every logger that exists already).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def postgresql_timeouts(connection):
    """App servers stay up while migrations run (README, "Changing the schema while app servers run").

    A DDL statement waits for its lock behind every open transaction, and every query that comes after
    it waits behind the DDL: one long report would stop the whole site. With lock_timeout the migration
    gives up instead (the transaction rolls back; run it again); statement_timeout bounds the rest.
    """
    if connection.dialect.name != "postgresql":
        return
    for setting, variable, default in (("lock_timeout", "MIGRATION_LOCK_TIMEOUT", "5s"),
                                       ("statement_timeout", "MIGRATION_STATEMENT_TIMEOUT", "0")):
        value = os.environ.get(variable) or default
        # Session settings, so that they also hold inside autocommit_block() (CREATE INDEX CONCURRENTLY).
        connection.execute(sa_text("SELECT set_config(:setting, :value, false)"),
                           {"setting": setting, "value": value})
    connection.commit()


def sqlite_foreign_keys(connection, on):
    """Batch mode rebuilds a SQLite table by copying it and dropping the old one; with foreign keys
    enforced, that drop deletes (ON DELETE CASCADE) or orphans the rows of every table pointing at it.
    So they are off while migrating (set outside a transaction, or SQLite ignores it)."""
    if connection.dialect.name == "sqlite":
        cursor = connection.connection.driver_connection.cursor()
        cursor.execute(f"PRAGMA foreign_keys={'ON' if on else 'OFF'}")
        cursor.close()


def sqlite_foreign_key_check(connection):
    """... and every row must still point at something before they are on again."""
    if connection.dialect.name == "sqlite":
        broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"rows point at nothing after migrating (table, rowid, parent): {broken[:5]}")


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connectable.connect() as connection:
        postgresql_timeouts(connection)
        sqlite_foreign_keys(connection, on=False)
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        try:
            with context.begin_transaction():
                context.run_migrations()
                sqlite_foreign_key_check(connection)
        finally:  # the connection goes back to the app's pool as it came
            connection.rollback()
            sqlite_foreign_keys(connection, on=True)
            if connection.dialect.name == "postgresql":
                connection.exec_driver_sql("RESET lock_timeout; RESET statement_timeout")
                connection.commit()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
