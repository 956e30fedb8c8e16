"""webhook secret rotation: the previous secret, and until when deliveries are also signed with it

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06 04:00:00.000000

Standard Webhooks receivers accept any of several signatures in one header, so a rotation can
overlap: deliveries carry the new and the previous signature until the receiver has switched.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.add_column(sa.Column('previous_secret', sa.String(length=100), nullable=True))
        batch_op.add_column(
            sa.Column('previous_secret_until', sa.DateTime(timezone=True), nullable=True)
        )


def downgrade():
    with op.batch_alter_table('webhook_endpoints', schema=None) as batch_op:
        batch_op.drop_column('previous_secret_until')
        batch_op.drop_column('previous_secret')
