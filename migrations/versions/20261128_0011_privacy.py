"""privacy requests and retention

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-28 17:00:00.000000

The log of exports and erasures (the address only as a keyed hash), and what erasure does on
each site: 'anonymise' (keep the text, drop the author's details) or 'remove' the comments.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'privacy_requests',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('email_hash', sa.String(length=64), nullable=False),
        sa.Column('requested_by', sa.String(length=80), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('site', sa.String(length=64), nullable=True),
        sa.Column('mode', sa.String(length=16), nullable=True),
        sa.Column('counts', sa.JSON(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_privacy_requests')),
    )
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_privacy_requests_email_hash'), ['email_hash'], unique=False)
        batch_op.create_index('ix_privacy_requests_status_expires', ['status', 'expires_at'], unique=False)
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('erasure', sa.String(length=16), nullable=False, server_default='anonymise'))


def downgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('erasure')
    with op.batch_alter_table('privacy_requests', schema=None) as batch_op:
        batch_op.drop_index('ix_privacy_requests_status_expires')
        batch_op.drop_index(batch_op.f('ix_privacy_requests_email_hash'))
    op.drop_table('privacy_requests')
