"""The proxy's ASGI app: ``POST /v1/chat/completions`` runs a lastresort turn; every other path passes through.

A chat completion, in order (the service is synchronous, so this runs in the thread pool):

1. the user (:mod:`.identity`), the turns and their chain (:mod:`.history`), the stored path (:mod:`.paths`);
2. the final user message goes through the service (assessment, policy, lock, audit), with a responder chosen
   once the policy has decided: ``answer`` forwards the client's request to the upstream unchanged (streaming
   or not, tools included) and passes the reply through; a ``check_in`` is forwarded too, with a system message
   asking for one line of support (tools kept); refuse, redirect, warn, crisis support and confirm are
   written by the offline responder without calling the upstream (``mode="answer"``, the default) or by the
   upstream steered with a system message for the decision (``mode="steer"``, tools withheld); an ``end`` is
   always written by the proxy;
3. the reply is stored and its chain hash recorded, so the client's next request continues from it.

An ended path gets an ordinary assistant message saying so (nothing is stored), with ``finish_reason``
``conversation_ended`` and ``X-Lastresort-Ended: true``. A request whose last message is a tool result (a tool
round inside an answered turn) is forwarded as it is, unless the path has ended.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Any, Literal

from starlette.applications import Starlette
from starlette.background import BackgroundTask
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route
from starlette.types import ASGIApp

from lastresort._version import __version__
from lastresort.api.app import BodyLimit
from lastresort.core.actions import Action
from lastresort.errors import ConversationEnded, InvalidInput, LastResortError
from lastresort.proxy.history import SKIPPED_ROLES, message_text, turns
from lastresort.proxy.identity import IdentityMode, UserResolver
from lastresort.proxy.paths import PathMapper, Position
from lastresort.proxy.replies import (
    ENDED_FINISH_REASON,
    completion,
    completion_chunks,
    ended_notice,
    error_body,
)
from lastresort.proxy.upstream import ForwardResponder, Upstream, response_headers
from lastresort.responders.base import ReplyEvent, ReplyRequest, Responder
from lastresort.responders.offline import OfflineResponder
from lastresort.responders.prompting import system_prompt
from lastresort.service import ConversationService, TurnResult, TurnStream, check_text
from lastresort.store.repo import UserRow

__all__ = ["ProxyConfig", "create_proxy_app"]

ProxyMode = Literal["answer", "steer"]
CONVERSATION_HEADER = "x-lastresort-conversation"
MAX_BODY_BYTES = 16 * 1024 * 1024  # histories with images run large; each message is still checked
NOT_CONTINUED = "I can't continue with that request. I'm glad to help with something else."
#: Decisions the upstream answers (a check-in with a system message), whose tool rounds may carry on.
_ANSWERS = frozenset({Action.ANSWER, Action.CHECK_IN})


@dataclass(frozen=True, kw_only=True)
class ProxyConfig:
    upstream: str  # base URL of the upstream API, usually ending in /v1
    mode: ProxyMode = "answer"
    identity: IdentityMode = "shared"
    user: str = "proxy"
    timeout: float = 600.0  # seconds per upstream request


class _Deferred:
    """The turn's responder, chosen after the policy has decided (the service asks for one beforehand)."""

    def __init__(self) -> None:
        self.delegate: Responder | None = None
        self.name = "proxy"

    def choose(self, delegate: Responder) -> None:
        self.delegate, self.name = delegate, delegate.name

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        assert self.delegate is not None
        return self.delegate.respond(request)


