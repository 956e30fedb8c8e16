"""author name index: the moderation queue's author filter pages and counts through indexes

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-08 00:00:00.000000

The queue's author filter selects ``author_email = :needle OR lower(author_name) = :needle``.
``ix_comments_email_site_status`` served the e-mail side only, so the OR read a whole queue in
time order, checking each row (0.4-0.6 s for a page at a million comments), and the queues were
not counted under it. With the name side indexed too, SQLite reads the two sides' ranges and
joins them (its OR-by-union) and PostgreSQL ORs two bitmap index scans: the author's comments,
not the queue's (SQLite, planning without statistics, is told not to read the status, site or
thread through an index under an author: services/moderation/queue.py). The status follows the
name so that PostgreSQL reads a queue's part of them. On a large PostgreSQL table, build it with
CREATE INDEX CONCURRENTLY by hand first if writes must not wait (the same name and
columns; the upgrade then keeps it).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_comments_lower_name_status',
        'comments',
        [sa.text('lower(author_name)'), 'status'],
        unique=False,
        if_not_exists=True,  # built by hand first, as advised above
    )


def downgrade():
    op.drop_index('ix_comments_lower_name_status', table_name='comments')
