"""Per-message assessment values: what an assessor returns and what the policy reads."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lastresort.core.actions import Action
from lastresort.core.categories import Category

__all__ = ["AssessContext", "Assessment"]


@dataclass(frozen=True, kw_only=True)
class AssessContext:
    """What an assessor may know about the path before the message it scores.

    Kept small on purpose: the previous action lets "yes" mean "yes, end it" after a ``confirm_end``, and the
    recent user turns let a short follow-up ("do it again") inherit the meaning of what came before.
    """

    previous_action: Action | None = None
    recent_user_turns: tuple[str, ...] = ()
    locale: str | None = None


@dataclass(frozen=True, kw_only=True)
class Assessment:
    """Scores in [0, 1] per category, plus the human-readable reasons that produced them."""

    scores: Mapping[Category, float] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()
    assessor: str = "unknown"

    def __post_init__(self) -> None:
        for category, score in self.scores.items():
            if not isinstance(category, Category):
                raise TypeError(f"unknown category {category!r}")
            if not 0.0 <= score <= 1.0:
                raise ValueError(f"score for {category} must be in [0, 1], got {score}")

    def score(self, category: Category) -> float:
        return float(self.scores.get(category, 0.0))

    def to_dict(self) -> dict[str, Any]:
        return {
            "scores": {c.value: round(s, 4) for c, s in sorted(self.scores.items())},
            "reasons": list(self.reasons),
            "assessor": self.assessor,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Assessment:
        return cls(
            scores={Category(k): float(v) for k, v in data.get("scores", {}).items()},
            reasons=tuple(data.get("reasons", ())),
            assessor=str(data.get("assessor", "unknown")),
        )
