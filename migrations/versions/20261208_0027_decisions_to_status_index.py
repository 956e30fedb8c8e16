"""decisions to_status index: digests list comments held by their author's edit

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 04:30:00.000000

A moderators' digest lists the comments that started waiting in its period. A published or spam
comment its author's edit holds starts waiting at the edit's decision, not when it was posted,
so the digest reads the decisions to "pending" made in the period: a range of this index.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_decisions_to_status_created',
        'decisions',
        ['to_status', 'created_at'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_decisions_to_status_created', table_name='decisions')
