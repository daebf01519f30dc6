"""SQLAlchemy Core tables. Schema changes go through ``migrations/`` (Alembic), never ``create_all``."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
)


class UTCDateTime(TypeDecorator[datetime]):
    """Timestamps are written in UTC and always read back timezone-aware (SQLite forgets the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        return value.astimezone(UTC) if value is not None and value.tzinfo else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


metadata = MetaData()

users = Table(
    "users",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("name", String(100), nullable=False, unique=True),
    Column("token_hash", String(64), nullable=False, unique=True),  # sha256 of the token; the token is never kept
    Column("role", String(20), nullable=False, default="user"),
    Column("created_at", UTCDateTime(), nullable=False),
)

conversations = Table(
    "conversations",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("user_id", String(32), ForeignKey("users.id"), nullable=False),
    Column("title", String(200), nullable=False, default=""),
    # No FK to messages: that would make a cycle between the two tables.
    Column("active_leaf_id", String(32), nullable=True),
    Column("message_count", Integer, nullable=False, default=0),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("updated_at", UTCDateTime(), nullable=False),
    # Branches of this conversation that ended / on which a crisis began: the policy sees them on new branches.
    Column("ended_branches", Integer, nullable=False, default=0, server_default="0"),
    Column("crisis_branches", Integer, nullable=False, default=0, server_default="0"),
    Index("ix_conversations_user", "user_id", "updated_at"),
)

messages = Table(
    "messages",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id"), nullable=False),
    Column("parent_id", String(32), ForeignKey("messages.id"), nullable=True),
    Column("seq", Integer, nullable=False),  # order of creation within the conversation
    Column("depth", Integer, nullable=False),  # 1 for a root
    Column("role", String(16), nullable=False),
    Column("content", Text, nullable=False),
    Column("assessment", JSON, nullable=True),  # user messages: scores per category
    Column("decision", JSON, nullable=True),  # assistant messages: the decision they were written for
    Column("end_requested", Boolean, nullable=False, default=False),  # the model asked to end
    Column("responder", String(64), nullable=True),
    Column("state", JSON, nullable=False),  # PathState after this message: the cache the fold fills
    Column("created_at", UTCDateTime(), nullable=False),
    # Added by migration 0003, so last: ``ancestors`` maps ``SELECT messages.*`` by position.
    Column("signals", JSON, nullable=True),  # user messages: the conversation signals the policy saw
    # Added by migration 0004: an operator's review of the ending this message caused (upheld / reinstated).
    Column("review", JSON, nullable=True),
    Index("ix_messages_conversation", "conversation_id", "seq"),
    Index("ix_messages_parent", "parent_id"),
)

feedback = Table(
    "feedback",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id"), nullable=False),
    Column("message_id", String(32), ForeignKey("messages.id"), nullable=False),
    Column("user_id", String(32), ForeignKey("users.id"), nullable=False),
    Column("rating", String(8), nullable=True),  # "up" / "down"
    Column("comment", Text, nullable=False, default=""),
    Column("dispute", Boolean, nullable=False, default=False),  # the user disputes an ending
    Column("created_at", UTCDateTime(), nullable=False),
    Index("ix_feedback_message", "message_id"),
)

#: Append-only (database triggers refuse UPDATE and DELETE): endings, disputes, operator actions.
audit_log = Table(
    "audit_log",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("created_at", UTCDateTime(), nullable=False),
    Column("actor", String(64), nullable=False),  # a user id, or "policy" / "model" for automatic endings
    Column("action", String(40), nullable=False),
    Column("conversation_id", String(32), nullable=True),
    Column("message_id", String(32), nullable=True),
    Column("details", JSON, nullable=False),
    Index("ix_audit_log_conversation", "conversation_id", "created_at"),
)

#: The proxy's hash chains (``lastresort proxy``): a chain hash of a normalised chat-completions history, per user,
#: names the stored message it ends at (``message_id`` NULL: a conversation's anchor for a client-given key).
proxy_paths = Table(
    "proxy_paths",
    metadata,
    Column("user_id", String(32), ForeignKey("users.id"), primary_key=True),
    Column("chain_hash", String(64), primary_key=True),
    Column("conversation_id", String(32), ForeignKey("conversations.id"), nullable=False),
    Column("message_id", String(32), ForeignKey("messages.id"), nullable=True),
    Column("created_at", UTCDateTime(), nullable=False),
)
