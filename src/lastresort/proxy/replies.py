"""Chat-completion bodies for the replies the proxy writes itself (refuse, redirect, warn, crisis support,
confirm, end, and the notice on an ended path), as a JSON body or as a stream of chunks.

They look like any model's reply, so no client breaks; the machine-readable part is ``finish_reason``
(``conversation_ended`` when the chat has ended), the ``X-Lastresort-*`` response headers, and a ``lastresort``
object beside ``choices`` that clients ignore.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator, Mapping
from typing import Any

__all__ = ["ENDED_FINISH_REASON", "completion", "completion_chunks", "ended_notice", "error_body"]

ENDED_FINISH_REASON = "conversation_ended"


def _envelope(kind: str, model: str) -> dict[str, Any]:
    return {"id": "chatcmpl-lr" + secrets.token_hex(12), "object": kind, "created": int(time.time()),
            "model": model, "system_fingerprint": None}


def completion(model: str, text: str, finish_reason: str, meta: Mapping[str, Any]) -> dict[str, Any]:
    body = _envelope("chat.completion", model)
    body["choices"] = [{"index": 0, "message": {"role": "assistant", "content": text, "refusal": None},
                        "logprobs": None, "finish_reason": finish_reason}]
    body["usage"] = {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0}
    body["lastresort"] = dict(meta)
    return body


def completion_chunks(model: str, text: str, finish_reason: str, meta: Mapping[str, Any]) -> Iterator[bytes]:
    head = _envelope("chat.completion.chunk", model)

    def chunk(delta: dict[str, Any], finish: str | None, **extra: Any) -> bytes:
        body = dict(head, choices=[{"index": 0, "delta": delta, "logprobs": None, "finish_reason": finish}],
                    **extra)
        return b"data: " + json.dumps(body).encode() + b"\n\n"

    yield chunk({"role": "assistant", "content": ""}, None)
    yield chunk({"content": text}, None)
    yield chunk({}, finish_reason, lastresort=dict(meta))
    yield b"data: [DONE]\n\n"


def ended_notice(ending: Mapping[str, Any] | None) -> str:
    """The assistant message on a path that has already ended (nothing is stored for it)."""
    by_user = bool(ending) and ending is not None and ending.get("by") == "user"
    why = "as you asked" if by_user else "by the assistant"
    return (f"This chat has ended ({why}) and can't continue here. To keep talking, start a new chat, or edit "
            "one of your earlier messages to take the conversation in a different direction.")


def error_body(message: str, *, code: str, kind: str = "invalid_request_error",
               param: str | None = None) -> dict[str, Any]:
    """An error in the shape OpenAI clients parse."""
    return {"error": {"message": message, "type": kind, "param": param, "code": code}}
