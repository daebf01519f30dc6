"""``lastresort replay``: run scripted conversations through the service and record every decision.

Input: one JSON object a line, ``{"id": str, "turns": [user message, ...]}``. Output: one line per input,
``{"id", "ended", "ended_at", "end_reason", "actions"}``. After an end every remaining turn is still tried; each
gets ``"locked"``, and the store is checked to have kept nothing from it. Lines are processed one at a time, so
memory stays flat however long the input is.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from lastresort.errors import ConversationEnded, LastResortError
from lastresort.service import ConversationService
from lastresort.store.repo import UserRow

__all__ = ["ReplayError", "replay_lines", "replay_one"]

LOCKED = "locked"


class ReplayError(Exception):
    """An input line is not a valid replay record."""


@dataclass(frozen=True)
class _Record:
    id: str
    turns: list[str]


def parse_line(line: str, lineno: int) -> _Record:
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise ReplayError(f"line {lineno}: not JSON ({exc.msg})") from None
    if not isinstance(data, dict):
        raise ReplayError(f"line {lineno}: expected an object with 'id' and 'turns'")
    rid, turns = data.get("id"), data.get("turns")
    if not isinstance(rid, str) or not rid:
        raise ReplayError(f"line {lineno}: 'id' must be a non-empty string")
    if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
        raise ReplayError(f"line {lineno} ({rid}): 'turns' must be a list of strings")
    return _Record(rid, turns)


def replay_one(service: ConversationService, user: UserRow, record_id: str, turns: list[str]) -> dict[str, Any]:
    conv = service.create_conversation(user, title=record_id[:200])
    actions: list[str] = []
    ended_at: int | None = None
    end_reason: str | None = None
    for i, text in enumerate(turns, start=1):
        if ended_at is not None:
            before = _count(service, conv.id)
            try:
                service.post_message(user, conv.id, text)
            except ConversationEnded:
                pass
            else:
                raise AssertionError(f"{record_id}: turn {i} was accepted after the end at turn {ended_at}")
            if _count(service, conv.id) != before:
                raise AssertionError(f"{record_id}: turn {i} stored messages on an ended conversation")
            actions.append(LOCKED)
            continue
        try:
            turn = service.post_message(user, conv.id, text)
        except LastResortError as exc:  # e.g. an empty or oversize turn: recorded, the replay goes on
            actions.append(f"error:{exc.code}")
            continue
        decision = turn.user_message.state.decision if turn.user_message else None
        actions.append(decision.action.value if decision else "unknown")
        if turn.state.ending is not None:
            ended_at, end_reason = i, turn.state.ending.category or turn.state.ending.reason
    return {"id": record_id, "ended": ended_at is not None, "ended_at": ended_at, "end_reason": end_reason,
            "actions": actions}


def _count(service: ConversationService, conversation_id: str) -> int:
    with service.store.read() as tx:
        return tx.count_messages(conversation_id)


def replay_lines(service: ConversationService, lines: Iterable[str], user_name: str = "replay") -> Iterator[
        dict[str, Any]]:
    """Yield one result per non-blank input line; a bad line yields ``{"id", "error"}`` and the rest go on."""
    user = service.local_user(user_name)
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            record = parse_line(line, lineno)
        except ReplayError as exc:
            yield {"id": None, "line": lineno, "error": str(exc)}
            continue
        yield replay_one(service, user, record.id, record.turns)
