"""Reading and writing the conversation tree. The only module that speaks SQL.

``Store.write()`` opens a transaction that holds the write lock (``BEGIN IMMEDIATE`` on SQLite; the
conversation row is locked ``FOR UPDATE`` on PostgreSQL by ``lock_conversation``), so a check of a path's
state and the insert that depends on it are atomic. ``Store.read()`` opens a plain read transaction.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, func, insert, select, text, update

from lastresort.core.state import PathState
from lastresort.core.tree import Role
from lastresort.store.tables import audit_log, conversations, feedback, messages, proxy_paths, users

__all__ = ["AuditRow", "ConversationRow", "FeedbackRow", "MessageRow", "Store", "Tx", "UserRow", "hash_token", "new_id"]


def new_id() -> str:
    return uuid.uuid4().hex


def now() -> datetime:
    return datetime.now(UTC)


def hash_token(token: str) -> str:
    # Tokens are 256-bit random strings, so a fast hash is enough; only the hash is stored.
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@dataclass(frozen=True, kw_only=True)
class UserRow:
    id: str
    name: str
    role: str
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class ConversationRow:
    id: str
    user_id: str
    title: str
    active_leaf_id: str | None
    message_count: int
    created_at: datetime
    updated_at: datetime
    ended_branches: int = 0
    crisis_branches: int = 0


@dataclass(frozen=True, kw_only=True)
class MessageRow:
    id: str
    conversation_id: str
    parent_id: str | None
    seq: int
    depth: int
    role: Role
    content: str
    assessment: dict[str, Any] | None
    decision: dict[str, Any] | None
    end_requested: bool
    responder: str | None
    state: PathState
    created_at: datetime
    signals: dict[str, Any] | None = None
    review: dict[str, Any] | None = None  # an operator's review of the ending this message caused

    @property
    def reinstated(self) -> bool:
        return bool(self.review and self.review.get("outcome") == "reinstated")


@dataclass(frozen=True, kw_only=True)
class FeedbackRow:
    id: str
    conversation_id: str
    message_id: str
    user_id: str
    rating: str | None
    comment: str
    dispute: bool
    created_at: datetime


@dataclass(frozen=True, kw_only=True)
class AuditRow:
    id: str
    created_at: datetime
    actor: str
    action: str
    conversation_id: str | None
    message_id: str | None
    details: dict[str, Any]


def _message(row: Any) -> MessageRow:
    m = row._mapping
    return MessageRow(
        id=m["id"], conversation_id=m["conversation_id"], parent_id=m["parent_id"], seq=m["seq"],
        depth=m["depth"], role=m["role"], content=m["content"], assessment=m["assessment"],
        decision=m["decision"], end_requested=bool(m["end_requested"]), responder=m["responder"],
        state=PathState.from_dict(m["state"]), created_at=m["created_at"], signals=m["signals"],
        review=m["review"],
    )


def _conversation(row: Any) -> ConversationRow:
    return ConversationRow(**dict(row._mapping))


def _walk_up(columns: str) -> str:
    """Up to ``:limit`` messages ending at ``:id``, oldest first, in one recursive query, however deep."""
    return f"""
    WITH RECURSIVE anc(id, parent_id, n) AS (
        SELECT id, parent_id, 1 FROM messages WHERE id = :id AND conversation_id = :cid
        UNION ALL
        SELECT m.id, m.parent_id, anc.n + 1 FROM messages m JOIN anc ON m.id = anc.parent_id
        WHERE anc.n < :limit
    )
    SELECT {columns} FROM messages JOIN anc ON messages.id = anc.id ORDER BY anc.n DESC
    """


# Typed columns, so JSON and datetimes are decoded as in the other queries.
_ANCESTORS = text(_walk_up("messages.*")).columns(*messages.c)
# The texts a responder and the assessor see: role and content only. Decoding whole rows (three JSON columns
# and a PathState each) for up to ``history_limit`` messages was the largest store cost of a turn.
_HISTORY = text(_walk_up("messages.role, messages.content"))

# The statements of a turn, built once. SQLAlchemy caches the compiled SQL either way, but building a statement
# and computing its cache key on every call was about a tenth of a turn's CPU in the profile; a statement built
# here keeps its cache key.
_USER_COLUMNS = (users.c.id, users.c.name, users.c.role, users.c.created_at)
_USER_BY_TOKEN = select(*_USER_COLUMNS).where(users.c.token_hash == bindparam("key"))
_USER_BY_ID = select(*_USER_COLUMNS).where(users.c.id == bindparam("key"))
_USER_BY_NAME = select(*_USER_COLUMNS).where(users.c.name == bindparam("key"))
_CONVERSATION = select(conversations).where(conversations.c.id == bindparam("cid"),
                                            conversations.c.user_id == bindparam("uid"))
_CONVERSATION_LOCKED = _CONVERSATION.with_for_update()  # a no-op on SQLite, where BEGIN IMMEDIATE serialises writers
_MESSAGE = select(messages).where(messages.c.id == bindparam("mid"), messages.c.conversation_id == bindparam("cid"))
_INSERT_MESSAGE = insert(messages)
# One statement takes the conversation's next seq and makes the new message its active leaf; on PostgreSQL the
# UPDATE also takes the row lock, so two writers of one conversation can never get the same seq.
_ADVANCE = (update(conversations).where(conversations.c.id == bindparam("cid"))
            .values(message_count=conversations.c.message_count + 1, active_leaf_id=bindparam("leaf"),
                    updated_at=bindparam("at"), ended_branches=conversations.c.ended_branches + bindparam("ended"),
                    crisis_branches=conversations.c.crisis_branches + bindparam("crisis")))
_ADVANCE_RETURNING = _ADVANCE.returning(conversations.c.message_count)
_MESSAGE_COUNT = select(conversations.c.message_count).where(conversations.c.id == bindparam("cid"))


class Tx:
    """One transaction's view of the store."""

    def __init__(self, conn: Connection) -> None:
        self.conn = conn

    # -- users -----------------------------------------------------------------------------------------------
    def add_user(self, name: str, token: str, role: str = "user") -> UserRow:
        user = UserRow(id=new_id(), name=name, role=role, created_at=now())
        self.conn.execute(insert(users).values(token_hash=hash_token(token), **user.__dict__))
        return user

    def user_by_token(self, token: str) -> UserRow | None:
        return self._user(_USER_BY_TOKEN, hash_token(token))

    def user_by_id(self, user_id: str) -> UserRow | None:
        return self._user(_USER_BY_ID, user_id)

    def user_by_name(self, name: str) -> UserRow | None:
        return self._user(_USER_BY_NAME, name)

    def _user(self, query: Any, key: str) -> UserRow | None:
        row = self.conn.execute(query, {"key": key}).first()
        if row is None:
            return None
        m = row._mapping
        return UserRow(id=str(m["id"]), name=str(m["name"]), role=str(m["role"]), created_at=m["created_at"])

    # -- conversations ---------------------------------------------------------------------------------------
    def create_conversation(self, user_id: str, title: str = "") -> ConversationRow:
        ts = now()
        row = ConversationRow(id=new_id(), user_id=user_id, title=title, active_leaf_id=None, message_count=0,
                              created_at=ts, updated_at=ts)
        self.conn.execute(insert(conversations).values(**row.__dict__))
        return row

    def get_conversation(self, conversation_id: str, user_id: str, *, lock: bool = False) -> ConversationRow | None:
        """The conversation if it belongs to ``user_id``. ``lock`` takes its row lock until commit."""
        row = self.conn.execute(_CONVERSATION_LOCKED if lock else _CONVERSATION,
                                {"cid": conversation_id, "uid": user_id}).first()
        return _conversation(row) if row else None

    def list_conversations(self, user_id: str, *, limit: int = 50, offset: int = 0) -> list[ConversationRow]:
        rows = self.conn.execute(
            select(conversations).where(conversations.c.user_id == user_id)
            .order_by(conversations.c.updated_at.desc(), conversations.c.id).limit(limit).offset(offset)
        )
        return [_conversation(r) for r in rows]

    def set_active_leaf(self, conversation_id: str, leaf_id: str | None) -> None:
        self.conn.execute(update(conversations).where(conversations.c.id == conversation_id)
                          .values(active_leaf_id=leaf_id, updated_at=now()))

    # -- messages --------------------------------------------------------------------------------------------
    def get_message(self, conversation_id: str, message_id: str) -> MessageRow | None:
        row = self.conn.execute(_MESSAGE, {"mid": message_id, "cid": conversation_id}).first()
        return _message(row) if row else None

    def ancestors(self, conversation_id: str, message_id: str, limit: int) -> list[MessageRow]:
        """Up to ``limit`` messages ending at ``message_id``, oldest first (one query, however deep)."""
        rows = self.conn.execute(_ANCESTORS, {"id": message_id, "cid": conversation_id, "limit": limit})
        return [_message(r) for r in rows]

    def history(self, conversation_id: str, message_id: str, limit: int) -> list[tuple[Role, str]]:
        """Role and text of up to ``limit`` messages ending at ``message_id``, oldest first (one query)."""
        rows = self.conn.execute(_HISTORY, {"id": message_id, "cid": conversation_id, "limit": limit})
        return [(row[0], row[1]) for row in rows]

    def path(self, conversation_id: str, leaf_id: str) -> list[MessageRow]:
        return self.ancestors(conversation_id, leaf_id, limit=2**31 - 1)

    def messages(self, conversation_id: str) -> list[MessageRow]:
        rows = self.conn.execute(select(messages).where(messages.c.conversation_id == conversation_id)
                                 .order_by(messages.c.seq))
        return [_message(r) for r in rows]

    def children(self, conversation_id: str, parent_id: str | None) -> list[MessageRow]:
        parent = messages.c.parent_id.is_(None) if parent_id is None else messages.c.parent_id == parent_id
        rows = self.conn.execute(select(messages).where(messages.c.conversation_id == conversation_id, parent)
                                 .order_by(messages.c.seq))
        return [_message(r) for r in rows]

    def latest_leaf_under(self, conversation_id: str, message_id: str) -> str:
        """Follow the newest child down from ``message_id`` to a leaf."""
        node = message_id
        while True:
            child = self.conn.execute(
                select(messages.c.id).where(messages.c.conversation_id == conversation_id,
                                            messages.c.parent_id == node)
                .order_by(messages.c.seq.desc()).limit(1)
            ).scalar()
            if child is None:
                return node
            node = child

    def insert_message(
        self,
        conversation: ConversationRow,
        *,
        parent: MessageRow | None,
        role: Role,
        content: str,
        state: PathState,
        assessment: dict[str, Any] | None = None,
        decision: dict[str, Any] | None = None,
        end_requested: bool = False,
        responder: str | None = None,
        signals: dict[str, Any] | None = None,
    ) -> MessageRow:
        """Insert a message and make it the active leaf. The caller holds the write lock (``Store.write()``).

        A message that ends its path, or starts a crisis on it, is counted on the conversation."""
        before = parent.state if parent else PathState()
        ts, message_id = now(), new_id()
        advance = {"cid": conversation.id, "leaf": message_id, "at": ts,
                   "ended": int(state.ended and not before.ended), "crisis": int(state.crisis and not before.crisis)}
        if self.conn.dialect.update_returning:
            seq = self.conn.execute(_ADVANCE_RETURNING, advance).scalar_one()
        else:  # SQLite before 3.35
            self.conn.execute(_ADVANCE, advance)
            seq = self.conn.execute(_MESSAGE_COUNT, {"cid": conversation.id}).scalar_one()
        row = MessageRow(
            id=message_id, conversation_id=conversation.id, parent_id=parent.id if parent else None, seq=seq,
            depth=parent.depth + 1 if parent else 1, role=role, content=content, assessment=assessment,
            decision=decision, end_requested=end_requested, responder=responder, state=state, created_at=ts,
            signals=signals,
        )
        values = dict(row.__dict__)
        values["state"] = state.to_dict()
        self.conn.execute(_INSERT_MESSAGE, values)
        return row

    def message_by_id(self, message_id: str) -> MessageRow | None:
        """A message of any conversation (operator use: no owner check)."""
        row = self.conn.execute(select(messages).where(messages.c.id == message_id)).first()
        return _message(row) if row else None

    def conversation_by_id(self, conversation_id: str, *, lock: bool = False) -> ConversationRow | None:
        """A conversation of any user (operator use: no owner check)."""
        query = select(conversations).where(conversations.c.id == conversation_id)
        row = self.conn.execute(query.with_for_update() if lock else query).first()
        return _conversation(row) if row else None

    def user_name(self, user_id: str) -> str | None:
        return self.conn.execute(select(users.c.name).where(users.c.id == user_id)).scalar()

    def set_review(self, message_id: str, review: dict[str, Any]) -> None:
        self.conn.execute(update(messages).where(messages.c.id == message_id).values(review=review))

    def set_state(self, message_id: str, state: PathState) -> None:
        """Replace a message's cached state with a fresh fold (after an operator review changed an input)."""
        self.conn.execute(update(messages).where(messages.c.id == message_id).values(state=state.to_dict()))

    def add_to_ended_branches(self, conversation_id: str, delta: int) -> None:
        self.conn.execute(update(conversations).where(conversations.c.id == conversation_id)
                          .values(ended_branches=conversations.c.ended_branches + delta))

    def feedback_on(self, message_ids: list[str]) -> list[FeedbackRow]:
        rows = self.conn.execute(select(feedback).where(feedback.c.message_id.in_(message_ids))
                                 .order_by(feedback.c.created_at, feedback.c.id))
        return [FeedbackRow(**dict(r._mapping)) for r in rows]

    def audit_by_action(self, actions: tuple[str, ...], limit: int = 10_000) -> list[AuditRow]:
        """Newest first."""
        query = (select(audit_log).where(audit_log.c.action.in_(actions))
                 .order_by(audit_log.c.created_at.desc(), audit_log.c.id).limit(limit))
        return [AuditRow(**dict(r._mapping)) for r in self.conn.execute(query)]

    def count_decisions(self) -> Counter[str]:
        """Assistant replies by the action of the decision they were written for (e.g. crisis support turns)."""
        rows = self.conn.execute(select(messages.c.decision).where(messages.c.role == "assistant",
                                                                  messages.c.decision.is_not(None)))
        return Counter(str(d["action"]) for (d,) in rows if d and d.get("action"))

    def count_feedback(self, *, dispute: bool) -> int:
        return int(self.conn.execute(select(func.count()).select_from(feedback)
                                     .where(feedback.c.dispute.is_(dispute))).scalar_one())

    def count_messages(self, conversation_id: str) -> int:
        return int(self.conn.execute(select(func.count()).select_from(messages)
                                     .where(messages.c.conversation_id == conversation_id)).scalar_one())

    # -- feedback --------------------------------------------------------------------------------------------
    def add_feedback(self, *, conversation_id: str, message_id: str, user_id: str, rating: str | None,
                     comment: str, dispute: bool) -> FeedbackRow:
        row = FeedbackRow(id=new_id(), conversation_id=conversation_id, message_id=message_id, user_id=user_id,
                          rating=rating, comment=comment, dispute=dispute, created_at=now())
        self.conn.execute(insert(feedback).values(**row.__dict__))
        return row

    def feedback_for(self, conversation_id: str) -> list[FeedbackRow]:
        rows = self.conn.execute(select(feedback).where(feedback.c.conversation_id == conversation_id)
                                 .order_by(feedback.c.created_at, feedback.c.id))
        return [FeedbackRow(**dict(r._mapping)) for r in rows]


    # -- audit log -------------------------------------------------------------------------------------------
    def audit(self, *, actor: str, action: str, conversation_id: str | None = None, message_id: str | None = None,
              details: dict[str, Any] | None = None) -> AuditRow:
        row = AuditRow(id=new_id(), created_at=now(), actor=actor, action=action, conversation_id=conversation_id,
                       message_id=message_id, details=details or {})
        self.conn.execute(insert(audit_log).values(**row.__dict__))
        return row

    def audit_entries(self, conversation_id: str | None = None, limit: int = 1000) -> list[AuditRow]:
        query = select(audit_log).order_by(audit_log.c.created_at, audit_log.c.id).limit(limit)
        if conversation_id is not None:
            query = query.where(audit_log.c.conversation_id == conversation_id)
        return [AuditRow(**dict(r._mapping)) for r in self.conn.execute(query)]


    # -- proxy paths -----------------------------------------------------------------------------------------
    def proxy_nodes(self, user_id: str, chain_hashes: list[str]) -> dict[str, tuple[str, str | None]]:
        """The known ``chain_hashes`` of ``user_id``: hash -> (conversation id, message id or None)."""
        if not chain_hashes:
            return {}
        rows = self.conn.execute(select(proxy_paths.c.chain_hash, proxy_paths.c.conversation_id,
                                        proxy_paths.c.message_id)
                                 .where(proxy_paths.c.user_id == user_id, proxy_paths.c.chain_hash.in_(chain_hashes)))
        return {str(h): (str(c), None if m is None else str(m)) for h, c, m in rows}

    def add_proxy_node(self, user_id: str, chain_hash: str, conversation_id: str, message_id: str | None) -> None:
        """Record a chain hash unless it is known (the first node written for a history keeps it)."""
        exists = self.conn.execute(select(proxy_paths.c.chain_hash).where(
            proxy_paths.c.user_id == user_id, proxy_paths.c.chain_hash == chain_hash)).first()
        if exists is None:
            self.conn.execute(insert(proxy_paths).values(user_id=user_id, chain_hash=chain_hash,
                                                         conversation_id=conversation_id, message_id=message_id,
                                                         created_at=now()))


class Store:
    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        # SQLite has one writer at a time. Threads of this process queue here and are woken the moment the
        # lock is free; waiting in BEGIN IMMEDIATE instead means SQLite's busy handler, which sleeps 1, 2, 5,
        # 10... ms between tries and cut throughput under concurrent turns by more than half. BEGIN IMMEDIATE
        # still guards against other processes on the same file. (Reentrant: a nested write stays an error of
        # SQLite's, as before, not a deadlock here.)
        self._write_lock: threading.RLock | None = threading.RLock() if engine.dialect.name == "sqlite" else None

    @contextmanager
    def write(self) -> Iterator[Tx]:
        if self._write_lock is None:
            with self.engine.begin() as conn:
                yield Tx(conn)
            return
        with self._write_lock, self.engine.begin() as conn:
            yield Tx(conn)

    @contextmanager
    def read(self) -> Iterator[Tx]:
        with self.engine.connect() as conn:
            conn = conn.execution_options(readonly=True)
            with conn.begin():
                yield Tx(conn)

    def close(self) -> None:
        self.engine.dispose()
