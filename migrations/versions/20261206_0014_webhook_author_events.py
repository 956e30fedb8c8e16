"""webhook author events: endpoints that took every event also get comment.edited and .deleted

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06 23:00:00.000000

Authors' edits and deletes now fire comment.edited and comment.deleted. An endpoint stores
the events it chose; one that chose all four earlier events (the default) meant "everything",
so it is subscribed to the new ones too. A narrower choice is left as it was.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

_EARLIER = {"comment.created", "comment.published", "comment.held", "comment.decided"}
_NEW = ["comment.edited", "comment.deleted"]
_endpoints = sa.table(
    'webhook_endpoints', sa.column('id', sa.Integer), sa.column('events', sa.JSON)
)


def _rewrite(change):
    bind = op.get_bind()
    for endpoint_id, events in bind.execute(
        sa.select(_endpoints.c.id, _endpoints.c.events)
    ).all():
        changed = change(list(events or []))
        if changed is not None:
            bind.execute(
                _endpoints.update().where(_endpoints.c.id == endpoint_id).values(events=changed)
            )


def upgrade():
    _rewrite(lambda events: events + _NEW if set(events) == _EARLIER else None)


def downgrade():
    _rewrite(
        lambda events: [e for e in events if e not in _NEW] if set(_NEW) & set(events) else None
    )
