"""e-mail subscriptions, confirmations and moderators' notification settings

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-28 17:00:00.000000

The outbox (mail_outbox) holds every mail until it is sent and for MAIL_KEEP_DAYS after;
mail_subscriptions holds readers' wishes to hear about replies to one comment, confirmed or
not; staff gain an address, a notification preference and the end of their last digest.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade():
    op.create_table(
        'mail_outbox',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('kind', sa.String(length=32), nullable=False),
        sa.Column('to_address', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=300), nullable=False),
        sa.Column('text', sa.Text(), nullable=False),
        sa.Column('html', sa.Text(), nullable=True),
        sa.Column('headers', sa.JSON(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('locked_until', sa.DateTime(timezone=True), nullable=True),
        sa.Column('lock_token', sa.String(length=32), nullable=True),
        sa.Column('last_error', sa.String(length=500), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status IN ('pending', 'sent', 'failed')", name=op.f('ck_mail_outbox_status')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_outbox')),
    )
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.create_index('ix_mail_outbox_status_next', ['status', 'next_attempt_at'], unique=False)

    op.create_table(
        'mail_subscriptions',
        sa.Column('id', BIG_ID, nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('thread_id', BIG_ID, nullable=False),
        sa.Column('comment_id', BIG_ID, nullable=False),
        sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_mail_subscriptions_site_id_sites'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['thread_id'], ['threads.id'], name=op.f('fk_mail_subscriptions_thread_id_threads'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['comment_id'], ['comments.id'], name=op.f('fk_mail_subscriptions_comment_id_comments'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_mail_subscriptions')),
    )
    with op.batch_alter_table('mail_subscriptions', schema=None) as batch_op:
        batch_op.create_index('ix_mail_subscriptions_email', ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_mail_subscriptions_comment_id'), ['comment_id'], unique=False)

    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('email', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('notify', sa.String(length=16), nullable=False, server_default='off'))
        batch_op.add_column(sa.Column('digest_sent_at', sa.DateTime(timezone=True), nullable=True))


def downgrade():
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('digest_sent_at')
        batch_op.drop_column('notify')
        batch_op.drop_column('email')
    with op.batch_alter_table('mail_subscriptions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_mail_subscriptions_comment_id'))
        batch_op.drop_index('ix_mail_subscriptions_email')
    op.drop_table('mail_subscriptions')
    with op.batch_alter_table('mail_outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_mail_outbox_status_next')
    op.drop_table('mail_outbox')
