"""hold commercial terms: a site setting for the rule on commercial spam's words

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07 06:00:00.000000

Comments that link somewhere and use the words of pharmacy, gambling, loan or SEO spam (which
the model's training data lacks) are held for a moderator; a site can turn that off. On for
every site, existing ones included.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'hold_commercial_terms', sa.Boolean(), server_default='1', nullable=False
            )
        )


def downgrade():
    with op.batch_alter_table('sites', schema=None) as batch_op:
        batch_op.drop_column('hold_commercial_terms')
