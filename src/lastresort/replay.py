"""``lastresort replay``: run scripted conversations through the service and record every decision.

Input: one JSON object a line, ``{"id": str, "turns": [user message, ...]}``. Output: one line per input,
``{"id", "ended", "ended_at", "end_reason", "actions"}``. After an end every remaining turn is still tried; each
gets ``"locked"``, and the store is checked to have kept nothing from it. Lines are read in chunks of
``CHUNK``: the assessor scores a chunk's messages in one batch (``ConversationService.prefetch``), then its
conversations run one at a time, turn by turn. Memory stays flat however long the input is.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from lastresort.core.state import PathState
from lastresort.errors import ConversationEnded, LastResortError
from lastresort.service import ConversationService
from lastresort.store.repo import MessageRow, UserRow

__all__ = ["ConversationTrace", "ReplayError", "TurnTrace", "replay_lines", "replay_one", "run_conversation",
           "run_interactive"]

LOCKED = "locked"
#: Input lines read (and their messages batch-assessed) at a time.
CHUNK = 64


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
    if not turns:  # it would only leave an empty conversation behind
        raise ReplayError(f"line {lineno} ({rid}): 'turns' is empty: give at least one user message")
    return _Record(rid, turns)


@dataclass(frozen=True, kw_only=True)
class TurnTrace:
    """One scripted user turn and what became of it."""

    user: str
    action: str  # the policy's action, "locked" after an end, or "error:<code>" for a refused input
    reply: str | None = None
    end_requested: bool = False  # the responder asked to end the chat on this turn


@dataclass(frozen=True, kw_only=True)
class ConversationTrace:
    """A scripted conversation run through the service: every turn, the final state and the stored path."""

    id: str
    conversation_id: str
    turns: tuple[TurnTrace, ...]
    state: PathState
    path: tuple[MessageRow, ...]

    @property
    def ended_at(self) -> int | None:
        return self.state.ending.turn if self.state.ending else None

    @property
    def end_reason(self) -> str | None:
        ending = self.state.ending
        return (ending.category or ending.reason) if ending else None


def run_conversation(service: ConversationService, user: UserRow, record_id: str,
                     turns: list[str]) -> ConversationTrace:
    """Post ``turns`` one by one to a new conversation; turns after an end must be refused and store nothing."""
    queue = iter(turns)
    return run_interactive(service, user, record_id, lambda _: next(queue, None), after_end=True)


def run_interactive(service: ConversationService, user: UserRow, record_id: str,
                    next_turn: Callable[[Sequence[TurnTrace]], str | None], *,
                    after_end: bool = False) -> ConversationTrace:
    """Post what ``next_turn(turns so far)`` says until it returns None (a live simulated user, or a script).

    With ``after_end`` the turns after an end are still posted: each must be refused and store nothing.
    """
    conv = service.create_conversation(user, title=record_id[:200])
    traces: list[TurnTrace] = []
    ended_at: int | None = None
    while (text := next_turn(traces)) is not None:
        i = len(traces) + 1
        if ended_at is not None:
            if not after_end:
                break
            before = _count(service, conv.id)
            try:
                service.post_message(user, conv.id, text)
            except ConversationEnded:
                pass
            else:
                raise AssertionError(f"{record_id}: turn {i} was accepted after the end at turn {ended_at}")
            if _count(service, conv.id) != before:
                raise AssertionError(f"{record_id}: turn {i} stored messages on an ended conversation")
            traces.append(TurnTrace(user=text, action=LOCKED))
            continue
        try:
            turn = service.post_message(user, conv.id, text)
        except LastResortError as exc:  # e.g. an empty or oversize turn: recorded, the run goes on
            traces.append(TurnTrace(user=text, action=f"error:{exc.code}"))
            continue
        decision = turn.user_message.state.decision if turn.user_message else None
        traces.append(TurnTrace(user=text, action=decision.action.value if decision else "unknown",
                                reply=turn.assistant_message.content,
                                end_requested=turn.assistant_message.end_requested))
        if turn.state.ending is not None:
            ended_at = i
    view = service.get_conversation(user, conv.id)
    return ConversationTrace(id=record_id, conversation_id=conv.id, turns=tuple(traces), state=view.state,
                             path=tuple(view.active_path))


def replay_one(service: ConversationService, user: UserRow, record_id: str, turns: list[str]) -> dict[str, Any]:
    trace = run_conversation(service, user, record_id, turns)
    return {"id": record_id, "ended": trace.ended_at is not None, "ended_at": trace.ended_at,
            "end_reason": trace.end_reason, "actions": [t.action for t in trace.turns]}


def _count(service: ConversationService, conversation_id: str) -> int:
    with service.store.read() as tx:
        return tx.count_messages(conversation_id)


def replay_lines(service: ConversationService, lines: Iterable[str], user_name: str = "replay") -> Iterator[
        dict[str, Any]]:
    """Yield one result per non-blank input line; a bad line yields ``{"id", "error"}`` and the rest go on."""
    user = service.local_user(user_name)
    chunk: list[_Record | dict[str, Any]] = []
    for lineno, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            chunk.append(parse_line(line, lineno))
        except ReplayError as exc:
            chunk.append({"id": None, "line": lineno, "error": str(exc)})
        if len(chunk) >= CHUNK:
            yield from _run_chunk(service, user, chunk)
            chunk = []
    yield from _run_chunk(service, user, chunk)


def _run_chunk(service: ConversationService, user: UserRow,
               chunk: list[_Record | dict[str, Any]]) -> Iterator[dict[str, Any]]:
    records = [r for r in chunk if isinstance(r, _Record)]
    if records:
        service.prefetch([t for r in records for t in r.turns])
    for item in chunk:
        yield replay_one(service, user, item.id, item.turns) if isinstance(item, _Record) else item
