"""closed threads: staff close a thread to new comments, or a site closes those past an age

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-07 18:00:00.000000

Comment spam goes mostly to old posts. A thread's ``closed`` is staff's word on it (true:
closed, false: open whatever its age, unset: as its site says); a site's ``close_after_days``
closes the threads whose first comment is older than that (0, every existing site: never).
Whether a thread is closed is computed when a comment comes, from these and the thread's
``created_at``, so nothing has to run on a schedule.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0017: SQLite (3.35 and later) adds and drops a column that no index
# or constraint uses in place, without a batch rebuild of the table (and of its rows).


def upgrade():
    op.add_column('threads', sa.Column('closed', sa.Boolean(), nullable=True))
    op.add_column(
        'sites',
        sa.Column('close_after_days', sa.Integer(), server_default='0', nullable=False),
    )


def downgrade():
    op.drop_column('sites', 'close_after_days')
    op.drop_column('threads', 'closed')
