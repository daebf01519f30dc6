"""Welfare signals from decisions and end requests (pure)."""

from __future__ import annotations

from dataclasses import replace

from lastresort.core.actions import Action
from lastresort.core.categories import Category
from lastresort.core.state import Decision, Ending, PathState
from lastresort.core.welfare import WelfareSignals, welfare_signals


def d(turn: int, action: Action, category: Category | None = None) -> Decision:
    return Decision(turn=turn, action=action, category=category)


def test_counts_persistence_and_model_requests() -> None:
    turns = [
        (d(1, Action.ANSWER), False),
        (d(2, Action.REFUSE, Category.CYBER_HARM), True),
        (d(3, Action.ANSWER), False),
        (d(4, Action.REDIRECT, Category.ABUSE), False),
        (d(5, Action.WARN, Category.ABUSE), True),
        (d(6, Action.CRISIS_SUPPORT, Category.SELF_HARM_RISK), False),
    ]
    signals = welfare_signals(turns, PathState(user_turns=6))
    assert signals == WelfareSignals(user_turns=6, refusals=1, redirections=1, warnings=1, crisis_support_turns=1,
                                     harmful_turns=3, harmful_after_pushback=2, longest_harmful_run=2,
                                     model_end_requests=2, model_end_allowed=False, ended_by=None, ended_at=None)


def test_an_honoured_model_request_is_reported() -> None:
    ending = Ending(turn=2, reason="model_request", category="abuse", by="model", explanation="", pushbacks=2,
                    warnings=1)
    state = replace(PathState(user_turns=2), ending=ending)
    signals = welfare_signals([(d(1, Action.WARN, Category.ABUSE), False), (d(2, Action.END, Category.ABUSE), True)],
                              state)
    assert (signals.model_end_allowed, signals.ended_by, signals.ended_at) == (True, "model", 2)
    assert signals.to_dict()["model_end_requests"] == 1
    assert welfare_signals([], PathState()) == WelfareSignals()
