"""The one action the policy chooses for each user turn."""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Action"]


class Action(StrEnum):
    ANSWER = "answer"  # an ordinary reply
    REFUSE = "refuse"  # decline a harmful request, offer something safe instead
    REDIRECT = "redirect"  # steer away from abuse back to the task
    WARN = "warn"  # name the behaviour and say the chat may end if it goes on
    CRISIS_SUPPORT = "crisis_support"  # the user may be at risk: support and resources, never an ending
    CHECK_IN = "check_in"  # a faint, unclear sign of risk: answer, with one line of support; never an ending
    CONFIRM_END = "confirm_end"  # the user may want to end the chat: ask first
    END = "end"  # the last resort: the chat on this path is over

    @property
    def is_pushback(self) -> bool:
        """Refusals and redirections: the steps that must fail before a warning and an end."""
        return self in (Action.REFUSE, Action.REDIRECT)
