"""The store on SQLite and on PostgreSQL: tree queries, migrations and the lock under concurrent posts."""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Iterator
from typing import cast

import pytest
import sqlalchemy as sa

from lastresort.core.state import Ending, PathState
from lastresort.errors import Conflict, InvalidInput
from lastresort.responders.offline import OfflineResponder
from lastresort.service import ConversationService
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store
from tests.conftest import TaggedAssessor
from tests.test_service import fold_path


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    engine = create_store_engine(database_url)
    upgrade(engine)
    s = Store(engine)
    yield s
    s.close()


def test_migrations_are_idempotent_and_create_the_schema(store: Store) -> None:
    upgrade(store.engine)
    names = set(sa.inspect(store.engine).get_table_names())
    assert {"users", "conversations", "messages", "feedback", "alembic_version"} <= names


def test_tree_queries(store: Store) -> None:
    with store.write() as tx:
        user = tx.add_user("u", "token-1")
        conv = tx.create_conversation(user.id, "c")
        parent = None
        chain = []
        for i in range(6):
            parent = tx.insert_message(conv, parent=parent, role="user" if i % 2 == 0 else "assistant",
                                       content=f"m{i}", state=PathState(user_turns=i))
            chain.append(parent)
        side = tx.insert_message(conv, parent=chain[1], role="user", content="side", state=PathState())
    with store.read() as tx:
        assert [m.content for m in tx.path(conv.id, chain[-1].id)] == [f"m{i}" for i in range(6)]
        assert [m.content for m in tx.ancestors(conv.id, chain[-1].id, 2)] == ["m4", "m5"]
        assert [m.depth for m in tx.path(conv.id, side.id)] == [1, 2, 3]
        assert [m.content for m in tx.children(conv.id, chain[1].id)] == ["m2", "side"]
        assert tx.latest_leaf_under(conv.id, chain[0].id) == side.id
        assert tx.count_messages(conv.id) == 7
        assert tx.get_conversation(conv.id, user.id).active_leaf_id == side.id  # type: ignore[union-attr]
        assert tx.get_conversation(conv.id, "someone-else") is None
        assert tx.user_by_token("token-1") is not None and tx.user_by_token("token-2") is None
        assert tx.get_message(conv.id, chain[3].id).state == PathState(user_turns=3)  # type: ignore[union-attr]


@pytest.mark.parametrize("returning", [True, False], ids=["update-returning", "without-returning"])
def test_insert_message_takes_the_next_seq_and_counts_branches(store: Store, monkeypatch: pytest.MonkeyPatch,
                                                               returning: bool) -> None:
    # Without RETURNING (SQLite before 3.35) the seq is read back after the UPDATE instead.
    monkeypatch.setattr(store.engine.dialect, "update_returning", returning)
    ended = PathState(ending=Ending(turn=1, reason="abuse", category="abuse", by="policy", explanation="",
                                    pushbacks=0, warnings=0))
    with store.write() as tx:
        user = tx.add_user("seq", "token-seq")
        conv = tx.create_conversation(user.id)
        first = tx.insert_message(conv, parent=None, role="user", content="a", state=PathState(crisis=True))
        second = tx.insert_message(conv, parent=first, role="assistant", content="b", state=PathState(crisis=True))
        side = tx.insert_message(conv, parent=None, role="user", content="c", state=ended)
        after = tx.insert_message(conv, parent=side, role="assistant", content="d", state=ended)
    assert [m.seq for m in (first, second, side, after)] == [1, 2, 3, 4]
    with store.read() as tx:
        row = tx.get_conversation(conv.id, user.id)
        assert [m.seq for m in tx.messages(conv.id)] == [1, 2, 3, 4]
    assert row is not None and row.message_count == 4 and row.active_leaf_id == after.id
    # Counted once per branch: where the crisis began and where the ending happened, not on the messages after.
    assert (row.crisis_branches, row.ended_branches) == (1, 1)


def test_tokens_are_stored_hashed(store: Store) -> None:
    with store.write() as tx:
        tx.add_user("v", "plain-token")
    with store.read() as tx:
        stored = cast(str, tx.conn.exec_driver_sql("SELECT token_hash FROM users").scalar())
    assert stored != "plain-token" and len(stored) == 64


def test_bad_database_urls_get_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="Unsupported database"):
        create_store_engine("mysql://x@localhost/db")
    with pytest.raises(InvalidInput, match="Not a database URL"):
        create_store_engine("::nonsense::")


def test_posts_racing_an_end_never_land_after_it(database_url: str) -> None:
    """Threads post to the active leaf while one of them ends the chat. With the lock, every parent gets at
    most one user child, nothing hangs off an ended path, and every cached state equals a fresh fold."""
    engine = create_store_engine(database_url)
    upgrade(engine)
    service = ConversationService(Store(engine), assessor=TaggedAssessor(), responder=OfflineResponder())
    user = service.local_user("racer")
    outcomes: Counter[str] = Counter()
    rounds = 15
    for _ in range(rounds):
        conv = service.create_conversation(user)
        for _ in range(3):
            service.post_message(user, conv.id, "stop it [abuse]")  # redirect, redirect, warn
        barrier = threading.Barrier(6)

        def poster(text: str, conv_id: str = conv.id, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            for _ in range(3):
                try:
                    service.post_message(user, conv_id, text)
                    outcomes["accepted"] += 1
                except Conflict as exc:
                    outcomes[exc.code] += 1

        threads = [threading.Thread(target=poster, args=("you idiot [abuse]",))]
        threads += [threading.Thread(target=poster, args=(f"hello {i}",)) for i in range(5)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        assert not any(t.is_alive() for t in threads)

        view = service.get_conversation(user, conv.id)
        by_id = {m.id: m for m in view.messages}
        user_children = Counter(m.parent_id for m in view.messages if m.role == "user")
        assert max(user_children.values()) == 1, "two posts to the active leaf both landed"
        for m in view.messages:
            parent = by_id.get(m.parent_id) if m.parent_id else None
            if parent is not None and parent.state.ended:
                assert m.role == "assistant" and m.parent_id == parent.id and parent.role == "user"
            path = [m]
            while path[0].parent_id:
                path.insert(0, by_id[path[0].parent_id])
            assert fold_path(path) == m.state
    assert outcomes["accepted"] > 0 and outcomes["conversation_ended"] + outcomes["reply_pending"] > 0
    service.store.close()
