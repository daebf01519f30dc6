"""A suite: scripted multi-turn conversations, each with the outcome the policy should reach.

One JSON object a line::

    {"id": "abuse-0001", "suite": "simulated", "category": "persistent-abuse", "expected": "end",
     "persistent": true, "turns": ["...", "..."]}

``expected`` is ``end`` (the chat should end), ``no_end`` (it must never end) or ``crisis`` (the user may be at
risk: it must never end, and crisis support should be offered). ``persistent`` marks persistent abuse or harm,
the conversations the "ended before turn 7" target is about (an explicit end request is ``end`` but not
persistent). ``quotable`` is false for suites whose licence is unclear: reports then leave their text out.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

__all__ = ["EXPECTED", "Conversation", "SuiteError", "read_suite", "write_suite"]

EXPECTED = ("end", "no_end", "crisis")


class SuiteError(Exception):
    """A suite line is not a valid conversation."""


@dataclass(frozen=True, kw_only=True)
class Conversation:
    id: str
    suite: str
    category: str
    expected: str
    turns: tuple[str, ...]
    persistent: bool = False
    quotable: bool = True

    def __post_init__(self) -> None:
        if self.expected not in EXPECTED:
            raise SuiteError(f"{self.id}: expected must be one of {', '.join(EXPECTED)}, got {self.expected!r}")
        if not self.turns:
            raise SuiteError(f"{self.id}: a conversation needs at least one turn")
        if self.persistent and self.expected != "end":
            raise SuiteError(f"{self.id}: only an expected end can be persistent")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["turns"] = list(self.turns)
        return data

    @classmethod
    def from_dict(cls, data: Any, where: str = "") -> Conversation:
        if not isinstance(data, dict):
            raise SuiteError(f"{where}expected a JSON object")
        for key in ("id", "category", "expected"):
            if not isinstance(data.get(key), str) or not data[key]:
                raise SuiteError(f"{where}{key!r} must be a non-empty string")
        turns = data.get("turns")
        if not isinstance(turns, list) or not all(isinstance(t, str) for t in turns):
            raise SuiteError(f"{where}'turns' must be a list of strings")
        for key in ("persistent", "quotable"):
            if key in data and not isinstance(data[key], bool):
                raise SuiteError(f"{where}{key!r} must be true or false")
        suite = data.get("suite", "custom")
        if not isinstance(suite, str) or not suite:
            raise SuiteError(f"{where}'suite' must be a non-empty string")
        return cls(id=data["id"], suite=suite, category=data["category"], expected=data["expected"],
                   turns=tuple(turns), persistent=data.get("persistent", False),
                   quotable=data.get("quotable", True))


def read_suite(path: Path, *, suite: str | None = None) -> Iterator[Conversation]:
    """Conversations from a JSONL file; ``suite`` names the suite of lines that do not name one."""
    with path.open(encoding="utf-8") as f:
        for lineno, line in enumerate(f, start=1):
            if not line.strip():
                continue
            where = f"{path}:{lineno}: "
            try:
                data = json.loads(line)
            except json.JSONDecodeError as exc:
                raise SuiteError(f"{where}not JSON ({exc.msg})") from None
            if isinstance(data, dict) and suite and "suite" not in data:
                data["suite"] = suite
            try:
                yield Conversation.from_dict(data, where)
            except SuiteError as exc:
                raise SuiteError(str(exc) if str(exc).startswith(where) else where + str(exc)) from None


def write_suite(path: Path, conversations: Iterable[Conversation]) -> int:
    n = 0
    with path.open("w", encoding="utf-8") as f:
        for conv in conversations:
            f.write(json.dumps(conv.to_dict(), ensure_ascii=False) + "\n")
            n += 1
    return n