class _Proxy:
    def __init__(self, service: ConversationService, config: ProxyConfig, upstream: Upstream | None) -> None:
        self.service, self.config = service, config
        self.owns_upstream = upstream is None
        self.upstream = upstream or Upstream(config.upstream, timeout=config.timeout)
        self.users = UserResolver(service, mode=config.identity, user=config.user)
        self.paths = PathMapper(service)
        self.offline = OfflineResponder()

    # -- chat completions ----------------------------------------------------------------------------------------
    def complete(self, headers: Mapping[str, str], body: dict[str, Any]) -> Response:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise InvalidInput("messages must be a non-empty array.", field="messages")
        user = self.users.resolve(headers, body)
        key = headers.get(CONVERSATION_HEADER)
        if key is not None:
            key = check_text(key, field=CONVERSATION_HEADER, max_chars=200).strip()
        path = turns(messages)
        if not path:
            raise InvalidInput("messages must contain a user message.", field="messages")
        model = str(body.get("model") or "lastresort")
        stream = body.get("stream") is True
        try:
            position = self.paths.locate(user, key, path)
        except ConversationEnded as exc:
            return self._ended(model, stream, exc, None)
        last_speaker = next(m.get("role") for m in reversed(messages) if m.get("role") not in SKIPPED_ROLES)
        if last_speaker != "user":
            return self._continue(model, stream, headers, body, position)
        deferred = _Deferred()
        try:
            turn = self._accept(user, position, path[-1].text, deferred)
        except ConversationEnded as exc:
            return self._ended(model, stream, exc, position.conversation_id)
        decision = turn.reply_to.state.decision
        assert decision is not None
        meta: dict[str, Any] = {"action": decision.action.value, "conversation_id": position.conversation_id,
                "message_id": turn.reply_to.id}
        out_headers = {"x-lastresort-action": decision.action.value,
                       "x-lastresort-conversation-id": position.conversation_id,
                       "x-lastresort-ended": "true" if turn.reply_to.state.ended else "false"}
        # A check-in is an answer with one more line, so the upstream always writes it, steered.
        forward = decision.action in _ANSWERS or (self.config.mode == "steer" and decision.action is not Action.END)
        if not forward:
            deferred.choose(self.offline)
            result = turn.result()
            text = result.assistant_message.content
            self.paths.record_reply(user, position, result.assistant_message, message_text({"content": text}))
            ended = result.state.ended
            if ended and result.state.ending is not None:
                meta["ending"] = result.state.ending.to_dict()
            meta["ended"] = ended
            finish = ENDED_FINISH_REASON if ended else "stop"
            if stream:
                return StreamingResponse(completion_chunks(model, text, finish, meta), headers=out_headers,
                                         media_type="text/event-stream")
            return JSONResponse(completion(model, text, finish, meta), headers=out_headers)
        sent = body if decision.action is Action.ANSWER else self._steered(
            body, turn, tools=decision.action is Action.CHECK_IN)
        responder = ForwardResponder(self.upstream, headers, sent)
        deferred.choose(responder)
        upstream = responder.open()
        if upstream.status_code != 200:  # the user message stays, awaiting its reply; resending retries it
            raw = upstream.read()
            upstream.close()
            return Response(raw, status_code=upstream.status_code,
                            headers={**response_headers(upstream.headers), **out_headers})
        headers_back = {**response_headers(upstream.headers), **out_headers}
        if not stream:
            result = turn.result()
            self.paths.record_reply(user, position, result.assistant_message,
                                    message_text(responder.client_message))
            return Response(b"".join(responder.outbox), headers=headers_back)
        return StreamingResponse(self._relay(user, position, turn, responder), headers=headers_back)

    def _accept(self, user: UserRow, position: Position, text: str, responder: _Deferred) -> TurnStream:
        if position.stored_user_id is not None:  # the same history again: a new reply beside the stored one
            return self.service.stream_retry(user, position.conversation_id, position.stored_user_id,
                                             responder=responder)
        turn = self.service.stream_message(user, position.conversation_id, text, parent_id=position.node_id,
                                           edit_of=position.root_sibling, responder=responder)
        self.paths.record_user(user, position, turn.reply_to)
        return turn

    def _relay(self, user: UserRow, position: Position, turn: TurnStream,
               responder: ForwardResponder) -> Iterator[bytes]:
        try:
            for event in turn.events:
                if isinstance(event, TurnResult):
                    self.paths.record_reply(user, position, event.assistant_message,
                                            message_text(responder.client_message))
                elif responder.finished:
                    continue  # the reply's end goes out once it is stored, so the client's next request finds it
                yield from _drain(responder.outbox)
        except LastResortError as exc:
            yield from _drain(responder.outbox)
            body = error_body(exc.message, code=exc.code, kind="server_error")
            yield b"data: " + json.dumps(body).encode() + b"\n\n"

    def _steered(self, body: dict[str, Any], turn: TurnStream, *, tools: bool = False) -> dict[str, Any]:
        """The client's request with the decision as a system message before the last user message, and no
        tools unless asked (a check-in answers the request): a steered turn refuses or redirects, it does not act."""
        state = turn.reply_to.state
        assert state.decision is not None
        locale = self.service.settings.locale
        request = ReplyRequest(decision=state.decision, state=state, history=(), locale=locale,
                               resources=self.service.crisis.resources_for(locale))
        messages = list(body["messages"])
        messages.insert(len(messages) - 1, {"role": "system", "content": system_prompt(request, end_tool=False)})
        steered = {k: v for k, v in body.items()
                   if tools or k not in ("tools", "tool_choice", "functions", "function_call", "parallel_tool_calls")}
        steered["messages"] = messages
        return steered

    def _continue(self, model: str, stream: bool, headers: Mapping[str, str], body: dict[str, Any],
                  position: Position) -> Response:
        """A tool round (or a request to continue the assistant's message): forwarded, not stored, and only in a
        turn the policy answered: a tool round cannot carry on a request that was refused or redirected."""
        state = position.node_state
        if state.ended:
            ending = state.ending
            return self._ended(model, stream, ConversationEnded(ending=ending.to_dict() if ending else None),
                               position.conversation_id)
        action = state.last_action
        if action is not None and action not in _ANSWERS:
            meta = {"action": action.value, "conversation_id": position.conversation_id, "ended": False}
            headers_back = {"x-lastresort-action": action.value, "x-lastresort-ended": "false",
                            "x-lastresort-conversation-id": position.conversation_id}
            if stream:
                return StreamingResponse(completion_chunks(model, NOT_CONTINUED, "stop", meta),
                                         headers=headers_back, media_type="text/event-stream")
            return JSONResponse(completion(model, NOT_CONTINUED, "stop", meta), headers=headers_back)
        upstream = self.upstream.open("POST", "chat/completions", headers=headers,
                                      content=json.dumps(body).encode())
        return StreamingResponse(upstream.iter_raw(), status_code=upstream.status_code,
                                 headers={**response_headers(upstream.headers), "x-lastresort-action": "answer",
                                          "x-lastresort-conversation-id": position.conversation_id,
                                          "x-lastresort-ended": "false"},
                                 background=BackgroundTask(upstream.close))

    @staticmethod
    def _ended(model: str, stream: bool, exc: ConversationEnded, conversation_id: str | None) -> Response:
        ending = exc.details.get("ending")
        text = ended_notice(ending)
        meta: dict[str, Any] = {"action": "locked", "ended": True, "ending": ending,
                                "conversation_id": conversation_id}
        headers = {"x-lastresort-action": "locked", "x-lastresort-ended": "true"}
        if conversation_id:
            headers["x-lastresort-conversation-id"] = conversation_id
        if stream:
            return StreamingResponse(completion_chunks(model, text, ENDED_FINISH_REASON, meta), headers=headers,
                                     media_type="text/event-stream")
        return JSONResponse(completion(model, text, ENDED_FINISH_REASON, meta), headers=headers)

    # -- everything else ----------------------------------------------------------------------------------------
    def passthrough(self, method: str, path: str, headers: Mapping[str, str], content: bytes,
                    query: str) -> Response:
        upstream = self.upstream.open(method, path, headers=headers, content=content or None, params=query)
        return StreamingResponse(upstream.iter_raw(), status_code=upstream.status_code,
                                 headers=response_headers(upstream.headers),
                                 background=BackgroundTask(upstream.close))


