"""site setting changes: who changed which site setting, from what, to what, and when

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-07 21:00:00.000000

Site settings are changed by `flask sites update`, the Site page, ``PATCH /api/v1/sites/<name>``
and `flask classifier calibrate --apply`; until now only a log line at INFO said so. A row per
changed setting keeps it: the values as ``describe`` gives them, the staff member (SET NULL when
the account goes) and an actor label that still reads then ("cli", "calibrate", or the name).

The index serves "a site's changes, the newest first, a page at a time" read backwards; an index
declared ``created_at DESC`` would order ``id`` the other way round to the keyset's
``(created_at, id) <`` comparison. A new table: no SQLite batch rebuild is needed.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'site_setting_changes',
        sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('setting', sa.String(length=64), nullable=False),
        sa.Column('before', sa.JSON(), nullable=False),
        sa.Column('after', sa.JSON(), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=True),
        sa.Column('actor', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['site_id'],
            ['sites.id'],
            name=op.f('fk_site_setting_changes_site_id_sites'),
            ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['staff_id'],
            ['staff.id'],
            name=op.f('fk_site_setting_changes_staff_id_staff'),
            ondelete='SET NULL',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_site_setting_changes')),
    )
    op.create_index(
        'ix_site_setting_changes_site_created',
        'site_setting_changes',
        ['site_id', 'created_at', 'id'],
        unique=False,
    )


def downgrade():
    op.drop_index('ix_site_setting_changes_site_created', table_name='site_setting_changes')
    op.drop_table('site_setting_changes')
