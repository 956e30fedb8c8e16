"""import origins: an imported comment is named by its blog, forum or database as well as its id

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:00:00.000000

WordPress comment ids restart at 1 in every blog (and Isso's in every database), so a second
blog imported into the same site was skipped as "already imported". Imported comments are now
unique per (site, source, origin, ref). Rows already there get origin "" (names no blog):
which blog an earlier import read is nowhere in the database (the file is not kept, and
neither thread URLs nor decisions name the blog for sure), so rather than this migration
guessing, the importer recognises them itself by id and creation time, and fills in their
origin then (comments/services/imports/ledger.py).

Downgrading keeps one row per (site, source, ref), the oldest: the rest would break the old
constraint, and their comments would be imported again by an older version.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('imported_comments', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('origin', sa.String(length=255), server_default='', nullable=False)
        )
        batch_op.drop_constraint('uq_imported_comments_site_id', type_='unique')
        batch_op.create_unique_constraint(
            'uq_imported_comments_site_id', ['site_id', 'source', 'origin', 'ref']
        )


def downgrade():
    imported = sa.table(
        'imported_comments',
        sa.column('id', sa.Integer),
        sa.column('site_id', sa.Integer),
        sa.column('source', sa.String),
        sa.column('ref', sa.String),
    )
    oldest = sa.select(sa.func.min(imported.c.id)).group_by(
        imported.c.site_id, imported.c.source, imported.c.ref
    )
    op.execute(imported.delete().where(imported.c.id.not_in(oldest)))
    with op.batch_alter_table('imported_comments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_imported_comments_site_id', type_='unique')
        batch_op.create_unique_constraint(
            'uq_imported_comments_site_id', ['site_id', 'source', 'ref']
        )
        batch_op.drop_column('origin')
