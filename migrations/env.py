import logging
import warnings
from contextlib import contextmanager
from logging.config import fileConfig

import click
from alembic import context
from flask import current_app
from sqlalchemy.exc import DBAPIError, SAWarning

from comments.cli.errors import database_failed

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger("alembic.env")

# Batch operations on SQLite reflect the tables a rebuilt one refers to, and reflection cannot
# read expression indexes (the queues' score indexes on comments): SQLAlchemy warns on every
# fresh install. Only the referring table is rebuilt, so nothing is lost;
# tests/comments/test_migrations.py checks every declared index is in the catalogue.
warnings.filterwarnings(
    "ignore", message="Skipped unsupported reflection of expression-based index", category=SAWarning
)


@contextmanager
def sqlite_foreign_keys_off(connection):
    """On SQLite, batch operations rebuild a table: copy it, drop the old one, rename. With
    foreign keys on (comments.db turns them on for every connection), dropping ``sites`` or
    ``comments`` would cascade and delete every row that refers to them, so a downgrade that
    drops a column of ``sites`` emptied ``comments``. SQLite's own recipe for altering a table:
    foreign keys off outside the transaction (the pragma does nothing inside one), and
    ``foreign_key_check`` before committing (`refuse_broken_references`)."""
    if connection.dialect.name != "sqlite":
        yield
        return
    raw = connection.connection.driver_connection
    raw.execute("PRAGMA foreign_keys = OFF")
    try:
        yield
    finally:
        raw.execute("PRAGMA foreign_keys = ON")


def refuse_broken_references(connection):
    """Raise, so nothing is committed, if the migrations left a row referring to none."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
    if broken:
        raise RuntimeError(
            f"the migration broke foreign keys (table, rowid, parent): {broken[:10]}"
        )


def connect(engine):
    """A database that does not answer (wrong host, port, password) ends `db upgrade` in one
    line, as it ends every other command: the driver's reason, not a traceback to dig it from."""
    try:
        return engine.connect()
    except DBAPIError as error:
        raise click.ClickException(database_failed(error)) from error


def get_engine():
    return current_app.extensions["migrate"].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace("%", "%%")
    except AttributeError:
        return str(get_engine().url).replace("%", "%%")


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option("sqlalchemy.url", get_engine_url())
target_db = current_app.extensions["migrate"].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, "metadatas"):
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
    context.configure(url=url, target_metadata=get_metadata(), literal_binds=True)

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, "autogenerate", False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info("No changes in schema detected.")

    conf_args = current_app.extensions["migrate"].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()

    with connect(connectable) as connection:
        context.configure(connection=connection, target_metadata=get_metadata(), **conf_args)

        with sqlite_foreign_keys_off(connection), context.begin_transaction():
            context.run_migrations()
            refuse_broken_references(connection)


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
