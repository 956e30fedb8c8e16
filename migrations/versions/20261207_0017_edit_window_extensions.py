"""edit window extensions: how many times a comment's author extended its edit window

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 12:00:00.000000

WCAG 2.2.1 (Timing Adjustable): a reader warned that the time to edit their comment is ending
may extend it, by a fixed step, a limited number of times. The deadline is computed from the
count (services/edits.py), so the count is stored; 0 for every existing comment.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, not a batch rebuild: SQLite (3.35 and later) adds and drops a column that
# no index or constraint uses in place, while a rebuild of ``comments`` would copy every row
# and could not carry its expression indexes (coalesce(toxicity, -1.0)) over.


def upgrade():
    op.add_column(
        'comments',
        sa.Column('edit_extensions', sa.SmallInteger(), server_default='0', nullable=False),
    )


def downgrade():
    op.drop_column('comments', 'edit_extensions')