def _drain(outbox: list[bytes]) -> Iterator[bytes]:
    while outbox:
        yield outbox.pop(0)


def _error(exc: LastResortError) -> JSONResponse:
    kind = {401: "authentication_error", 502: "api_error", 503: "api_error"}.get(exc.status, "invalid_request_error")
    return JSONResponse(error_body(exc.message, code=exc.code, kind=kind, param=exc.details.get("field")),
                        status_code=exc.status)


def create_proxy_app(service: ConversationService, config: ProxyConfig, *,
                     upstream: Upstream | None = None) -> ASGIApp:
    """The proxy around ``service``, forwarding to ``config.upstream`` (through ``upstream`` if given: the caller
    closes it; else the app's own client, closed at shutdown)."""
    proxy = _Proxy(service, config, upstream)

    async def chat_completions(request: Request) -> Response:
        raw = await request.body()
        try:
            body = json.loads(raw)
        except (ValueError, UnicodeDecodeError):
            return JSONResponse(error_body("The request body is not valid JSON.", code="invalid_json"),
                                status_code=400)
        if not isinstance(body, dict):
            return JSONResponse(error_body("The request body must be a JSON object.", code="invalid_request"),
                                status_code=400)
        try:
            return await run_in_threadpool(proxy.complete, dict(request.headers), body)
        except LastResortError as exc:
            return _error(exc)

    async def other(request: Request) -> Response:
        try:
            return await run_in_threadpool(proxy.passthrough, request.method, request.path_params["path"],
                                           dict(request.headers), await request.body(), request.url.query)
        except LastResortError as exc:
            return _error(exc)

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "version": __version__, "upstream": config.upstream,
                             "mode": config.mode})

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        if proxy.owns_upstream:
            proxy.upstream.close()

    methods = ["GET", "POST", "PUT", "PATCH", "DELETE"]
    app = Starlette(routes=[
        Route("/v1/chat/completions", chat_completions, methods=["POST"]),
        Route("/healthz", healthz, methods=["GET"]),
        Route("/v1/{path:path}", other, methods=methods),
    ], lifespan=lifespan)
    app.state.proxy = proxy
    return BodyLimit(app, limit=MAX_BODY_BYTES)
