"""Welfare signals of a path: what welfare research looks at, derived from the decisions already on record.

Counts of refusals and redirections, how persistently harmful requests came back after being refused, and
whether the model asked to end the chat and whether the policy let it. Nothing new is stored: the inputs are
each user turn's :class:`~lastresort.core.state.Decision` (cached on the message) and the ``end_requested``
flag of the reply that followed it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

from lastresort.core.actions import Action
from lastresort.core.categories import END_ELIGIBLE
from lastresort.core.state import Decision, PathState

__all__ = ["WelfareSignals", "welfare_signals"]


@dataclass(frozen=True, kw_only=True)
class WelfareSignals:
    user_turns: int = 0
    refusals: int = 0
    redirections: int = 0
    warnings: int = 0
    crisis_support_turns: int = 0
    check_in_turns: int = 0  # answers with a line of support after a faint crisis signal
    harmful_turns: int = 0  # abusive or harmful turns (any end-eligible category at the policy's threshold)
    harmful_after_pushback: int = 0  # of those, the ones that came after the first refusal or redirection
    longest_harmful_run: int = 0  # most consecutive harmful turns: persistence in its plainest form
    model_end_requests: int = 0  # replies in which the model asked to end the chat
    model_end_allowed: bool = False  # the policy let one of those requests end the chat
    ended_by: str | None = None  # "policy", "user", "model" or None while open
    ended_at: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def welfare_signals(turns: Iterable[tuple[Decision, bool]], state: PathState) -> WelfareSignals:
    """Signals of a path from its ``(decision, end_requested)`` per user turn and its final state."""
    refusals = redirections = warnings = crisis = check_ins = harmful = after_pushback = run = longest = requests = 0
    pushed_back = False
    for decision, end_requested in turns:
        action = decision.action
        is_harmful = decision.category in END_ELIGIBLE
        if is_harmful:
            harmful += 1
            after_pushback += pushed_back
            run += 1
            longest = max(longest, run)
        else:
            run = 0
        refusals += action is Action.REFUSE
        redirections += action is Action.REDIRECT
        warnings += action is Action.WARN
        crisis += action is Action.CRISIS_SUPPORT
        check_ins += action is Action.CHECK_IN
        requests += end_requested
        pushed_back = pushed_back or action.is_pushback
    ending = state.ending
    return WelfareSignals(
        user_turns=state.user_turns, refusals=refusals, redirections=redirections, warnings=warnings,
        crisis_support_turns=crisis, check_in_turns=check_ins, harmful_turns=harmful,
        harmful_after_pushback=after_pushback, longest_harmful_run=longest, model_end_requests=requests,
        model_end_allowed=ending is not None and ending.by == "model",
        ended_by=ending.by if ending else None, ended_at=ending.turn if ending else None,
    )
