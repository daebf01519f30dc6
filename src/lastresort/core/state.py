"""Derived state of a path: the values the policy folds, cached per node by the store.

A :class:`PathState` is computed from the path alone. The store keeps the state of every node so a new turn
reads one row (its parent's) instead of re-reading the whole path; ``lastresort doctor`` and the property tests
check that the cache equals a fresh fold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from lastresort.core.actions import Action
from lastresort.core.categories import Category

__all__ = ["Decision", "Ending", "Evidence", "PathState", "MAX_EVIDENCE"]

#: Evidence kept per path. Bounded so the cached state, and so the cost of a turn, stays O(1) in path length.
MAX_EVIDENCE = 32

#: ``Ending.reason`` when the user asked to end the chat.
USER_REQUEST = "user_request"


@dataclass(frozen=True, kw_only=True)
class Evidence:
    """One turn that moved the escalation: its 1-based user turn number, what was done, and why."""

    turn: int
    action: Action
    category: Category | None = None
    score: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "action": self.action.value,
            "category": self.category.value if self.category else None,
            "score": round(self.score, 4),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Evidence:
        return cls(
            turn=int(data["turn"]),
            action=Action(data["action"]),
            category=Category(data["category"]) if data.get("category") else None,
            score=float(data.get("score", 0.0)),
        )


@dataclass(frozen=True, kw_only=True)
class Decision:
    """The policy's choice for one user turn, with everything needed to explain it."""

    turn: int
    action: Action
    category: Category | None = None
    scores: Mapping[str, float] = field(default_factory=dict)
    end_permitted: bool = False  # may a model's end_conversation request be honoured on this turn?
    explanation: str = ""
    # The escalation as it stands after this turn, so a decision explains itself without the rest of the path.
    pushbacks: int = 0
    warnings: int = 0
    evidence_turns: tuple[int, ...] = ()
    signals: Mapping[str, int] = field(default_factory=dict)  # sibling-branch counts the policy saw (if any)

    def to_dict(self) -> dict[str, Any]:
        return {
            "turn": self.turn,
            "action": self.action.value,
            "category": self.category.value if self.category else None,
            "scores": dict(sorted(self.scores.items())),
            "end_permitted": self.end_permitted,
            "explanation": self.explanation,
            "pushbacks": self.pushbacks,
            "warnings": self.warnings,
            "evidence_turns": list(self.evidence_turns),
            "signals": dict(sorted(self.signals.items())),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Decision:
        return cls(
            turn=int(data["turn"]),
            action=Action(data["action"]),
            category=Category(data["category"]) if data.get("category") else None,
            scores={str(k): float(v) for k, v in data.get("scores", {}).items()},
            end_permitted=bool(data.get("end_permitted", False)),
            explanation=str(data.get("explanation", "")),
            pushbacks=int(data.get("pushbacks", 0)),
            warnings=int(data.get("warnings", 0)),
            evidence_turns=tuple(int(t) for t in data.get("evidence_turns", ())),
            signals={str(k): int(v) for k, v in data.get("signals", {}).items()},
        )


@dataclass(frozen=True, kw_only=True)
class Ending:
    """Why and where a path ended. ``reason`` is a category value, or ``user_request``/``model_request``."""

    turn: int
    reason: str
    category: str | None  # the harm category behind the end; "end_request" when the user asked
    by: str  # "policy", "user" or "model"
    explanation: str
    pushbacks: int
    warnings: int
    evidence: tuple[Evidence, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["evidence"] = [e.to_dict() for e in self.evidence]
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Ending:
        return cls(
            turn=int(data["turn"]),
            reason=str(data["reason"]),
            category=str(data["category"]) if data.get("category") else None,
            by=str(data["by"]),
            explanation=str(data["explanation"]),
            pushbacks=int(data["pushbacks"]),
            warnings=int(data["warnings"]),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
        )


@dataclass(frozen=True, kw_only=True)
class PathState:
    """Everything the policy knows about a path, after its last message."""

    user_turns: int = 0
    harmful_turns: int = 0
    pushbacks: int = 0  # refusals + redirections
    warnings: int = 0
    crisis: bool = False  # a crisis signal was seen: ending is disabled on this path for good
    crisis_turns: int = 0  # turns answered with crisis support
    check_ins: int = 0  # turns answered with a check-in (a faint crisis signal)
    calm_turns: int = 0  # answered turns in a row since the last harmful one: drives recovery
    recoveries: int = 0  # escalation steps undone by recovery so far
    decision: Decision | None = None  # the latest user turn's decision
    awaiting_reply: bool = False  # the last message is a user message without a reply
    evidence: tuple[Evidence, ...] = ()
    ending: Ending | None = None
    reinstated: int = 0  # endings on this path that an operator reversed (their evidence is kept)

    @property
    def ended(self) -> bool:
        return self.ending is not None

    @property
    def supported(self) -> bool:
        """Crisis support was given on this path: later replies keep a reminder of it. A check-in alone does not
        make a path one (it may well have been an ordinary request), though it disables ending all the same."""
        return self.crisis_turns > 0

    @property
    def status(self) -> str:
        return "ended" if self.ended else "open"

    @property
    def last_action(self) -> Action | None:
        return self.decision.action if self.decision else None

    def with_evidence(self, item: Evidence, **changes: Any) -> PathState:
        return replace(self, evidence=(self.evidence + (item,))[-MAX_EVIDENCE:], **changes)

    def to_dict(self) -> dict[str, Any]:
        return {
            "status": self.status,
            "user_turns": self.user_turns,
            "harmful_turns": self.harmful_turns,
            "pushbacks": self.pushbacks,
            "warnings": self.warnings,
            "crisis": self.crisis,
            "crisis_turns": self.crisis_turns,
            "check_ins": self.check_ins,
            "calm_turns": self.calm_turns,
            "recoveries": self.recoveries,
            "decision": self.decision.to_dict() if self.decision else None,
            "awaiting_reply": self.awaiting_reply,
            "evidence": [e.to_dict() for e in self.evidence],
            "ending": self.ending.to_dict() if self.ending else None,
            "reinstated": self.reinstated,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> PathState:
        return cls(
            user_turns=int(data["user_turns"]),
            harmful_turns=int(data["harmful_turns"]),
            pushbacks=int(data["pushbacks"]),
            warnings=int(data["warnings"]),
            crisis=bool(data["crisis"]),
            crisis_turns=int(data["crisis_turns"]),
            check_ins=int(data.get("check_ins", 0)),  # states cached before check-ins existed have none
            calm_turns=int(data.get("calm_turns", 0)),
            recoveries=int(data.get("recoveries", 0)),
            decision=Decision.from_dict(data["decision"]) if data.get("decision") else None,
            awaiting_reply=bool(data["awaiting_reply"]),
            evidence=tuple(Evidence.from_dict(e) for e in data.get("evidence", ())),
            ending=Ending.from_dict(data["ending"]) if data.get("ending") else None,
            reinstated=int(data.get("reinstated", 0)),
        )
