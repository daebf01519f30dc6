"""A responder on Anthropic's Messages API, through the official ``anthropic`` SDK (``pip install
'lastresort[anthropic]'``), streaming.

The model gets the ``end_conversation`` tool (see :mod:`lastresort.responders.prompting`); text arrives as
``text_delta`` events and is passed on at once, tool input as ``input_json_delta`` pieces that are parsed when
the message is complete. Provider faults become :class:`~lastresort.errors.ResponderError` with a ``reason``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import anthropic
import httpx2

from lastresort.config import Settings
from lastresort.errors import InvalidInput, ResponderError
from lastresort.responders.base import ReplyEvent, ReplyRequest, TextDelta
from lastresort.responders.faults import provider_fault
from lastresort.responders.prompting import (
    END_TOOL,
    END_TOOL_DESCRIPTION,
    END_TOOL_SCHEMA,
    ToolCall,
    chat_history,
    offers_end_tool,
    parse_tool_call,
    system_prompt,
)

__all__ = ["AnthropicResponder"]

PROVIDER = "anthropic"


@dataclass
class AnthropicResponder:
    client: anthropic.Anthropic
    model: str
    max_tokens: int = 1024
    name: str = "anthropic"

    @classmethod
    def from_settings(cls, settings: Settings, environ: dict[str, str] | None = None) -> AnthropicResponder:
        env = os.environ if environ is None else environ
        key = env.get(settings.anthropic_api_key_env, "").strip()
        if not key:
            raise InvalidInput(f"The anthropic responder needs an API key in ${settings.anthropic_api_key_env} "
                               "(LASTRESORT_ANTHROPIC_API_KEY_ENV names another variable).")
        client = anthropic.Anthropic(api_key=key, base_url=settings.anthropic_base_url,
                                     timeout=settings.responder_timeout,
                                     max_retries=settings.responder_max_retries)
        return cls(client=client, model=settings.anthropic_model, max_tokens=settings.responder_max_tokens)

    def close(self) -> None:
        """Close the SDK's connection pool."""
        self.client.close()

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        params: dict[str, Any] = {
            "model": self.model, "max_tokens": self.max_tokens, "system": system_prompt(request),
            "messages": chat_history(request.history),
        }
        if offers_end_tool(request):
            params["tools"] = [{"name": END_TOOL, "description": END_TOOL_DESCRIPTION,
                                "input_schema": END_TOOL_SCHEMA}]
        calls: dict[int, tuple[str, list[str]]] = {}
        try:
            with self.client.messages.create(stream=True, **params) as stream:
                for event in stream:
                    if event.type == "content_block_start" and event.content_block.type == "tool_use":
                        calls[event.index] = (event.content_block.name, [])
                    elif event.type == "content_block_delta":
                        if event.delta.type == "text_delta" and event.delta.text:
                            yield TextDelta(event.delta.text)
                        elif event.delta.type == "input_json_delta" and event.index in calls:
                            calls[event.index][1].append(event.delta.partial_json)
        except anthropic.APIError as exc:
            raise provider_fault(exc, anthropic, PROVIDER) from exc
        except httpx2.TransportError as exc:  # the SDK wraps errors of the request, not of reading its stream
            raise ResponderError("The connection to the model provider broke off mid-reply. Your message was "
                                 "kept: retry the reply.", provider=PROVIDER, reason="connection") from exc
        for _, (name, parts) in sorted(calls.items()):
            yield parse_tool_call(ToolCall(name=name, arguments="".join(parts)), PROVIDER)
