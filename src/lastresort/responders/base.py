"""The one seam every responder implements: a stream of reply events for one turn."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from lastresort.core.state import Decision, PathState
from lastresort.core.tree import Role
from lastresort.responders.crisis_lines import CrisisLine

__all__ = ["EndRequest", "ReplyEvent", "ReplyRequest", "Responder", "TextDelta"]


@dataclass(frozen=True, kw_only=True)
class ReplyRequest:
    """Everything a responder may use to write one reply."""

    decision: Decision  # what the policy chose for this turn; the responder must follow it
    state: PathState  # the path's state after the user message (counts, crisis flag, warnings given)
    history: tuple[tuple[Role, str], ...]  # the path so far, oldest first, ending with the user message
    locale: str | None = None  # e.g. "en-GB", "es": picks crisis resources and, where supported, language
    variant: int = 0  # > 0 on a retry, so a deterministic responder can vary its wording
    #: Crisis resources for the locale from the configured table (None: the built-in table for ``locale``).
    resources: tuple[CrisisLine, ...] | None = None


@dataclass(frozen=True)
class TextDelta:
    """A piece of the reply's text."""

    text: str


@dataclass(frozen=True)
class EndRequest:
    """The model asks to end the chat (e.g. an ``end_conversation`` tool call). Only a request: the policy
    decides whether it is honoured (``Decision.end_permitted``)."""

    reason: str = ""


ReplyEvent = TextDelta | EndRequest


@runtime_checkable
class Responder(Protocol):
    name: str

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]: ...
