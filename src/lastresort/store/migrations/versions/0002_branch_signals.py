"""Branch signals: per-conversation counts of ended and crisis branches, and what the policy saw per message.

Revision ID: 0002_branch_signals
Revises: 0001_initial
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002_branch_signals"
down_revision = "0001_initial"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("conversations", sa.Column("ended_branches", sa.Integer, nullable=False, server_default="0"))
    op.add_column("conversations", sa.Column("crisis_branches", sa.Integer, nullable=False, server_default="0"))
    op.add_column("messages", sa.Column("signals", sa.JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "signals")
    op.drop_column("conversations", "crisis_branches")
    op.drop_column("conversations", "ended_branches")
