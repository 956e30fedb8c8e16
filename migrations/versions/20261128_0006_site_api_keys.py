"""site API keys for the Perspective- and Akismet-compatible APIs; context on labelled examples

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-28 16:00:00.000000

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'site_api_keys',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('label', sa.String(length=100), nullable=False),
        sa.Column('created_by', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_site_api_keys_site_id_sites'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_api_keys')),
        sa.UniqueConstraint('key_hash', name=op.f('uq_site_api_keys_key_hash')),
    )
    with op.batch_alter_table('site_api_keys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_site_api_keys_site_id'), ['site_id'], unique=False)
    with op.batch_alter_table('labelled_examples', schema=None) as batch_op:
        batch_op.add_column(sa.Column('context', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('labelled_examples', schema=None) as batch_op:
        batch_op.drop_column('context')
    with op.batch_alter_table('site_api_keys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_site_api_keys_site_id'))
    op.drop_table('site_api_keys')
