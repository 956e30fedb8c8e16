"""ids never reused on SQLite: comments, decisions and webhooks get AUTOINCREMENT

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-07 22:00:00.000000

On SQLite an ``INTEGER PRIMARY KEY`` without AUTOINCREMENT hands out the largest id in the table
plus one, so deleting the newest row outright gives its id to the next one. PostgreSQL's
sequences never do. Rebuilt here, where a reused id reaches readers or other systems:

- ``comments``: a privacy erasure in ``remove`` mode or a retention purge deletes the row; an
  open page that showed it took the next comment for it and then hid it on the old one's
  tombstone, a ``#comment-N`` permalink showed someone else's comment, webhook receivers got
  "N deleted" then "N created".
- ``decisions``: they go with their comment; their ids are in ``comment.decided`` webhook
  payloads and in the moderation API's ``decision``/``expected_decision``.
- ``webhook_endpoints`` and ``webhook_deliveries``: removing an endpoint deletes it and its
  delivery log; the admin API and pages address both by id (edit, rotate the secret, remove,
  redeliver), so a stale page or script would act on the next endpoint or delivery.

Left alone: tables whose rows are never deleted (sites, threads, staff, bans, site API keys,
model events, site setting changes...); those whose ids go with a comment but are shown to no
one (signals, scores, revisions, reports); mail subscriptions, whose links name the id with the
second it was made; privacy requests, whose reader links expire with the row they name and want
the address typed in again.

Each table is rebuilt by SQLite's own recipe (create, copy, drop, rename; env.py turns foreign
keys off, so the drop does not cascade, and checks them afterwards) from its own CREATE
statement in ``sqlite_master``, changed only where the key is declared, and its indexes from
theirs: a reflected copy (a batch operation) would lose the expression indexes of ``comments``.
A table not declared as the earlier migrations left it is refused and nothing changes. Copying
the rows sets ``sqlite_sequence`` to each table's largest id; comments also count their
tombstones, so an id deleted before this upgrade is not given again either. Nothing to do on
PostgreSQL.

"""
import re

from alembic import op


# revision identifiers, used by Alembic.
revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

TABLES = ('comments', 'decisions', 'webhook_endpoints', 'webhook_deliveries')


def upgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        rebuild(table, autoincrement=True)
    # Copying set it from the comments; the tombstones may know a larger id.
    op.execute("DELETE FROM sqlite_sequence WHERE name = 'comments'")
    op.execute(
        "INSERT INTO sqlite_sequence (name, seq) SELECT 'comments', max(id) FROM ("
        "SELECT id FROM comments UNION ALL SELECT comment_id FROM comment_tombstones"
        ") HAVING max(id) IS NOT NULL"
    )


def downgrade():
    if op.get_bind().dialect.name != 'sqlite':
        return
    for table in TABLES:
        rebuild(table, autoincrement=False)


def rebuild(table, autoincrement):
    """SQLite's recipe for a change ALTER TABLE cannot make: a copy declared as the table but
    for its key, its rows, then the copy in its place with the table's indexes and triggers
    (DROP TABLE takes them along)."""
    connection = op.get_bind()
    create = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?", (table,)
    ).scalar_one()
    dependents = connection.exec_driver_sql(
        "SELECT sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND tbl_name = ?"
        " AND sql IS NOT NULL ORDER BY type, name",
        (table,),
    ).scalars().all()
    columns = ', '.join(
        f'"{row[1]}"' for row in connection.exec_driver_sql(f'PRAGMA table_info("{table}")')
    )
    changed = (with_autoincrement if autoincrement else without_autoincrement)(table, create)
    copy = f'_rebuilt_{table}'
    changed, renamed = re.subn(rf'^CREATE TABLE "?{table}"? \(', f'CREATE TABLE {copy} (', changed)
    expect_once(table, renamed, 'its CREATE TABLE header')
    connection.exec_driver_sql(changed)
    connection.exec_driver_sql(f'INSERT INTO {copy} ({columns}) SELECT {columns} FROM "{table}"')
    connection.exec_driver_sql(f'DROP TABLE "{table}"')
    connection.exec_driver_sql(f'ALTER TABLE {copy} RENAME TO "{table}"')
    for statement in dependents:
        connection.exec_driver_sql(statement)


def with_autoincrement(table, create):
    """The key moves from the table constraint onto the column: SQLite only accepts
    AUTOINCREMENT there. The constraint keeps its name."""
    create, dropped = re.subn(rf'\n\tCONSTRAINT pk_{table} PRIMARY KEY \(id\), ', '', create)
    expect_once(table, dropped, f'"CONSTRAINT pk_{table} PRIMARY KEY (id)"')
    create, moved = re.subn(
        r'\n\tid INTEGER NOT NULL, ',
        f'\n\tid INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT, ',
        create,
    )
    expect_once(table, moved, '"id INTEGER NOT NULL"')
    return create


def without_autoincrement(table, create):
    """The key goes back to the first table constraint, as the earlier migrations made it."""
    create, moved = re.subn(
        rf'\n\tid INTEGER NOT NULL CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT, ',
        '\n\tid INTEGER NOT NULL, ',
        create,
    )
    expect_once(table, moved, f'"CONSTRAINT pk_{table} PRIMARY KEY AUTOINCREMENT"')
    key = f'\n\tCONSTRAINT pk_{table} PRIMARY KEY (id), '
    create, placed = re.subn(r'\n\tCONSTRAINT ', f'{key}\n\tCONSTRAINT ', create, count=1)
    expect_once(table, placed, 'a table constraint')
    return create


def expect_once(table, count, what):
    """Refuse, rolling the upgrade back, a table not declared as the earlier migrations left it,
    rather than guess where its key is."""
    if count != 1:
        raise RuntimeError(f'migration 0023: {table} does not declare {what} exactly once')
