"""thread listing: threads know their last comment, and who last closed or opened them

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 19:00:00.000000

Staff list a site's threads, the most recently commented first, a page at a time (the CLI,
the moderation API and its pages). Ordering by the newest of each thread's comments read every
comment of the site; ``threads.last_comment_at``, set when a comment is posted and indexed
with the site, makes a page cost a page. Existing threads get their newest comment's time, or
their own for a thread without any left.

``closed_changed_at`` and ``closed_changed_by`` record when staff last closed, opened or
returned a thread to its site's setting, and who (none from the command line), as a ban
records who banned and who lifted it.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('threads', sa.Column('last_comment_at', sa.DateTime(timezone=True), nullable=True))
    op.execute(
        "UPDATE threads SET last_comment_at = coalesce("
        "(SELECT max(comments.created_at) FROM comments WHERE comments.thread_id = threads.id),"
        " threads.created_at)"
    )
    # A batch rebuild of threads on SQLite (NOT NULL and a foreign key cannot be added in
    # place); env.py turns foreign keys off meanwhile, so comments keep their threads.
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.alter_column(
            'last_comment_at', existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.add_column(sa.Column('closed_changed_at', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('closed_changed_by', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            'fk_threads_closed_changed_by_staff', 'staff', ['closed_changed_by'], ['id'],
            ondelete='SET NULL',
        )
        batch_op.create_index(
            'ix_threads_site_last_comment', ['site_id', 'last_comment_at', 'id'], unique=False
        )


def downgrade():
    with op.batch_alter_table('threads', schema=None) as batch_op:
        batch_op.drop_index('ix_threads_site_last_comment')
        batch_op.drop_constraint('fk_threads_closed_changed_by_staff', type_='foreignkey')
        batch_op.drop_column('closed_changed_by')
        batch_op.drop_column('closed_changed_at')
        batch_op.drop_column('last_comment_at')
