"""Proxy paths: the hash chain of a chat-completions history, mapped to stored messages per user.

Revision ID: 0005_proxy_paths
Revises: 0004_ending_reviews
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005_proxy_paths"
down_revision = "0004_ending_reviews"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "proxy_paths",
        sa.Column("user_id", sa.String(32), sa.ForeignKey("users.id"), primary_key=True),
        sa.Column("chain_hash", sa.String(64), primary_key=True),
        sa.Column("conversation_id", sa.String(32), sa.ForeignKey("conversations.id"), nullable=False),
        sa.Column("message_id", sa.String(32), sa.ForeignKey("messages.id"), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("proxy_paths")
