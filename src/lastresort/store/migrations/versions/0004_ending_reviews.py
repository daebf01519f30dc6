"""Operator reviews of endings: an "upheld" or "reinstated" record on the message whose turn ended the path.

The policy's fold reads a reinstatement as an input of that turn (like ``messages.signals``), so the cached
state stays equal to a fresh fold; the evidence is kept. Every review is also written to the audit log.

Revision ID: 0004_ending_reviews
Revises: 0003_branch_signals
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004_ending_reviews"
down_revision = "0003_branch_signals"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("messages", sa.Column("review", sa.JSON, nullable=True))


def downgrade() -> None:
    op.drop_column("messages", "review")
