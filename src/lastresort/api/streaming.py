"""Server-sent events for a turn whose reply streams.

The turn is accepted before the stream starts, so every error of acceptance (409 ``conversation_ended``, 422,
404) is an ordinary JSON error response. Once streaming, the events are::

    event: accepted   data: {"user_message": {...} | null, "reply_to": "<user message id>", "decision": {...}}
    event: delta      data: {"text": "..."}                       (any number, in order)
    event: done       data: <the same body as the non-streaming response>
    event: error      data: {"error": "responder_error", "message": ..., "status": 502, ...}

A stream ends with exactly one ``done`` or ``error``. After ``error`` nothing but the user message is stored
(the text already sent is not kept as a reply): retry the reply. A client that disconnects early leaves the
same state.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from fastapi.responses import StreamingResponse

from lastresort.api.wire import message_out, turn_out
from lastresort.errors import LastResortError, ResponderError
from lastresort.responders.base import TextDelta
from lastresort.service import TurnResult, TurnStream

__all__ = ["SSE_MEDIA_TYPE", "SSE_RESPONSES", "sse_response", "wants_stream"]

SSE_MEDIA_TYPE = "text/event-stream"

#: One server-sent event; ``data`` is JSON text (its shape per event is in the module docstring).
_EVENT_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["event", "data"],
    "properties": {
        "event": {"type": "string", "enum": ["accepted", "delta", "done", "error"]},
        "data": {"type": "string", "contentMediaType": "application/json"},
    },
}

SSE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {
        "description": "With `?stream=true` or `Accept: text/event-stream`: server-sent events `accepted`, "
                       "`delta` (any number), then one `done` (same body as the 201 response) or `error`.",
        "content": {SSE_MEDIA_TYPE: {"schema": _EVENT_SCHEMA, "example":
                    'event: accepted\ndata: {"user_message": {...}, "reply_to": "...", "decision": {...}}\n\n'
                    'event: delta\ndata: {"text": "Let\'s keep "}\n\n'
                    'event: done\ndata: {"user_message": {...}, "assistant_message": {...}, "state": {...}}\n\n'}},
    },
}


def wants_stream(stream: bool, accept: str | None) -> bool:
    return stream or SSE_MEDIA_TYPE in (accept or "").lower()


def _event(name: str, data: Any) -> bytes:
    return f"event: {name}\ndata: {json.dumps(data, ensure_ascii=False, default=str)}\n\n".encode()


def _events(turn: TurnStream) -> Iterator[bytes]:
    yield _event("accepted", {
        "user_message": message_out(turn.user_message).model_dump(mode="json") if turn.user_message else None,
        "reply_to": turn.reply_to.id,
        "decision": turn.reply_to.state.decision.to_dict() if turn.reply_to.state.decision else None,
    })
    try:
        for event in turn.events:
            if isinstance(event, TextDelta):
                yield _event("delta", {"text": event.text})
            elif isinstance(event, TurnResult):
                yield _event("done", turn_out(event).model_dump(mode="json"))
                return
    except LastResortError as exc:
        yield _event("error", exc.to_dict())
        return
    except Exception:  # the response has started: an error must be an event, not a broken connection
        yield _event("error", ResponderError().to_dict())
        return
    yield _event("error", ResponderError("The reply stream ended without a result.").to_dict())


def sse_response(turn: TurnStream) -> StreamingResponse:
    # no-cache and no proxy buffering, so each delta reaches the client as soon as it is written
    return StreamingResponse(_events(turn), media_type=SSE_MEDIA_TYPE,
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
