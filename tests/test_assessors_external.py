"""External assessors against local fake servers that speak the real wire formats (no network)."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from lastresort.assessors.external import (
    ExternalConfig,
    LlamaGuardAssessor,
    OpenAIModerationAssessor,
    parse_llama_guard,
)
from lastresort.config import Settings
from lastresort.core.assessment import AssessContext
from lastresort.core.categories import Category
from lastresort.errors import AssessorError, InvalidInput
from lastresort.plugins import get_assessor

NONE = AssessContext()


@dataclass
class FakeServer:
    """Answers POSTs with ``reply(path, body) -> (status, payload)``; records every request."""

    reply: Callable[[str, dict[str, Any]], tuple[int, Any]]
    requests: list[tuple[str, dict[str, Any], dict[str, str]]] = field(default_factory=list)
    delay_s: float = 0.0
    url: str = ""


@pytest.fixture
def server() -> Iterator[FakeServer]:
    fake = FakeServer(reply=lambda path, body: (404, {"error": "no reply set"}))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (the http.server API)
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length) or b"{}")
            fake.requests.append((self.path, body, dict(self.headers)))
            time.sleep(fake.delay_s)
            status, payload = fake.reply(self.path, body)
            raw = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            with contextlib.suppress(BrokenPipeError, ConnectionResetError):  # a client that timed out left
                self.wfile.write(raw)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    fake.url = f"http://127.0.0.1:{httpd.server_address[1]}/v1"
    yield fake
    httpd.shutdown()
    httpd.server_close()


def chat_completion(content: str) -> dict[str, Any]:
    """The shape vLLM, Ollama and llama.cpp return from /v1/chat/completions."""
    return {"id": "chatcmpl-1", "object": "chat.completion", "created": 1732500000, "model": "llama-guard3:8b",
            "choices": [{"index": 0, "message": {"role": "assistant", "content": content},
                         "finish_reason": "stop"}],
            "usage": {"prompt_tokens": 210, "completion_tokens": 5, "total_tokens": 215}}


OPENAI_NAMES = ("harassment", "harassment/threatening", "hate", "hate/threatening", "illicit", "illicit/violent",
                "self-harm", "self-harm/intent", "self-harm/instructions", "sexual", "sexual/minors", "violence",
                "violence/graphic")


def moderation(**scores: float) -> dict[str, Any]:
    """The shape of OpenAI's POST /v1/moderations reply (omni-moderation)."""
    full = {name: scores.get(name.replace("/", "_").replace("-", "_"), 0.0001) for name in OPENAI_NAMES}
    return {"id": "modr-1", "model": "omni-moderation-latest",
            "results": [{"flagged": any(v >= 0.5 for v in full.values()),
                         "categories": {k: v >= 0.5 for k, v in full.items()},
                         "category_scores": full,
                         "category_applied_input_types": {k: ["text"] for k in full}}]}


def config(server: FakeServer, **kw: Any) -> ExternalConfig:
    return ExternalConfig(base_url=server.url, model=kw.pop("model", "llama-guard3:8b"), **kw)


@pytest.mark.parametrize(("content", "expected"), [
    ("safe", (False, ())), ("unsafe\nS1", (True, ("S1",))), ("unsafe\nS1,S10", (True, ("S1", "S10"))),
    ("  unsafe\nS11 ", (True, ("S11",))), ("Unsafe\nS02, S2", (True, ("S2",))), ("unsafe", (True, ())),
])
def test_llama_guard_verdicts_parse(content: str, expected: tuple[bool, tuple[str, ...]]) -> None:
    assert parse_llama_guard(content) == expected


def test_llama_guard_maps_s_codes_and_sends_the_message(server: FakeServer) -> None:
    server.reply = lambda path, body: (200, chat_completion("unsafe\nS11,S12"))
    guard = LlamaGuardAssessor(config(server, api_key="sk-test"))
    a = guard.assess("I want to end my life", NONE)
    assert a.assessor == "llama-guard"
    assert a.scores == {Category.SELF_HARM_RISK: 0.9}
    assert any("S12 has no category" in r for r in a.reasons)
    path, body, headers = server.requests[-1]
    assert path == "/v1/chat/completions"
    assert body["model"] == "llama-guard3:8b" and body["temperature"] == 0
    assert body["messages"] == [{"role": "user", "content": "I want to end my life"}]
    assert headers["Authorization"] == "Bearer sk-test"


