"""where imported comments came from, so a second import skips them

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-28 17:00:00.000000

A table of its own rather than columns on comments: nothing is rewritten in the largest table,
and the record of an import outlives the comment (an erased comment is not imported again).

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'imported_comments',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('ref', sa.String(length=128), nullable=False),
        sa.Column('comment_id', BIG_ID, nullable=True),
        sa.Column('imported_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_imported_comments_site_id_sites'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_imported_comments_comment_id_comments'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_imported_comments')),
        sa.UniqueConstraint('site_id', 'source', 'ref', name=op.f('uq_imported_comments_site_id')),
    )
    with op.batch_alter_table('imported_comments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_imported_comments_comment_id'), ['comment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('imported_comments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_imported_comments_comment_id'))
    op.drop_table('imported_comments')
