"""indexes for the moderation queues and author histories at a million comments

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28 11:00:00.000000

The queues of every site (no site filter) read comments by status in created_at, toxicity or
spam order, and count them by status; author histories look comments up by e-mail alone; the
reported queue starts from open reports. (site_id, author_email) becomes (author_email, site_id,
status), which still serves the lookups by site and e-mail. On a large PostgreSQL table, build
these with CREATE INDEX CONCURRENTLY by hand first if writes must not wait (the same names and
columns; the upgrade then keeps them).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

OPEN = sa.text('resolved_at IS NULL')


def upgrade():
    op.create_index('ix_comments_status_created', 'comments', ['status', 'created_at', 'id'], unique=False, if_not_exists=True)
    op.create_index('ix_comments_status_toxicity', 'comments', ['status', sa.text('coalesce(toxicity, -1.0)'), 'id'], unique=False, if_not_exists=True)
    op.create_index('ix_comments_status_spam', 'comments', ['status', sa.text('coalesce(spam, -1.0)'), 'id'], unique=False, if_not_exists=True)
    op.create_index('ix_comments_email_site_status', 'comments', ['author_email', 'site_id', 'status'], unique=False, if_not_exists=True)
    op.drop_index('ix_comments_site_email', table_name='comments')
    op.create_index('ix_reports_open', 'reports', ['comment_id'], unique=False, sqlite_where=OPEN, postgresql_where=OPEN, if_not_exists=True)


def downgrade():
    op.drop_index('ix_reports_open', table_name='reports')
    op.create_index('ix_comments_site_email', 'comments', ['site_id', 'author_email'], unique=False)
    op.drop_index('ix_comments_email_site_status', table_name='comments')
    op.drop_index('ix_comments_status_spam', table_name='comments')
    op.drop_index('ix_comments_status_toxicity', table_name='comments')
    op.drop_index('ix_comments_status_created', table_name='comments')
