"""Server-sent events on the API: accepted, deltas, done or error; nothing half-stored."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from lastresort.api.app import create_app
from lastresort.responders.base import ReplyEvent, ReplyRequest, TextDelta
from lastresort.responders.offline import OfflineResponder
from lastresort.service import ConversationService
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store
from tests.conftest import TaggedAssessor


class BreaksAfterTwoPieces:
    """A responder whose connection drops mid-reply (as a provider's stream can)."""

    name = "breaks"

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        yield TextDelta("Half a ")
        yield TextDelta("reply")
        raise ConnectionResetError("peer went away")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ConversationService]:
    engine = create_store_engine(f"sqlite:///{tmp_path}/sse.db")
    upgrade(engine)
    svc = ConversationService(Store(engine), assessor=TaggedAssessor(), responder=OfflineResponder())
    yield svc
    svc.store.close()


def parse_sse(text: str) -> list[tuple[str, Any]]:
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def setup(client: TestClient, service: ConversationService) -> tuple[dict[str, str], str]:
    _, token = service.add_user("streamer")
    h = {"Authorization": f"Bearer {token}"}
    cid = client.post("/v1/conversations", json={}, headers=h).json()["id"]
    return h, cid


def test_a_streamed_turn_sends_accepted_deltas_and_done_and_stores_the_same_reply(
    service: ConversationService,
) -> None:
    client = TestClient(create_app(service=service))
    h, cid = setup(client, service)
    r = client.post(f"/v1/conversations/{cid}/messages?stream=true", json={"content": "you idiot [abuse]"},
                    headers=h)
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream")
    events = parse_sse(r.text)
    names = [name for name, _ in events]
    assert names[0] == "accepted" and names[-1] == "done" and "delta" in names
    accepted, done = events[0][1], events[-1][1]
    assert accepted["decision"]["action"] == "redirect" and accepted["user_message"]["role"] == "user"
    text = "".join(data["text"] for name, data in events if name == "delta")
    assert done["assistant_message"]["content"] == text.strip() and done["assistant_message"]["action"] == "redirect"
    stored = client.get(f"/v1/conversations/{cid}", headers=h).json()
    assert stored["active_path"][-1] == done["assistant_message"]["id"]


def test_accept_header_also_streams_and_a_retry_streams(service: ConversationService) -> None:
    client = TestClient(create_app(service=service))
    h, cid = setup(client, service)
    first = client.post(f"/v1/conversations/{cid}/messages", json={"content": "hi"}, headers=h).json()
    r = client.post(f"/v1/conversations/{cid}/messages/{first['assistant_message']['id']}/retry",
                    headers={**h, "Accept": "text/event-stream"})
    events = parse_sse(r.text)
    assert events[0][1]["user_message"] is None and events[0][1]["reply_to"] == first["user_message"]["id"]
    assert events[-1][0] == "done" and events[-1][1]["assistant_message"]["id"] != first["assistant_message"]["id"]


def test_an_ended_conversation_is_refused_before_the_stream_starts(service: ConversationService) -> None:
    client = TestClient(create_app(service=service))
    h, cid = setup(client, service)
    client.post(f"/v1/conversations/{cid}/messages", json={"content": "bye [end_request=0.99]"}, headers=h)
    r = client.post(f"/v1/conversations/{cid}/messages?stream=true", json={"content": "hello?"}, headers=h)
    assert r.status_code == 409 and r.json()["error"] == "conversation_ended"


def test_a_broken_stream_ends_with_an_error_event_keeps_the_user_message_and_retry_works(
    service: ConversationService,
) -> None:
    service.responder = BreaksAfterTwoPieces()
    client = TestClient(create_app(service=service))
    h, cid = setup(client, service)
    r = client.post(f"/v1/conversations/{cid}/messages?stream=true", json={"content": "hello"}, headers=h)
    events = parse_sse(r.text)
    assert [name for name, _ in events] == ["accepted", "delta", "delta", "error"]
    assert events[-1][1]["error"] == "responder_error" and events[-1][1]["status"] == 502
    detail = client.get(f"/v1/conversations/{cid}", headers=h).json()
    assert [m["role"] for m in detail["messages"]] == ["user"]  # no half reply stored
    assert detail["state"]["awaiting_reply"] is True
    service.responder = OfflineResponder()
    user_id = events[0][1]["user_message"]["id"]
    retried = client.post(f"/v1/conversations/{cid}/messages/{user_id}/retry?stream=true", headers=h)
    assert parse_sse(retried.text)[-1][0] == "done"


def test_openapi_documents_the_event_stream(service: ConversationService) -> None:
    spec = TestClient(create_app(service=service)).get("/openapi.json").json()
    post = spec["paths"]["/v1/conversations/{conversation_id}/messages"]["post"]
    assert "text/event-stream" in post["responses"]["200"]["content"]
    assert any(p["name"] == "stream" for p in post["parameters"])


def test_every_assistant_message_carries_the_decision_it_was_written_for(service: ConversationService) -> None:
    client = TestClient(create_app(service=service))
    h, cid = setup(client, service)
    for _ in range(3):
        client.post(f"/v1/conversations/{cid}/messages", json={"content": "you idiot [abuse]"}, headers=h)
    detail = client.get(f"/v1/conversations/{cid}", headers=h).json()
    replies = [m for m in detail["messages"] if m["role"] == "assistant"]
    last = replies[-1]["decision"]
    assert last["action"] == "warn" and last["category"] == "abuse" and last["scores"] == {"abuse": 0.9}
    assert last["pushbacks"] == 2 and last["warnings"] == 1 and last["evidence_turns"] == [1, 2, 3]
    assert "explicit warning" in last["explanation"] and replies[-1]["end_requested"] is False
    assert detail["state"]["recoveries"] == 0
