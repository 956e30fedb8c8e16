"""staff session generation: signing out ends a staff member's sessions on the server too

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06 22:10:00.000000

Sessions are signed cookies. A cookie copied before sign-out stayed valid for its lifetime;
each session now carries the generation it was started in, and sign-out, a new password or
disabling the account raises it.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('session_generation', sa.Integer(), server_default='0', nullable=False)
        )


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('session_generation')
