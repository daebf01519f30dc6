"""A responder on OpenAI-compatible chat completions, through the official ``openai`` SDK (``pip install
'lastresort[openai]'``), streaming. Works with OpenAI and, by base URL, with vLLM, Ollama and the llama.cpp
server (which need tool support enabled, e.g. ``llama-server --jinja``).

The model gets the ``end_conversation`` function tool; content deltas are passed on at once, tool-call
fragments (``delta.tool_calls[i].function.arguments``) are joined per index and parsed when the stream ends.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx2
import openai

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

__all__ = ["OpenAIResponder"]

PROVIDER = "openai"
#: Local servers (Ollama, llama.cpp, vLLM) accept any key; the SDK insists on one.
UNUSED_KEY = "unused"


@dataclass
class OpenAIResponder:
    client: openai.OpenAI
    model: str
    max_tokens: int = 1024
    name: str = "openai"

    @classmethod
    def from_settings(cls, settings: Settings, environ: dict[str, str] | None = None) -> OpenAIResponder:
        env = os.environ if environ is None else environ
        key = env.get(settings.openai_api_key_env, "").strip()
        if not key and not settings.openai_base_url:
            raise InvalidInput(f"The openai responder needs an API key in ${settings.openai_api_key_env} "
                               "(LASTRESORT_OPENAI_API_KEY_ENV names another variable), or "
                               "LASTRESORT_OPENAI_BASE_URL for a local server that needs none.")
        client = openai.OpenAI(api_key=key or UNUSED_KEY, base_url=settings.openai_base_url,
                               timeout=settings.responder_timeout, max_retries=settings.responder_max_retries)
        return cls(client=client, model=settings.openai_model, max_tokens=settings.responder_max_tokens)

    def close(self) -> None:
        """Close the SDK's connection pool."""
        self.client.close()

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        messages: list[dict[str, str]] = [{"role": "system", "content": system_prompt(request)}]
        messages += chat_history(request.history)
        params: dict[str, Any] = {"model": self.model, "messages": messages, "max_tokens": self.max_tokens}
        if offers_end_tool(request):
            params["tools"] = [{"type": "function", "function": {
                "name": END_TOOL, "description": END_TOOL_DESCRIPTION, "parameters": END_TOOL_SCHEMA}}]
        calls: dict[int, tuple[list[str], list[str]]] = {}
        try:
            with self.client.chat.completions.create(stream=True, **params) as stream:
                for chunk in stream:
                    if not chunk.choices:  # e.g. a usage-only chunk
                        continue
                    delta = chunk.choices[0].delta
                    if delta.content:
                        yield TextDelta(delta.content)
                    for call in delta.tool_calls or ():
                        name, args = calls.setdefault(call.index, ([], []))
                        if call.function is not None:
                            # Some servers repeat the whole name in every fragment; others send it once.
                            if call.function.name and "".join(name) != call.function.name:
                                name.append(call.function.name)
                            args.append(call.function.arguments or "")
        except openai.APIError as exc:
            raise provider_fault(exc, openai, PROVIDER) from exc
        except httpx2.TransportError as exc:  # the SDK wraps errors of the request, not of reading its stream
            raise ResponderError("The connection to the model provider broke off mid-reply. Your message was "
                                 "kept: retry the reply.", provider=PROVIDER, reason="connection") from exc
        for _, (name, args) in sorted(calls.items()):
            yield parse_tool_call(ToolCall(name="".join(name), arguments="".join(args)), PROVIDER)
