"""comment tombstones: published comments deleted outright, so open pages hear they are gone

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07 20:00:00.000000

An open page learns that a comment it shows was taken down from the comment's own row (its
status and change time). A privacy erasure in ``remove`` mode or a retention purge deletes the
row, so a tombstone (the comment's id, its thread, when) stands in for it for a while. The
retention purge prunes old tombstones and notes on the thread from when it still has them
(``tombstones_pruned_before``), so a page with an older watermark is told to read again.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'comment_tombstones',
        sa.Column(
            'comment_id',
            sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column('thread_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('deleted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['thread_id'],
            ['threads.id'],
            name=op.f('fk_comment_tombstones_thread_id_threads'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('comment_id', name=op.f('pk_comment_tombstones')),
    )
    op.create_index(
        'ix_comment_tombstones_thread_deleted',
        'comment_tombstones',
        ['thread_id', 'deleted_at'],
        unique=False,
    )
    # Plain ALTER TABLE, as in 0019: a nullable column no index or constraint uses.
    op.add_column(
        'threads', sa.Column('tombstones_pruned_before', sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    op.drop_column('threads', 'tombstones_pruned_before')
    op.drop_index('ix_comment_tombstones_thread_deleted', table_name='comment_tombstones')
    op.drop_table('comment_tombstones')
