"""Kill the server with SIGKILL in the middle of turns, plain and streamed; restart it; check that nothing
acknowledged was lost, no half reply looks complete, the cached state still equals a fresh fold, and an
interrupted turn can be retried."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx

from lastresort.doctor import check
from tests.servers import Server
from tests.test_service import make_service

FULL_REPLY = "This reply takes a while."


def test_sigkill_mid_turn_loses_nothing_acknowledged(database_url: str, tmp_path: Path) -> None:
    crash_db = database_url
    service = make_service(crash_db)
    _, token = service.add_user("crash")
    user = service.local_user("crash")
    headers = {"Authorization": f"Bearer {token}"}
    env = {"LASTRESORT_PLUGINS": "tests.plugins.slow", "LASTRESORT_RESPONDER": "slow",
           "LASTRESORT_TEST_SLOW_DELAY": "0.15"}
    server = Server(crash_db, log=tmp_path / "server.log", **env).start()
    acknowledged: list[str] = []
    conversations: list[str] = []
    lock = threading.Lock()
    stop = threading.Event()

    def streamed_turn(client: httpx.Client, cid: str, text: str) -> None:
        """A streamed turn is acknowledged by its `accepted` event, before the reply has been written."""
        with client.stream("POST", f"/v1/conversations/{cid}/messages?stream=true", json={"content": text}) as r:
            if r.status_code != 200:
                return
            event = ""
            for line in r.iter_lines():
                if line.startswith("event: "):
                    event = line[7:]
                elif line.startswith("data: ") and event == "accepted":
                    with lock:
                        acknowledged.append(json.loads(line[6:])["user_message"]["id"])

    def client_loop(streaming: bool) -> None:
        with httpx.Client(base_url=server.url, headers=headers, timeout=10) as client:
            cid = client.post("/v1/conversations", json={}).json()["id"]
            with lock:
                conversations.append(cid)
            i = 0
            while not stop.is_set():
                i += 1
                try:
                    if streaming:
                        streamed_turn(client, cid, f"message {i}")
                        continue
                    r = client.post(f"/v1/conversations/{cid}/messages", json={"content": f"message {i}"})
                except httpx.HTTPError:
                    return  # the server died under us: this turn was never acknowledged
                if r.status_code == 201:
                    with lock:
                        acknowledged.append(r.json()["user_message"]["id"])

    threads = [threading.Thread(target=client_loop, args=(i % 2 == 0,)) for i in range(6)]  # half of them stream
    for t in threads:
        t.start()
    time.sleep(2.5)  # several turns complete, others are mid-reply
    server.kill()
    stop.set()
    for t in threads:
        t.join(15)
    assert acknowledged, (tmp_path / "server.log").read_text()[-2000:]

    restarted = Server(crash_db, log=tmp_path / "server.log", **env).start()
    try:
        stored = {m.id: m for cid in conversations for m in service.get_conversation(user, cid).messages}
        assert set(acknowledged) <= set(stored), "an acknowledged user message was lost"
        assert all(m.content == FULL_REPLY for m in stored.values() if m.role == "assistant")
        report = check(service.store)
        assert report.ok, report.problems
        interrupted = [m for m in stored.values() if m.role == "user" and m.state.awaiting_reply
                       and not any(c.parent_id == m.id for c in stored.values())]
        assert interrupted, "the kill landed between turns; no turn was interrupted"
        with httpx.Client(base_url=restarted.url, headers=headers, timeout=30) as client:
            for m in interrupted:
                r = client.post(f"/v1/conversations/{m.conversation_id}/messages/{m.id}/retry")
                assert r.status_code == 201 and r.json()["assistant_message"]["content"] == FULL_REPLY
                r = client.post(f"/v1/conversations/{m.conversation_id}/messages", json={"content": "and on"})
                assert r.status_code == 201
        assert check(service.store).ok
        print(f"\ncrash test ({crash_db.split(':')[0]}): {len(acknowledged)} acknowledged turns kept, "
              f"{len(interrupted)} interrupted turns completed by retry")
    finally:
        restarted.stop()
        service.store.close()
