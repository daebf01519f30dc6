"""Welfare signals of a stored path (the pure computation lives in :mod:`lastresort.core.welfare`)."""

from __future__ import annotations

from collections.abc import Sequence

from lastresort.core.state import Decision, PathState
from lastresort.core.welfare import WelfareSignals, welfare_signals
from lastresort.store.repo import MessageRow

__all__ = ["path_welfare"]


def path_welfare(path: Sequence[MessageRow]) -> WelfareSignals:
    """Signals of ``path`` (root to leaf): each user turn's cached decision and its reply's ``end_requested``."""
    turns: list[tuple[Decision, bool]] = []
    for i, message in enumerate(path):
        decision = message.state.decision
        if message.role != "user" or decision is None:
            continue
        reply = path[i + 1] if i + 1 < len(path) else None
        turns.append((decision, bool(reply and reply.role == "assistant" and reply.end_requested)))
    return welfare_signals(turns, path[-1].state if path else PathState())
