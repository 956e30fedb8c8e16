"""thread changes index: what changed in a thread since a watermark, for open pages to poll

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-07 12:00:00.000000

An open page asks every so often for the published comments of its thread changed since a
watermark, and every read answers the thread's newest change: both are one range of
(thread_id, status, updated_at), usually empty, instead of a walk through the whole thread.

"""

from alembic import op


# revision identifiers, used by Alembic.
revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_comments_thread_status_updated", ["thread_id", "status", "updated_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("comments", schema=None) as batch_op:
        batch_op.drop_index("ix_comments_thread_status_updated")
