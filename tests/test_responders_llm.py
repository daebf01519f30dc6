"""The Anthropic and OpenAI-compatible responders against local fake servers speaking each real wire format
(streaming text, tool calls, HTTP errors, mid-stream errors, dropped connections, timeouts)."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from lastresort.config import Settings
from lastresort.core.actions import Action
from lastresort.core.state import Decision, PathState
from lastresort.errors import InvalidInput, ReplyPending, ResponderError
from lastresort.plugins import get_responder
from lastresort.responders.base import EndRequest, ReplyRequest, Responder, TextDelta
from lastresort.service import ConversationService
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store
from tests.conftest import TaggedAssessor
from tests.fake_providers import FakeServer, Script, Tool, anthropic_app, openai_app, serve

PROVIDERS = ["anthropic", "openai"]
ABUSE = "you are useless [abuse]"
KEYS = {"ANTHROPIC_API_KEY": "sk-ant-test", "OPENAI_API_KEY": "sk-test"}


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, FakeServer]]:
    with serve(anthropic_app(a := FakeServer()), a) as anth, serve(openai_app(o := FakeServer()), o, "/v1") as oai:
        yield {"anthropic": anth, "openai": oai}


@pytest.fixture(params=PROVIDERS)
def provider(request: pytest.FixtureRequest, servers: dict[str, FakeServer]) -> str:
    fake = servers[request.param]
    fake.scripts.clear()
    fake.requests.clear()
    fake.headers.clear()
    return str(request.param)


def settings_for(provider: str, fake: FakeServer, tmp_path: Path, **extra: Any) -> Settings:
    values: dict[str, Any] = {"database_url": f"sqlite:///{tmp_path}/llm.db", "responder": provider,
                              f"{provider}_base_url": fake.url, f"{provider}_model": "fake-model",
                              "responder_max_retries": 0, "responder_timeout": 5.0}
    return Settings(**{**values, **extra})


_OPEN: list[Any] = []


@pytest.fixture(autouse=True)
def close_responders() -> Iterator[None]:
    """Every SDK client a test opens is closed after it (an unclosed pool is a ResourceWarning)."""
    yield
    while _OPEN:
        _OPEN.pop().close()


def opened(responder: Any) -> Any:
    _OPEN.append(responder)
    return responder


def make_responder(provider: str, fake: FakeServer, tmp_path: Path, **extra: Any) -> Responder:
    settings = settings_for(provider, fake, tmp_path, **extra)
    if provider == "anthropic":
        from lastresort.responders.anthropic_messages import AnthropicResponder

        return opened(AnthropicResponder.from_settings(settings, KEYS))  # type: ignore[no-any-return]
    from lastresort.responders.openai_chat import OpenAIResponder

    return opened(OpenAIResponder.from_settings(settings, KEYS))  # type: ignore[no-any-return]


@pytest.fixture
def fake(provider: str, servers: dict[str, FakeServer]) -> FakeServer:
    return servers[provider]


@pytest.fixture
def service(provider: str, fake: FakeServer, tmp_path: Path) -> Iterator[ConversationService]:
    engine = create_store_engine(f"sqlite:///{tmp_path}/llm.db")
    upgrade(engine)
    svc = ConversationService(Store(engine), assessor=TaggedAssessor(),
                              responder=make_responder(provider, fake, tmp_path))
    yield svc
    svc.close()


def request_for(action: Action, *, permitted: bool = False, crisis: bool = False,
                history: tuple[tuple[Any, str], ...] = (("user", "hi"),), locale: str | None = None) -> ReplyRequest:
    decision = Decision(turn=1, action=action, end_permitted=permitted)
    return ReplyRequest(decision=decision, state=PathState(crisis=crisis, decision=decision), history=history,
                        locale=locale)


def system_of(provider: str, body: dict[str, Any]) -> str:
    return str(body["system"]) if provider == "anthropic" else str(body["messages"][0]["content"])


def tools_of(provider: str, body: dict[str, Any]) -> list[str]:
    if provider == "anthropic":
        return [t["name"] for t in body.get("tools", [])]
    return [t["function"]["name"] for t in body.get("tools", [])]


# -- the wire format ----------------------------------------------------------------------------------------------
def test_text_streams_piece_by_piece_with_the_steering_prompt_and_the_tool(provider: str, fake: FakeServer,
                                                                         tmp_path: Path) -> None:
    fake.queue(Script(text=("Hello", ", how ", "can I help?")))
    responder = make_responder(provider, fake, tmp_path)
    history = (("assistant", "cut-off reply"), ("user", "hi"), ("assistant", "hello!"), ("user", "and you?"))
    events = list(responder.respond(request_for(Action.REDIRECT, history=history)))
    assert events == [TextDelta("Hello"), TextDelta(", how "), TextDelta("can I help?")]
    body = fake.requests[-1]
    assert body["stream"] is True and body["model"] == "fake-model"
    system = system_of(provider, body)
    assert "Set one calm boundary" in system and "Do not call the end_conversation tool" in system
    assert tools_of(provider, body) == ["end_conversation"]
    chat = body["messages"] if provider == "anthropic" else body["messages"][1:]
    assert [m["role"] for m in chat] == ["user", "assistant", "user"]  # starts with a user turn
    sent = fake.headers[-1]  # the key travels as x-api-key or a bearer token, depending on the SDK version
    assert KEYS[f"{provider.upper()}_API_KEY"] in sent.get("x-api-key", "") + sent.get("authorization", "")


def test_a_tool_call_becomes_an_end_request_after_the_text(provider: str, fake: FakeServer, tmp_path: Path) -> None:
    fake.queue(Script(text=("Goodbye.",), tools=(Tool("end_conversation", json.dumps({"reason": "abuse"})),)))
    responder = make_responder(provider, fake, tmp_path)
    events = list(responder.respond(request_for(Action.END, permitted=True)))
    assert events == [TextDelta("Goodbye."), EndRequest(reason="abuse")]
    assert "You may call the end_conversation tool" in system_of(provider, fake.requests[-1])


def test_crisis_support_gets_resources_and_no_tool(provider: str, fake: FakeServer, tmp_path: Path) -> None:
    fake.queue(Script(text=("I'm here with you.",)))
    responder = make_responder(provider, fake, tmp_path)
    list(responder.respond(request_for(Action.CRISIS_SUPPORT, crisis=True, locale="en-GB")))
    body = fake.requests[-1]
    assert "tools" not in body
    system = system_of(provider, body)
    assert "Samaritans: call 116 123" in system and "Never end the conversation" in system


def test_a_check_in_answers_with_resources_at_hand_and_no_tool(provider: str, fake: FakeServer,
                                                                tmp_path: Path) -> None:
    fake.queue(Script(text=("Here are three dinners.",)))
    list(make_responder(provider, fake, tmp_path).respond(request_for(Action.CHECK_IN, crisis=True, locale="en-GB")))
    body = fake.requests[-1]
    assert "tools" not in body  # a path with a crisis signal never ends
    system = system_of(provider, body)
    assert "answer it helpfully and in full" in system and "Samaritans: call 116 123" in system
    assert "give nothing that could help someone hurt themselves or others" in system
    assert "Earlier in this conversation" not in system


def test_later_turns_keep_support_in_view_after_crisis_support_not_after_a_check_in(
        provider: str, fake: FakeServer, tmp_path: Path) -> None:
    responder = make_responder(provider, fake, tmp_path)
    for crisis_turns, reminded in ((1, True), (0, False)):
        fake.queue(Script(text=("ok",)))
        decision = Decision(turn=2, action=Action.ANSWER)
        state = PathState(crisis=True, crisis_turns=crisis_turns, check_ins=1 - crisis_turns, decision=decision)
        list(responder.respond(ReplyRequest(decision=decision, state=state, history=(("user", "hi"),))))
        assert ("Earlier in this conversation" in system_of(provider, fake.requests[-1])) is reminded


@pytest.mark.parametrize(("action", "phrase"), [
    (Action.ANSWER, "answer the user's message helpfully"),
    (Action.REFUSE, "decline clearly"),
    (Action.WARN, "if it continues you will end this conversation"),
    (Action.CONFIRM_END, "Ask them plainly to confirm"),
])
def test_each_action_steers_the_model(provider: str, fake: FakeServer, tmp_path: Path, action: Action,
                                      phrase: str) -> None:
    fake.queue(Script(text=("ok",)))
    list(make_responder(provider, fake, tmp_path).respond(request_for(action)))
    assert phrase in system_of(provider, fake.requests[-1])


# -- through the service: dual key, and faults that keep the conversation consistent --------------------------
def test_a_model_end_request_on_a_turn_the_policy_does_not_permit_is_recorded_but_not_honoured(
    provider: str, fake: FakeServer, service: ConversationService
) -> None:
    fake.queue(Script(text=("Please keep it civil.",), tools=(Tool("end_conversation", '{"reason": "rude"}'),)))
    user = service.local_user("u")
    conv = service.create_conversation(user)
    turn = service.post_message(user, conv.id, ABUSE)
    assert turn.assistant_message.content == "Please keep it civil."  # the model's text is kept
    assert turn.assistant_message.end_requested and not turn.state.ended
    assert turn.assistant_message.responder == provider


def test_the_policy_end_turn_ends_with_the_models_text(provider: str, fake: FakeServer,
                                                       service: ConversationService) -> None:
    fake.queue(Script(text=("Okay, ending here. Take care!",), tools=(Tool("end_conversation", "{}"),)))
    user = service.local_user("u")
    conv = service.create_conversation(user)
    turn = service.post_message(user, conv.id, "end this chat [end_request=0.95]")
    assert turn.state.ended and turn.assistant_message.content == "Okay, ending here. Take care!"


FAULTS: list[tuple[str, Script, str]] = [
    ("rate limited", Script(status=429), "rate_limited"),
    ("server error", Script(status=500), "provider_unavailable"),
    ("overloaded", Script(status=503), "provider_unavailable"),
    ("bad request", Script(status=400), "provider_rejected"),
    ("timeout", Script(text=("late",), delay=2.0), "timeout"),
    ("error event mid-stream", Script(text=("Half a ",), stream_error=True), "provider_error"),
    ("connection dropped mid-stream", Script(text=("Half a ", "reply", "never sent"), cut_after=2), "connection"),
    ("unknown tool", Script(text=("Sure.",), tools=(Tool("delete_user", "{}"),)), "unknown_tool"),
    ("malformed tool arguments", Script(text=("Sure.",), tools=(Tool("end_conversation", '{"reason": '),)),
     "malformed_tool_call"),
    ("tool arguments not an object", Script(text=("Sure.",), tools=(Tool("end_conversation", "[1]", 1),)),
     "malformed_tool_call"),
    ("empty reply", Script(), "empty_reply"),
    ("only a tool call", Script(tools=(Tool("end_conversation", "{}"),)), "empty_reply"),
]


@pytest.mark.parametrize(("label", "script", "reason"), FAULTS, ids=[f[0] for f in FAULTS])
def test_a_provider_fault_keeps_the_user_message_stores_no_reply_and_retry_works(
    provider: str, fake: FakeServer, tmp_path: Path, label: str, script: Script, reason: str
) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path}/fault.db")
    upgrade(engine)
    responder = make_responder(provider, fake, tmp_path, responder_timeout=0.5)
    service = ConversationService(Store(engine), assessor=TaggedAssessor(), responder=responder)
    user = service.local_user("u")
    conv = service.create_conversation(user)
    fake.queue(script)
    stream = service.stream_message(user, conv.id, "hello")
    with pytest.raises(ResponderError) as info:
        list(stream.events)
    assert "Your message was kept" in info.value.message
    if reason == "empty_reply":  # the service's check: the provider answered, with nothing to show
        assert info.value.details["reason"] == reason
    elif reason:
        assert info.value.details["reason"] == reason and info.value.details["provider"] == provider
    view = service.get_conversation(user, conv.id)
    assert [m.role for m in view.messages] == ["user"] and view.state.awaiting_reply  # no half reply stored
    with pytest.raises(ReplyPending):
        service.post_message(user, conv.id, "hello again")
    fake.queue(Script(text=("Sorry about that. ", "Hello!")))
    turn = service.retry(user, conv.id, view.messages[0].id)
    assert turn.assistant_message.content == "Sorry about that. Hello!" and not turn.state.awaiting_reply
    service.close()


def test_the_sdk_retries_a_5xx_when_configured(provider: str, fake: FakeServer, tmp_path: Path) -> None:
    fake.queue(Script(status=500), Script(text=("second time lucky",)))
    responder = make_responder(provider, fake, tmp_path, responder_max_retries=1)
    assert list(responder.respond(request_for(Action.ANSWER))) == [TextDelta("second time lucky")]
    assert len(fake.requests) == 2


# -- configuration -------------------------------------------------------------------------------------------------
def test_plugins_build_the_responders_and_name_a_missing_key(provider: str, fake: FakeServer,
                                                             monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = settings_for(provider, fake, tmp_path)
    monkeypatch.setenv(f"{provider.upper()}_API_KEY", "sk-from-env")
    assert opened(get_responder(settings)).name == provider
    monkeypatch.delenv(f"{provider.upper()}_API_KEY")
    if provider == "anthropic":
        with pytest.raises(InvalidInput, match=r"\$ANTHROPIC_API_KEY"):
            get_responder(settings)
    else:  # a local OpenAI-compatible server needs no key; the real service does
        assert opened(get_responder(settings)).name == "openai"
        with pytest.raises(InvalidInput, match=r"\$OPENAI_API_KEY"):
            get_responder(Settings(responder="openai"))


def test_a_missing_sdk_names_the_extra_to_install(provider: str, monkeypatch: pytest.MonkeyPatch) -> None:
    module = {"anthropic": "lastresort.responders.anthropic_messages",
              "openai": "lastresort.responders.openai_chat"}[provider]
    monkeypatch.setitem(sys.modules, provider, None)  # as if the SDK were not installed
    monkeypatch.delitem(sys.modules, module, raising=False)
    with pytest.raises(InvalidInput, match=rf"pip install 'lastresort\[{provider}\]'"):
        get_responder(Settings(responder=provider))


def _cli(provider: str, fake: FakeServer, tmp_path: Path, script: str) -> Callable[[], Any]:
    from typer.testing import CliRunner

    from lastresort.cli import app

    env = {**KEYS, "LASTRESORT_DATABASE_URL": f"sqlite:///{tmp_path}/cli.db", "LASTRESORT_RESPONDER_MAX_RETRIES": "0"}
    return lambda: CliRunner().invoke(app, ["chat", "--provider", provider, "--base-url", fake.url, "--model", "m"],
                                      input=script, env=env)


def test_lastresort_chat_with_the_provider_streams_replies(provider: str, fake: FakeServer, tmp_path: Path) -> None:
    fake.queue(Script(text=("Hi ", "there ", "from the model.")), Script(status=500),
               Script(text=("Back again.",)))
    result = _cli(provider, fake, tmp_path, "hello\nhow are you\n/retry\n/quit\n")()
    assert result.exit_code == 0, result.output
    out = " ".join(result.output.split())  # the console wraps long lines
    assert "[answer] Hi there from the model." in out
    assert "responder_error" in out and "Your message was kept" in out
    assert "[answer] Back again." in out
    assert all(body["model"] == "m" for body in fake.requests)


def test_the_api_streams_the_models_pieces_as_server_sent_events(provider: str, fake: FakeServer,
                                                                 service: ConversationService) -> None:
    from fastapi.testclient import TestClient

    from lastresort.api.app import create_app
    from tests.test_api_streaming import parse_sse

    fake.queue(Script(text=("One, ", "two, ", "three.")), Script(status=429))
    client = TestClient(create_app(service=service))
    _, token = service.add_user("sse")
    h = {"Authorization": f"Bearer {token}"}
    cid = client.post("/v1/conversations", json={}, headers=h).json()["id"]
    events = parse_sse(client.post(f"/v1/conversations/{cid}/messages?stream=true", json={"content": "count"},
                                   headers=h).text)
    assert [data["text"] for name, data in events if name == "delta"] == ["One, ", "two, ", "three."]
    assert events[-1][1]["assistant_message"]["content"] == "One, two, three."
    events = parse_sse(client.post(f"/v1/conversations/{cid}/messages?stream=true", json={"content": "again"},
                                   headers=h).text)
    assert events[-1][0] == "error" and events[-1][1]["reason"] == "rate_limited"
    r = client.post(f"/v1/conversations/{cid}/messages", json={"content": "and again"}, headers=h)
    assert r.status_code == 409 and r.json()["error"] == "reply_pending"
