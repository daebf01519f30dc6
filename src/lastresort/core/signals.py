"""Conversation-level signals the policy may see beside the path: what happened on sibling branches.

The state of a path is a fold over the path alone, so editing an earlier message starts a fresh fold from the
edit point. That is right for a user who takes something back, but a user who edits around an ending (or around
a crisis) again and again should not get a clean slate every time. The shell counts those branches when it
accepts a message and hands the counts in; the message stores what the policy saw, so a fresh fold of the path
reproduces the cached state exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["ConversationSignals"]


@dataclass(frozen=True, kw_only=True)
class ConversationSignals:
    ended_branches: int = 0  # paths of this conversation that had ended before this message was written
    crisis_branches: int = 0  # paths of this conversation that became crisis paths (crisis support given)

    def __post_init__(self) -> None:
        if self.ended_branches < 0 or self.crisis_branches < 0:
            raise ValueError("signal counts must not be negative")

    @property
    def any(self) -> bool:
        return bool(self.ended_branches or self.crisis_branches)

    def to_dict(self) -> dict[str, int]:
        return {"ended_branches": self.ended_branches, "crisis_branches": self.crisis_branches}

    @classmethod
    def from_dict(cls, data: Mapping[str, Any] | None) -> ConversationSignals:
        data = data or {}
        return cls(ended_branches=int(data.get("ended_branches", 0)),
                   crisis_branches=int(data.get("crisis_branches", 0)))
