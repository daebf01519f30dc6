"""Local fake model servers that speak the real wire formats: Anthropic's Messages API and OpenAI chat
completions, both as JSON errors and as server-sent event streams with text and tool calls.

Each server is a Starlette app under uvicorn on 127.0.0.1 (a random port) in a thread. A test queues
:class:`Script` values, one per expected request; each request is recorded (its JSON body) for assertions.
Nothing here needs a key or the network.
"""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections import deque
from collections.abc import AsyncIterator, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route


@dataclass(frozen=True)
class Tool:
    name: str
    arguments: str  # JSON text, sent in pieces
    pieces: int = 3


@dataclass(frozen=True)
class Script:
    """What the fake model does for one request."""

    text: tuple[str, ...] = ()  # text pieces, streamed in order
    tools: tuple[Tool, ...] = ()
    status: int = 200  # != 200: an HTTP error with the provider's JSON error body
    delay: float = 0.0  # seconds before the response starts (for timeouts)
    cut_after: int | None = None  # drop the connection after this many text pieces (no final events)
    stream_error: bool = False  # an ``error`` event mid-stream (Anthropic) / an error chunk (OpenAI)


@dataclass
class FakeServer:
    scripts: deque[Script] = field(default_factory=deque)
    requests: list[dict[str, Any]] = field(default_factory=list)
    headers: list[dict[str, str]] = field(default_factory=list)
    url: str = ""
    default: Script | None = None  # answers requests when no script is queued (else: HTTP 500)

    def queue(self, *scripts: Script) -> None:
        self.scripts.extend(scripts)

    async def take(self, request: Request) -> Script:
        body = await request.json()
        self.requests.append(body)
        self.headers.append(dict(request.headers))
        if not self.scripts:
            return self.default or Script(status=500)
        return self.scripts.popleft()


def _pieces(text: str, n: int) -> list[str]:
    size = max(1, -(-len(text) // n))
    return [text[i:i + size] for i in range(0, len(text), size)] or [""]


def _sse(event: str | None, data: Any) -> bytes:
    head = f"event: {event}\n" if event else ""
    payload = data if isinstance(data, str) else json.dumps(data)
    return f"{head}data: {payload}\n\n".encode()


class _Cut(Exception):
    """Raised inside a streaming body to drop the connection mid-response."""


# -- Anthropic Messages API --------------------------------------------------------------------------------------
def anthropic_app(fake: FakeServer) -> Starlette:
    async def messages(request: Request) -> Response:
        script = await fake.take(request)
        body = fake.requests[-1]
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.status != 200:
            kind = {429: "rate_limit_error", 529: "overloaded_error"}.get(script.status, "api_error")
            return JSONResponse({"type": "error", "error": {"type": kind, "message": f"fake {kind}"}},
                                status_code=script.status, headers={"retry-after": "0"})
        missing = [k for k in ("model", "max_tokens", "messages") if k not in body]
        if missing or body.get("stream") is not True:
            return JSONResponse({"type": "error", "error": {"type": "invalid_request_error",
                                                            "message": f"missing {missing} or stream"}},
                                status_code=400)
        return StreamingResponse(_anthropic_events(script, body["model"]), media_type="text/event-stream")

    return Starlette(routes=[Route("/v1/messages", messages, methods=["POST"])])


async def _anthropic_events(script: Script, model: str) -> AsyncIterator[bytes]:
    yield _sse("message_start", {"type": "message_start", "message": {
        "id": "msg_fake", "type": "message", "role": "assistant", "model": model, "content": [],
        "stop_reason": None, "stop_sequence": None, "usage": {"input_tokens": 12, "output_tokens": 1}}})
    index = 0
    if script.text:
        yield _sse("content_block_start", {"type": "content_block_start", "index": 0,
                                           "content_block": {"type": "text", "text": ""}})
        yield _sse("ping", {"type": "ping"})
        for i, piece in enumerate(script.text):
            if script.cut_after is not None and i == script.cut_after:
                raise _Cut()
            yield _sse("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": piece}})
            await asyncio.sleep(0)
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": 0})
        index = 1
    if script.stream_error:
        yield _sse("error", {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}})
        return
    for tool in script.tools:
        yield _sse("content_block_start", {"type": "content_block_start", "index": index, "content_block": {
            "type": "tool_use", "id": f"toolu_{index}", "name": tool.name, "input": {}}})
        for piece in _pieces(tool.arguments, tool.pieces):
            yield _sse("content_block_delta", {"type": "content_block_delta", "index": index,
                                               "delta": {"type": "input_json_delta", "partial_json": piece}})
        yield _sse("content_block_stop", {"type": "content_block_stop", "index": index})
        index += 1
    stop = "tool_use" if script.tools else "end_turn"
    yield _sse("message_delta", {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
                                 "usage": {"output_tokens": 20}})
    yield _sse("message_stop", {"type": "message_stop"})


