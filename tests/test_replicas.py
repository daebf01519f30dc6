"""Two ``lastresort serve`` replicas on one PostgreSQL database, raced over HTTP.

A client ends a chat on one replica while others post to the same branch on both. No message may be accepted
after the end, and every rejected post gets 409. The count of rounds is 1,000 on CI (``LASTRESORT_RACES``
overrides; ``benchmarks/reliability.py`` runs 10,000). The replicas run the built-in assessor, whose few
milliseconds before the lock keep the window for a racing post wide; the setup turns, which race nothing, use
the rule layer (both read "you are a useless idiot" as abuse).
"""

from __future__ import annotations

import os
import random
import threading
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from lastresort.bootstrap import open_service
from lastresort.config import Settings
from lastresort.doctor import check
from tests.servers import Server
from tests.test_service import make_service

pytestmark = pytest.mark.postgres

CI = os.environ.get("CI", "").lower() in ("1", "true")
RACES = int(os.environ.get("LASTRESORT_RACES", "1000" if CI else "150"))


@pytest.fixture
def replicas(pg_url: str, tmp_path: Path) -> Iterator[list[Server]]:
    make_service(pg_url).store.close()  # migrate once before two processes start
    # The tagged test assessor is not a plugin, so the replicas use the built-in one: "you idiot" is abuse.
    servers = [Server(pg_url, log=tmp_path / f"replica{i}.log").start() for i in range(2)]
    yield servers
    for s in servers:
        s.stop()


def test_posts_racing_an_end_across_two_replicas(replicas: list[Server], pg_url: str) -> None:
    service = open_service(Settings(database_url=pg_url, assessor="rules"))  # setup turns only: see the docstring
    user, token = service.add_user("racer")
    headers = {"Authorization": f"Bearer {token}"}
    # Pooled connections expire before uvicorn's 5 s keep-alive does: a connection idle through a few races would
    # otherwise be closed by the server just as a post reuses it ("connection reset by peer", seen once in CI).
    clients = [httpx.Client(base_url=s.url, headers=headers, timeout=30, limits=httpx.Limits(keepalive_expiry=2.0))
               for s in replicas]
    statuses: Counter[str] = Counter()
    violations = 0
    rng = random.Random(7)
    for _ in range(RACES):
        conv = service.create_conversation(user)
        for _ in range(3):  # redirect, redirect, warn: the next abusive turn ends the chat
            service.post_message(user, conv.id, "you are a useless idiot")
        barrier = threading.Barrier(4)
        results: list[tuple[str, int, str]] = []
        lock = threading.Lock()

        def post(kind: str, text: str, conv_id: str = conv.id, barrier: threading.Barrier = barrier,
                 results: list[tuple[str, int, str]] = results, lock: threading.Lock = lock) -> None:
            client = clients[rng.randrange(2)]
            barrier.wait()
            for _ in range(2):
                r = client.post(f"/v1/conversations/{conv_id}/messages", json={"content": text})
                with lock:
                    results.append((kind, r.status_code, r.json().get("error", "") if r.status_code != 201 else ""))

        threads = [threading.Thread(target=post, args=("end", "shut up, you stupid bot"))]
        threads += [threading.Thread(target=post, args=("post", f"hello number {i}")) for i in range(3)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        for _kind, status, error in results:
            statuses[f"{status} {error}".strip()] += 1
            if status not in (201, 409):
                violations += 1
        view = service.get_conversation(user, conv.id)
        by_id = {m.id: m for m in view.messages}
        for m in view.messages:
            parent = by_id.get(m.parent_id) if m.parent_id else None
            if m.role == "user" and parent is not None and parent.state.ended:
                violations += 1  # a message accepted after the end
    report = check(service.store)
    print(f"\nreplica races: {RACES}, responses: {dict(statuses)}, violations: {violations}, "
          f"doctor problems: {len(report.problems)}")
    assert violations == 0 and report.ok
    assert statuses["201"] > 0 and statuses["409 conversation_ended"] > 0
    for c in clients:
        c.close()
    service.store.close()


def test_concurrent_edits_retries_and_feedback_across_replicas(replicas: list[Server], pg_url: str) -> None:
    service = make_service(pg_url)
    user, token = service.add_user("editor")
    headers = {"Authorization": f"Bearer {token}"}
    conv = service.create_conversation(user)
    first = service.post_message(user, conv.id, "hello")
    service.post_message(user, conv.id, "and then")
    assert first.user_message is not None
    edit_of, reply_id = first.user_message.id, first.assistant_message.id
    calls: list[tuple[str, dict[str, object]]] = []
    for i in range(10):
        calls.append((f"/v1/conversations/{conv.id}/messages", {"content": f"edit {i}", "edit_of": edit_of}))
        calls.append((f"/v1/conversations/{conv.id}/messages/{reply_id}/retry", {}))
        calls.append((f"/v1/conversations/{conv.id}/messages/{reply_id}/feedback", {"rating": "up",
                                                                                   "comment": f"c{i}"}))
    codes: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(len(calls))

    def call(i: int, url: str, body: dict[str, object]) -> None:
        with httpx.Client(base_url=replicas[i % 2].url, headers=headers, timeout=30) as client:
            barrier.wait()
            r = client.post(url, json=body)
        with lock:
            codes.append(r.status_code)

    threads = [threading.Thread(target=call, args=(i, url, body)) for i, (url, body) in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert codes.count(201) == len(calls), Counter(codes)
    view = service.get_conversation(user, conv.id)
    users_at_root = [m for m in view.messages if m.role == "user" and m.parent_id is None]
    replies = [m for m in view.messages if m.parent_id == edit_of]
    assert len(users_at_root) == 11 and len(replies) == 11 and len(view.feedback) == 10
    assert len({m.seq for m in view.messages}) == len(view.messages)  # no two messages got the same seq
    assert check(service.store).ok
    service.store.close()
