"""reader edits, their history, and rephrase nudges

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 17:00:00.000000

Only new tables: edit tokens are signatures (nothing stored), and "deleted" was a comment
status from the start, so the comments table is not touched.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'comment_revisions',
        sa.Column('id', BigId, nullable=False),
        sa.Column('comment_id', BigId, nullable=False),
        sa.Column('body_raw', sa.Text(), nullable=False),
        sa.Column('body_html', sa.Text(), nullable=False),
        sa.Column('author_name', sa.String(length=80), nullable=False),
        sa.Column('toxicity', sa.Double(), nullable=True),
        sa.Column('spam', sa.Double(), nullable=True),
        sa.Column('model_version', sa.String(length=64), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('signals', sa.JSON(), nullable=False),
        sa.Column('edited_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_comment_revisions_comment_id_comments'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['model_version'], ['model_versions.version'], name=op.f('fk_comment_revisions_model_version_model_versions')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_comment_revisions')),
    )
    with op.batch_alter_table('comment_revisions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_comment_revisions_comment_id'), ['comment_id'], unique=False)

    op.create_table(
        'nudges',
        sa.Column('id', BigId, nullable=False),
        sa.Column('public_id', sa.String(length=32), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('thread_key', sa.String(length=512), nullable=False),
        sa.Column('fingerprint', sa.String(length=64), nullable=False),
        sa.Column('toxicity', sa.Double(), nullable=False),
        sa.Column('model_version', sa.String(length=64), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=24), nullable=True),
        sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('comment_id', BigId, nullable=True),
        sa.CheckConstraint("outcome IN ('edited', 'posted_unchanged')", name=op.f('ck_nudges_outcome')),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_nudges_comment_id_comments'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_nudges_site_id_sites'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_nudges')),
        sa.UniqueConstraint('public_id', name=op.f('uq_nudges_public_id')),
    )
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.create_index('ix_nudges_site_created', ['site_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_nudges_comment_id'), ['comment_id'], unique=False)


def downgrade():
    with op.batch_alter_table('nudges', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nudges_comment_id'))
        batch_op.drop_index('ix_nudges_site_created')
    op.drop_table('nudges')
    with op.batch_alter_table('comment_revisions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_comment_revisions_comment_id'))
    op.drop_table('comment_revisions')
