"""mail outbox comment: a mail names the comment it quotes, so its author's erasure deletes it

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-08 04:00:00.000000

Reply, published, confirmation and moderation mails quote a comment and its author's name. An
erasure deleted only the mails *to* the erased address, so those *about* their comments stayed
in the outbox for MAIL_KEEP_DAYS, and unsent ones still went out. ``comment_id`` links a mail
to the comment it quotes; the erasure deletes the mails linked to the author's comments. Rows
queued before this revision have no link: they are deleted, as before, by MAIL_KEEP_DAYS.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


# Plain ALTER TABLE, as in 0019: SQLite adds the nullable column in place, and drops it in place
# once its index is gone.


def upgrade():
    op.add_column(
        'mail_outbox',
        sa.Column(
            'comment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True
        ),
    )
    op.create_index('ix_mail_outbox_comment_id', 'mail_outbox', ['comment_id'], unique=False)


def downgrade():
    op.drop_index('ix_mail_outbox_comment_id', table_name='mail_outbox')
    op.drop_column('mail_outbox', 'comment_id')