def test_llama_guard_safe_scores_nothing(server: FakeServer) -> None:
    server.reply = lambda path, body: (200, chat_completion("safe"))
    a = LlamaGuardAssessor(config(server)).assess("how do I kill a Python process?", NONE)
    assert a.scores == {} and a.reasons == ("llama-guard: safe",)


def test_openai_moderation_maps_scores(server: FakeServer) -> None:
    server.reply = lambda path, body: (200, moderation(harassment=0.93, self_harm_intent=0.7, sexual=0.99))
    a = OpenAIModerationAssessor(config(server, model="omni-moderation-latest")).assess("text", NONE)
    assert a.score(Category.ABUSE) == pytest.approx(0.93) and a.score(Category.HARASSMENT_THREAT) == pytest.approx(0.93)
    assert a.score(Category.SELF_HARM_RISK) == pytest.approx(0.7)
    assert a.score(Category.SEXUAL_MINORS) == pytest.approx(0.0001)  # adult "sexual" has no category here
    path, body, _ = server.requests[-1]
    assert path == "/v1/moderations" and body == {"model": "omni-moderation-latest", "input": "text"}


FAULTS: dict[str, tuple[int, Any]] = {
    "server error": (500, {"error": {"message": "boom"}}),
    "not json": (200, b"<html>gateway</html>"),
    "wrong shape": (200, {"choices": []}),
    "not a verdict": (200, chat_completion("I cannot help with that.")),
}


@pytest.mark.parametrize("fault", list(FAULTS))
def test_faults_fail_closed_by_default(server: FakeServer, fault: str, caplog: pytest.LogCaptureFixture) -> None:
    server.reply = lambda path, body: FAULTS[fault]
    guard = LlamaGuardAssessor(config(server))
    with caplog.at_level(logging.ERROR, "lastresort.assessors.external"), pytest.raises(AssessorError):
        guard.assess("hello", NONE)
    assert "fail closed" in caplog.text


@pytest.mark.parametrize("fault", list(FAULTS))
def test_faults_fail_open_to_the_rule_assessor(server: FakeServer, fault: str,
                                               caplog: pytest.LogCaptureFixture) -> None:
    server.reply = lambda path, body: FAULTS[fault]
    guard = LlamaGuardAssessor(config(server, fail="open"))
    with caplog.at_level(logging.WARNING, "lastresort.assessors.external"):
        a = guard.assess("I want to kill myself", NONE)
    assert a.score(Category.SELF_HARM_RISK) >= 0.35  # the rule layer still catches an explicit crisis
    assert "unavailable" in a.reasons[0] and "fail open" in caplog.text


def test_a_timeout_follows_the_fail_rule(server: FakeServer) -> None:
    server.reply = lambda path, body: (200, moderation())
    server.delay_s = 0.5
    closed = OpenAIModerationAssessor(config(server, timeout_s=0.05))
    with pytest.raises(AssessorError):
        closed.assess("hi", NONE)
    opened = OpenAIModerationAssessor(config(server, timeout_s=0.05, fail="open"))
    assert "ReadTimeout" in opened.assess("hi", NONE).reasons[0]


def test_an_unreachable_server_is_a_fault() -> None:
    guard = LlamaGuardAssessor(ExternalConfig(base_url="http://127.0.0.1:9/v1", model="m", timeout_s=0.5))
    with pytest.raises(AssessorError):
        guard.assess("hi", NONE)


def test_selected_by_configuration(server: FakeServer) -> None:
    server.reply = lambda path, body: (200, chat_completion("unsafe\nS4"))
    guard = get_assessor(Settings(assessor="llama-guard", assessor_url=server.url, assessor_fail="open"))
    assert guard.name == "llama-guard"
    assert guard.assess("x", NONE).score(Category.SEXUAL_MINORS) == 0.9
    with pytest.raises(InvalidInput, match="LASTRESORT_ASSESSOR_URL"):
        get_assessor(Settings(assessor="llama-guard"))
    with pytest.raises(InvalidInput, match="fail must be"):
        get_assessor(Settings(assessor="llama-guard", assessor_url=server.url, assessor_fail="sometimes"))
    assert get_assessor(Settings(assessor="openai-moderation")).name == "openai-moderation"  # default URL


def test_bad_config_is_refused() -> None:
    with pytest.raises(ValueError, match="http"):
        ExternalConfig(base_url="localhost:8000", model="m")
    with pytest.raises(ValueError, match="positive"):
        ExternalConfig(base_url="http://x", model="m", timeout_s=0)
