"""Branch signals: per-conversation counts of ended and crisis branches, and what the policy saw per message.

Existing conversations get their counts computed from the cached states, so a conversation that ended before the
upgrade is still seen as having an ended branch.

Revision ID: 0003_branch_signals
Revises: 0002_audit_log
"""

from __future__ import annotations

import json
from typing import Any

import sqlalchemy as sa
from alembic import op

revision = "0003_branch_signals"
down_revision = "0002_audit_log"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("ended_branches", sa.Integer, nullable=False, server_default="0"))
    op.add_column("conversations", sa.Column("crisis_branches", sa.Integer, nullable=False, server_default="0"))
    op.add_column("messages", sa.Column("signals", sa.JSON, nullable=True))
    _backfill()


def _backfill() -> None:
    """Count, per conversation, the messages whose path ended or turned into a crisis path at that message."""
    bind = op.get_bind()
    messages = sa.table("messages", sa.column("id"), sa.column("parent_id"), sa.column("conversation_id"),
                        sa.column("seq"), sa.column("state", sa.JSON))
    conversations = sa.table("conversations", sa.column("id"), sa.column("ended_branches"),
                             sa.column("crisis_branches"))
    flags: dict[str, tuple[bool, bool]] = {}
    counts: dict[str, list[int]] = {}
    rows = bind.execute(sa.select(messages.c.id, messages.c.parent_id, messages.c.conversation_id,
                                  messages.c.state).order_by(messages.c.conversation_id, messages.c.seq))
    for mid, parent_id, conversation_id, raw in rows:
        state: dict[str, Any] = json.loads(raw) if isinstance(raw, str) else (raw or {})
        ended, crisis = state.get("ending") is not None, bool(state.get("crisis"))
        before = flags.get(parent_id, (False, False)) if parent_id else (False, False)
        flags[mid] = (ended, crisis)
        count = counts.setdefault(conversation_id, [0, 0])
        count[0] += ended and not before[0]
        count[1] += crisis and not before[1]
    for conversation_id, (ended_count, crisis_count) in counts.items():
        if ended_count or crisis_count:
            bind.execute(sa.update(conversations).where(conversations.c.id == conversation_id)
                         .values(ended_branches=ended_count, crisis_branches=crisis_count))


def downgrade() -> None:
    op.drop_column("messages", "signals")
    op.drop_column("conversations", "crisis_branches")
    op.drop_column("conversations", "ended_branches")