# -- OpenAI chat completions -------------------------------------------------------------------------------------
def openai_app(fake: FakeServer, *, plain: bool = False) -> Starlette:
    """OpenAI chat completions. The responders always stream, so a request without ``stream`` is a 400 unless
    ``plain`` (the proxy passes a client's non-streaming requests on as they are); ``plain`` also serves
    ``GET /v1/models``."""

    async def completions(request: Request) -> Response:
        script = await fake.take(request)
        body = fake.requests[-1]
        if script.delay:
            await asyncio.sleep(script.delay)
        if script.status != 200:
            kind = {429: "rate_limit_exceeded"}.get(script.status, "server_error")
            return JSONResponse({"error": {"message": f"fake {kind}", "type": kind, "param": None, "code": kind}},
                                status_code=script.status, headers={"retry-after": "0"})
        if plain and "model" in body and "messages" in body and not body.get("stream"):
            return JSONResponse(_openai_completion(script, body["model"]))
        if "model" not in body or "messages" not in body or body.get("stream") is not True:
            return JSONResponse({"error": {"message": "model, messages and stream are required",
                                           "type": "invalid_request_error", "param": None, "code": None}},
                                status_code=400)
        return StreamingResponse(_openai_events(script, body["model"]), media_type="text/event-stream")

    async def models(request: Request) -> Response:
        fake.headers.append(dict(request.headers))
        return JSONResponse({"object": "list", "data": [{"id": "fake-model", "object": "model", "created": 0,
                                                         "owned_by": "fake"}]})

    routes = [Route("/v1/chat/completions", completions, methods=["POST"])]
    if plain:
        routes.append(Route("/v1/models", models, methods=["GET"]))
    return Starlette(routes=routes)


def _openai_completion(script: Script, model: str) -> dict[str, Any]:
    calls = [{"id": f"call_{i}", "type": "function", "function": {"name": t.name, "arguments": t.arguments}}
             for i, t in enumerate(script.tools)]
    message: dict[str, Any] = {"role": "assistant", "content": "".join(script.text) or None, "refusal": None}
    if calls:
        message["tool_calls"] = calls
    return {"id": "chatcmpl-fake", "object": "chat.completion", "created": 1_700_000_000, "model": model,
            "system_fingerprint": None,
            "choices": [{"index": 0, "message": message, "logprobs": None,
                         "finish_reason": "tool_calls" if calls else "stop"}],
            "usage": {"prompt_tokens": 10, "completion_tokens": 5, "total_tokens": 15}}


def _chunk(model: str, delta: dict[str, Any], finish: str | None = None) -> dict[str, Any]:
    return {"id": "chatcmpl-fake", "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model,
            "system_fingerprint": None, "choices": [{"index": 0, "delta": delta, "logprobs": None,
                                                     "finish_reason": finish}]}


async def _openai_events(script: Script, model: str) -> AsyncIterator[bytes]:
    yield _sse(None, _chunk(model, {"role": "assistant", "content": ""}))
    for i, piece in enumerate(script.text):
        if script.cut_after is not None and i == script.cut_after:
            raise _Cut()
        yield _sse(None, _chunk(model, {"content": piece}))
        await asyncio.sleep(0)
    if script.stream_error:
        yield _sse(None, {"error": {"message": "The server had an error while processing your request.",
                                    "type": "server_error", "param": None, "code": None}})
        return
    for i, tool in enumerate(script.tools):
        pieces = _pieces(tool.arguments, tool.pieces)
        yield _sse(None, _chunk(model, {"tool_calls": [{"index": i, "id": f"call_{i}", "type": "function",
                                                        "function": {"name": tool.name, "arguments": pieces[0]}}]}))
        for piece in pieces[1:]:
            yield _sse(None, _chunk(model, {"tool_calls": [{"index": i, "function": {"arguments": piece}}]}))
    yield _sse(None, _chunk(model, {}, "tool_calls" if script.tools else "stop"))
    yield _sse(None, "[DONE]")


# -- running a server ----------------------------------------------------------------------------------------------
class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # runs in a thread: leave the main thread's signals alone
        pass


@contextmanager
def serve(app: Any, fake: FakeServer, path: str = "") -> Iterator[FakeServer]:
    """Run the ASGI ``app`` on 127.0.0.1 (a free port) in a thread; ``fake.url`` is its base URL plus ``path``."""
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_level="critical", lifespan="off", ws="none",
                            timeout_graceful_shutdown=1)
    server = _Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("fake provider server did not start")
        time.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    fake.url = f"http://127.0.0.1:{port}{path}"
    try:
        yield fake
    finally:
        server.should_exit = True
        thread.join(timeout=10)
