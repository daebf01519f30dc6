"""The upstream chat-completions server: one pooled HTTP client, and the responder that forwards a turn.

:class:`ForwardResponder` opens the upstream request right after the policy has decided (so an upstream error
status reaches the client as it is, before any byte of a reply), then, while the service iterates it, passes
the upstream's bytes through unchanged (``outbox``) and hands the service the reply's text to store. Tool calls
are written into the stored text as ``[tool call name(arguments)]``, the form :mod:`.history` matches.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from typing import Any

import httpx

from lastresort.errors import ResponderError
from lastresort.proxy.history import message_text
from lastresort.responders.base import ReplyEvent, ReplyRequest, TextDelta

__all__ = ["ForwardResponder", "Upstream", "forward_headers"]

_HOP_BY_HOP = {"host", "content-length", "connection", "keep-alive", "transfer-encoding", "te", "trailer",
               "upgrade", "proxy-authorization", "proxy-connection", "accept-encoding"}
_DROP_FROM_UPSTREAM = {"content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive"}


def forward_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """The client's headers for the upstream: its own (the API key included), without hop-by-hop headers or
    the proxy's ``X-Lastresort-*`` headers (a lastresort token never leaves the proxy)."""
    return {k: v for k, v in headers.items()
            if k.lower() not in _HOP_BY_HOP and not k.lower().startswith("x-lastresort-")}


def response_headers(headers: httpx.Headers) -> dict[str, str]:
    return {k: v for k, v in headers.items() if k.lower() not in _DROP_FROM_UPSTREAM}


class Upstream:
    def __init__(self, base_url: str, *, timeout: float = 600.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.client = httpx.Client(timeout=httpx.Timeout(timeout, connect=10.0),
                                   limits=httpx.Limits(max_connections=200, max_keepalive_connections=50))

    def url(self, path: str) -> str:
        """``path`` below ``/v1`` on the proxy, below the upstream's base URL (which usually ends in ``/v1``)."""
        return self.base_url + "/" + path.lstrip("/")

    def open(self, method: str, path: str, *, headers: Mapping[str, str], content: bytes | None = None,
             params: str = "") -> httpx.Response:
        """Send a request and return the response with its body still to be read (close it when done)."""
        url = self.url(path) + (f"?{params}" if params else "")
        request = self.client.build_request(method, url, headers=forward_headers(headers), content=content)
        try:
            return self.client.send(request, stream=True)
        except httpx.TimeoutException as exc:
            raise ResponderError("The upstream did not answer in time.", reason="timeout") from exc
        except httpx.HTTPError as exc:
            raise ResponderError(f"The upstream cannot be reached ({type(exc).__name__}).",
                                 reason="connection") from exc

    def close(self) -> None:
        self.client.close()


class ForwardResponder:
    """Forwards one turn to the upstream (``open`` first) and passes its reply through as it arrives."""

    name = "proxy-upstream"

    def __init__(self, upstream: Upstream, headers: Mapping[str, str], body: dict[str, Any]) -> None:
        self.upstream, self.headers, self.body = upstream, headers, body
        self.stream = body.get("stream") is True
        self.response: httpx.Response | None = None
        self.outbox: list[bytes] = []  # bytes for the client, taken by the app as the service yields
        self.content: list[str] = []
        self.tool_calls: dict[int, dict[str, Any]] = {}
        self.finished = False  # the upstream's reply is complete: what is left in the outbox is its end

    def open(self) -> httpx.Response:
        self.response = self.upstream.open("POST", "chat/completions", headers=self.headers,
                                           content=json.dumps(self.body).encode())
        return self.response

    @property
    def client_message(self) -> dict[str, Any]:
        """The assistant message as the client received it (and will send it back)."""
        calls = [self.tool_calls[i] for i in sorted(self.tool_calls)]
        return {"role": "assistant", "content": "".join(self.content), "tool_calls": calls}

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        response = self.response
        assert response is not None, "open() comes first"
        try:
            if not self.stream:
                raw = response.read()
                self.outbox.append(raw)
                yield from self._whole(raw)
            else:
                yield from self._chunks(response)
        except httpx.HTTPError as exc:
            raise ResponderError(f"The upstream's reply broke off ({type(exc).__name__}).",
                                 reason="connection") from exc
        finally:
            response.close()
        self.finished = True
        calls = message_text({"tool_calls": self.client_message["tool_calls"]})
        if calls:
            yield TextDelta(("\n" if self.content else "") + calls)
        if not self.content and not calls:
            yield TextDelta("[empty reply]")

    def _whole(self, raw: bytes) -> Iterator[ReplyEvent]:
        try:
            message = json.loads(raw)["choices"][0]["message"]
        except (ValueError, KeyError, IndexError, TypeError) as exc:
            raise ResponderError("The upstream's reply is not a chat completion.", reason="provider_error") from exc
        content = message.get("content")
        if isinstance(content, str) and content:
            self.content.append(content)
            yield TextDelta(content)
        for index, call in enumerate(message.get("tool_calls") or ()):
            self.tool_calls[index] = call

    def _chunks(self, response: httpx.Response) -> Iterator[ReplyEvent]:
        lines: list[str] = []
        for line in response.iter_lines():
            if line:
                lines.append(line)
                continue
            if not lines:
                continue
            event, lines = lines, []
            self.outbox.append(("\n".join(event) + "\n\n").encode())
            data = "\n".join(x[5:].lstrip() for x in event if x.startswith("data:"))
            if not data or data == "[DONE]":
                continue
            text = self._delta(data)
            if text:
                yield TextDelta(text)
        if lines:  # a last event without its blank line
            self.outbox.append(("\n".join(lines) + "\n\n").encode())

    def _delta(self, data: str) -> str:
        try:
            chunk = json.loads(data)
        except ValueError:
            return ""
        if not isinstance(chunk, dict):
            return ""
        if "error" in chunk:
            raise ResponderError("The upstream reported an error in the middle of its reply.",
                                 reason="provider_error")
        choices = chunk.get("choices") or []
        delta = next((c.get("delta") or {} for c in choices if isinstance(c, dict) and c.get("index", 0) == 0), {})
        for call in delta.get("tool_calls") or ():
            slot = self.tool_calls.setdefault(call.get("index", 0), {"id": None, "type": "function",
                                                                     "function": {"name": "", "arguments": ""}})
            slot["id"] = call.get("id") or slot["id"]
            function = call.get("function") or {}
            slot["function"]["name"] += function.get("name") or ""
            slot["function"]["arguments"] += function.get("arguments") or ""
        text = delta.get("content")
        if isinstance(text, str) and text:
            self.content.append(text)
            return text
        return ""
