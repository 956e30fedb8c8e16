"""stale tombstones: none hides a published comment that took a deleted one's id

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-08 01:00:00.000000

Before 0023, SQLite gave a new comment the id of the newest one deleted outright, whose
tombstone stayed. An open page whose watermark is older than that deletion was sent the new
comment, as changed, and the old one's id as withdrawn, and hid the new one until the tombstone
was pruned (30 days). Since 0023 no id comes back, so a tombstone naming a published comment is
such a leftover and goes: that page shows the new comment in the old one's place instead. A
tombstone naming a comment not published now stays, so a page still showing the deleted one
hears that it is gone. PostgreSQL never reused an id and has none of these.

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    op.execute(
        "DELETE FROM comment_tombstones WHERE comment_id IN"
        " (SELECT id FROM comments WHERE status = 'published')"
    )


def downgrade():
    """The deleted rows named comments long gone; there is nothing to put back."""
