"""A chat-completions ``messages`` list as the turns the tree stores, and the hash chain that names each turn.

The tree alternates user and assistant messages, so the client's messages are grouped into turns: system and
developer messages are left out (instructions, not speech; apps often rewrite them per request), messages
before the first user message are left out, consecutive user messages are one user turn, and everything the
assistant side says between two user messages (text, tool calls, tool results) is one assistant turn. Only the
first assistant message of that group is its stored text: later rounds of a tool exchange belong to the same
turn. Tool calls are written as text, so a reply that was only a tool call is stored and matched like any other.

Each turn's key is a SHA-256 chain over the normalised turns (Unicode NFC, whitespace collapsed), seeded with the
user's id and, if the client gives one, its conversation key: the same history always reaches the same stored
message, and a history that differs anywhere (an edited message, an altered assistant reply) leaves the chain
there and so becomes a new branch.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lastresort.core.tree import Role
from lastresort.errors import InvalidInput

__all__ = ["SKIPPED_ROLES", "Turn", "chain", "message_text", "seed", "turns"]

SKIPPED_ROLES = {"system", "developer"}
_ASSISTANT_SIDE = {"assistant", "tool", "function"}


@dataclass(frozen=True)
class Turn:
    role: Role
    text: str  # what the tree stores for this turn


def message_text(message: dict[str, Any]) -> str:
    """A message's content as text: text parts joined, other parts named, tool calls written out."""
    content = message.get("content")
    parts: list[str] = []
    if isinstance(content, str):
        parts.append(content)
    elif isinstance(content, list):
        for part in content:
            if isinstance(part, dict) and part.get("type") == "text" and isinstance(part.get("text"), str):
                parts.append(part["text"])
            elif isinstance(part, dict):
                parts.append(f"[{part.get('type', 'part')}]")
    elif content is not None:
        raise InvalidInput("messages[].content must be a string, an array of parts or null.", field="content")
    for call in message.get("tool_calls") or ():
        function = call.get("function") or {} if isinstance(call, dict) else {}
        parts.append(f"[tool call {function.get('name', '?')}({_arguments(function.get('arguments'))})]")
    legacy = message.get("function_call")
    if isinstance(legacy, dict):
        parts.append(f"[tool call {legacy.get('name', '?')}({_arguments(legacy.get('arguments'))})]")
    return _normalise("\n".join(p for p in parts if p))


def _arguments(raw: object) -> str:
    # Arguments are JSON text; compact them so a client that re-serialises them still matches.
    if isinstance(raw, str):
        try:
            return json.dumps(json.loads(raw), separators=(",", ":"), ensure_ascii=False, sort_keys=True)
        except ValueError:
            return raw
    return "" if raw is None else json.dumps(raw, separators=(",", ":"), ensure_ascii=False, sort_keys=True)


def _normalise(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    return "\n".join(" ".join(line.split()) for line in text.strip().splitlines()).strip()


def turns(messages: Sequence[Any]) -> list[Turn]:
    """The alternating user/assistant turns of ``messages`` (see the module docstring)."""
    out: list[Turn] = []
    for index, message in enumerate(messages):
        if not isinstance(message, dict) or not isinstance(message.get("role"), str):
            raise InvalidInput(f"messages[{index}] must be an object with a role.", field="messages")
        role = message["role"]
        if role in SKIPPED_ROLES:
            continue
        if role == "user":
            text = message_text(message) or "[empty message]"
            if out and out[-1].role == "user":
                out[-1] = Turn("user", out[-1].text + "\n\n" + text)
            else:
                out.append(Turn("user", text))
        elif role in _ASSISTANT_SIDE:
            if not out:
                continue  # an assistant greeting before the first user message: not part of the path
            if out[-1].role == "user":
                out.append(Turn("assistant", message_text(message) or "[empty reply]"))
            # later messages of the same assistant group (tool results, further rounds) are the same turn
        else:
            raise InvalidInput(f"messages[{index}].role {role!r} is not one of system, developer, user, "
                               "assistant, tool.", field="messages")
    return out


def seed(user_id: str, conversation_key: str | None) -> str:
    """The chain's start: the user, and the client's conversation key if it sent one."""
    return hashlib.sha256(f"lastresort-proxy\x1f{user_id}\x1f{conversation_key or ''}".encode()).hexdigest()


def chain(start: str, path: Sequence[Turn]) -> list[str]:
    """The chain hash after each turn of ``path``."""
    hashes: list[str] = []
    current = start
    for turn in path:
        current = hashlib.sha256(f"{current}\x1f{turn.role}\x1f{turn.text}".encode()).hexdigest()
        hashes.append(current)
    return hashes
