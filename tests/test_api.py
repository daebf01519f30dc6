"""The JSON API through Starlette's TestClient, on a real SQLite store."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from lastresort.api.app import create_app
from lastresort.service import ConversationService

ABUSE = "you are useless [abuse]"


@pytest.fixture
def service(tagged_service: ConversationService) -> ConversationService:
    return tagged_service


@pytest.fixture
def client(service: ConversationService) -> TestClient:
    return TestClient(create_app(service=service))


def auth(service: ConversationService, name: str) -> dict[str, str]:
    _, token = service.add_user(name)
    return {"Authorization": f"Bearer {token}"}


def new_chat(client: TestClient, headers: dict[str, str]) -> str:
    r = client.post("/v1/conversations", json={"title": "t"}, headers=headers)
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def post(client: TestClient, headers: dict[str, str], cid: str, content: str, **extra: Any) -> Any:
    return client.post(f"/v1/conversations/{cid}/messages", json={"content": content, **extra}, headers=headers)


def assert_error(r: Any, status: int, code: str) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body: dict[str, Any] = r.json()
    assert body["error"] == code and body["status"] == status and body["message"]
    return body


def test_story_abuse_warn_end_locked_new_chat_branch_feedback(client: TestClient,
                                                              service: ConversationService) -> None:
    h = auth(service, "alice")
    cid = new_chat(client, h)
    actions = [post(client, h, cid, ABUSE).json()["assistant_message"]["action"] for _ in range(4)]
    assert actions == ["redirect", "redirect", "warn", "end"]

    detail = client.get(f"/v1/conversations/{cid}", headers=h).json()
    state = detail["state"]
    assert state["status"] == "ended" and state["ending"]["reason"] == "abuse"
    assert state["ending_message_id"] == detail["active_path"][-1]
    assert [e["action"] for e in state["ending"]["evidence"]] == ["redirect", "redirect", "warn", "end"]

    body = assert_error(post(client, h, cid, "hello?"), 409, "conversation_ended")
    assert body["ending"]["turn"] == 4 and "new chat" in body["message"]
    assert len(client.get(f"/v1/conversations/{cid}", headers=h).json()["messages"]) == 8

    other = new_chat(client, h)
    assert post(client, h, other, "hi").status_code == 201

    first_user = detail["active_path"][0]
    r = post(client, h, cid, "let's start over", edit_of=first_user)
    assert r.status_code == 201 and r.json()["state"]["status"] == "open"
    new_id = r.json()["user_message"]["id"]
    messages = client.get(f"/v1/conversations/{cid}", headers=h).json()["messages"]
    assert len(messages) == 10
    assert next(m for m in messages if m["id"] == new_id)["sibling_ids"] == [first_user, new_id]

    ending_id = state["ending_message_id"]
    r = client.post(f"/v1/conversations/{cid}/messages/{ending_id}/feedback",
                    json={"rating": "down", "comment": "unfair", "dispute": True}, headers=h)
    assert r.status_code == 201 and r.json()["dispute"] is True

    r = client.put(f"/v1/conversations/{cid}/active", json={"message_id": ending_id}, headers=h)
    assert r.status_code == 200 and r.json()["state"]["status"] == "ended"


def test_a_check_in_answers_never_ends_and_a_second_signal_gets_support(client: TestClient,
                                                                          service: ConversationService) -> None:
    h = auth(service, "dana")
    cid = client.post("/v1/conversations", json={}, headers=h).json()["id"]
    turn = client.post(f"/v1/conversations/{cid}/messages", json={"content": "meal ideas? [self_harm_risk=0.5]"},
                       headers=h).json()
    assert turn["state"]["decision"]["action"] == "check_in"
    assert (turn["state"]["crisis"], turn["state"]["crisis_turns"], turn["state"]["check_ins"]) == (True, 0, 1)
    for _ in range(5):  # abuse on the path is never a reason to end it now
        turn = client.post(f"/v1/conversations/{cid}/messages", json={"content": ABUSE}, headers=h).json()
    assert turn["state"]["status"] == "open"
    turn = client.post(f"/v1/conversations/{cid}/messages", json={"content": "[self_harm_risk=0.4]"},
                       headers=h).json()
    assert turn["state"]["decision"]["action"] == "crisis_support" and turn["state"]["crisis_turns"] >= 1
    welfare = client.get(f"/v1/conversations/{cid}/welfare", headers=h).json()
    assert welfare["check_in_turns"] == 1


def test_retry_and_list(client: TestClient, service: ConversationService) -> None:
    h = auth(service, "bob")
    cid = new_chat(client, h)
    reply = post(client, h, cid, "hello").json()["assistant_message"]
    r = client.post(f"/v1/conversations/{cid}/messages/{reply['id']}/retry", headers=h)
    assert r.status_code == 201 and r.json()["assistant_message"]["parent_id"] == reply["parent_id"]
    detail = client.get(f"/v1/conversations/{cid}", headers=h).json()
    assert [m["sibling_count"] for m in detail["messages"] if m["role"] == "assistant"] == [2, 2]
    listed = client.get("/v1/conversations", headers=h).json()["conversations"]
    assert [c["id"] for c in listed] == [cid]


def test_other_users_get_404_everywhere(client: TestClient, service: ConversationService) -> None:
    alice, eve = auth(service, "alice"), auth(service, "eve")
    cid = new_chat(client, alice)
    mid = post(client, alice, cid, "secret").json()["assistant_message"]["id"]
    calls = [
        ("get", f"/v1/conversations/{cid}", None),
        ("post", f"/v1/conversations/{cid}/messages", {"content": "hi"}),
        ("post", f"/v1/conversations/{cid}/messages/{mid}/retry", None),
        ("put", f"/v1/conversations/{cid}/active", {"message_id": mid}),
        ("post", f"/v1/conversations/{cid}/messages/{mid}/feedback", {"rating": "up"}),
    ]
    for method, url, body in calls:
        r = client.request(method, url, json=body, headers=eve)
        assert_error(r, 404, "conversation_not_found")


def test_auth_is_required(client: TestClient) -> None:
    assert_error(client.get("/v1/conversations"), 401, "unauthorized")
    assert_error(client.get("/v1/conversations", headers={"Authorization": "Bearer nope"}), 401, "unauthorized")
    assert_error(client.get("/v1/conversations", headers={"Authorization": "Basic x"}), 401, "unauthorized")


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({"content": ""}, 422, "invalid_request"),
        ({"content": "x" * 16_001}, 422, "invalid_request"),
        ({"content": 42}, 422, "invalid_request"),
        ({}, 422, "invalid_request"),
        ({"content": "hi", "unknown": 1}, 422, "invalid_request"),
        ({"content": "hi", "parent_id": "f" * 32}, 404, "message_not_found"),
        ({"content": "a\u0007bell"}, 422, "invalid_request"),
    ],
)
def test_bad_messages_get_a_clear_4xx_and_change_nothing(client: TestClient, service: ConversationService,
                                                         body: dict[str, Any], status: int, code: str) -> None:
    h = auth(service, "carol")
    cid = new_chat(client, h)
    post(client, h, cid, "hello")
    before = client.get(f"/v1/conversations/{cid}", headers=h).json()
    assert_error(client.post(f"/v1/conversations/{cid}/messages", json=body, headers=h), status, code)
    assert client.get(f"/v1/conversations/{cid}", headers=h).json() == before


@pytest.mark.parametrize(
    ("url", "body", "says"),
    [
        ("messages", {"content": "   \n\t"}, "body.content: must contain visible text and no control characters"),
        ("messages", {"content": "hi\u0000there"}, "body.content: must contain visible text and no control"),
        ("", {"title": "a\u001bb"}, "body.title: must not contain control characters (tab and line breaks"),
    ],
)
def test_text_that_breaks_a_pattern_is_explained_in_words(client: TestClient, service: ConversationService,
                                                          url: str, body: dict[str, Any], says: str) -> None:
    h = auth(service, "cyd")
    cid = new_chat(client, h)
    r = client.post(f"/v1/conversations/{cid}/{url}" if url else "/v1/conversations", json=body, headers=h)
    assert_error(r, 422, "invalid_request")
    assert r.json()["message"].startswith(says)
    assert "^[" not in r.text and "u0000" not in r.text  # no regular expression for the client to decode


def test_invalid_utf8_and_oversize_bodies(client: TestClient, service: ConversationService) -> None:
    h = auth(service, "dan")
    cid = new_chat(client, h)
    headers = {**h, "Content-Type": "application/json"}
    r = client.post(f"/v1/conversations/{cid}/messages", content=b'{"content": "\xff\xfe"}', headers=headers)
    assert_error(r, 400, "invalid_json")
    r = client.post(f"/v1/conversations/{cid}/messages", content=b"{not json", headers=headers)
    assert_error(r, 400, "invalid_json")
    big = b'{"content": "' + b"x" * 300_000 + b'"}'
    assert_error(client.post(f"/v1/conversations/{cid}/messages", content=big, headers=headers), 413,
                 "payload_too_large")
    assert client.get(f"/v1/conversations/{cid}", headers=h).json()["messages"] == []


def test_unknown_ids_and_routes(client: TestClient, service: ConversationService) -> None:
    h = auth(service, "erin")
    assert_error(client.get("/v1/conversations/does-not-exist", headers=h), 404, "conversation_not_found")
    assert_error(client.get("/nowhere", headers=h), 404, "not_found")
    cid = new_chat(client, h)
    assert_error(client.put(f"/v1/conversations/{cid}/active", json={"message_id": "x"}, headers=h), 404,
                 "message_not_found")
    r = client.post(f"/v1/conversations/{cid}/messages/abc/feedback", json={"rating": "meh"}, headers=h)
    assert_error(r, 422, "invalid_request")


def test_feedback_rules(client: TestClient, service: ConversationService) -> None:
    h = auth(service, "fay")
    cid = new_chat(client, h)
    turn = post(client, h, cid, "hello").json()
    url = f"/v1/conversations/{cid}/messages/{{}}/feedback"
    assert_error(client.post(url.format(turn["user_message"]["id"]), json={"rating": "up"}, headers=h), 422,
                 "invalid_request")
    assert_error(client.post(url.format(turn["assistant_message"]["id"]), json={"dispute": True}, headers=h), 422,
                 "invalid_request")  # only an ending can be disputed
    assert_error(client.post(url.format(turn["assistant_message"]["id"]), json={}, headers=h), 422,
                 "invalid_request")
    r = client.post(url.format(turn["assistant_message"]["id"]), json={"rating": "up", "comment": "nice"}, headers=h)
    assert r.status_code == 201


def test_openapi_and_health(client: TestClient) -> None:
    assert client.get("/healthz").json()["status"] == "ok"
    paths = client.get("/openapi.json").json()["paths"]
    assert "/v1/conversations/{conversation_id}/messages" in paths
