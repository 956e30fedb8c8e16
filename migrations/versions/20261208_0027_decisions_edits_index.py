"""decisions edits index: digests list comments held by their author's edit

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-08 04:30:00.000000

A moderators' digest lists the comments that started waiting in its period. A published or spam
comment its author's edit holds starts waiting at the edit's decision, not when it was posted,
so the digest reads the authors' edits made in the period: a range of this index. Partial (edits
only): the decision each new comment writes adds no entry to it, so submission costs the same.

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
        'ix_decisions_edits_created',
        'decisions',
        ['created_at'],
        unique=False,
        sqlite_where=sa.text("action = 'edit'"),
        postgresql_where=sa.text("action = 'edit'"),
    )


def downgrade():
    op.drop_index('ix_decisions_edits_created', table_name='decisions')
