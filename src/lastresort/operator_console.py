"""The operator's side: the queue of endings and disputes, reviews (uphold / reinstate) and counts at a glance.

A review is stored on the message whose turn ended the path (``messages.review``) and in the append-only audit
log. Reinstating is an input of the fold (``UserTurn.reinstated`` / ``AssistantTurn.reinstated``): the cached
states of that message and of its reply are re-folded, so ``lastresort doctor`` still finds cache == fold, and
the branch opens again with its evidence kept.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any, Literal

from lastresort.core.actions import Action
from lastresort.core.state import Ending, PathState
from lastresort.doctor import turn_of
from lastresort.errors import Forbidden, InvalidInput, MessageNotFound
from lastresort.service import ConversationService, check_text
from lastresort.store.repo import FeedbackRow, MessageRow, Tx, UserRow

__all__ = ["EndingCase", "OperatorConsole", "Outcome", "Stats"]

Outcome = Literal["upheld", "reinstated"]
_ENDED = "conversation_ended"


@dataclass(frozen=True, kw_only=True)
class EndingCase:
    """One ending to review: where it happened, the path that led to it, what the user said about it."""

    conversation_id: str
    conversation_title: str
    user_name: str
    message_id: str  # the message whose turn ended the path
    ended_at: datetime
    ending: Ending
    path: list[MessageRow]  # root to the ending message, and the ending reply if it is a user message
    feedback: list[FeedbackRow]
    review: dict[str, Any] | None

    @property
    def disputed(self) -> bool:
        return any(f.dispute for f in self.feedback)

    @property
    def status(self) -> str:
        return str(self.review["outcome"]) if self.review else ("disputed" if self.disputed else "open")


@dataclass(frozen=True, kw_only=True)
class Stats:
    endings: int
    endings_per_day: list[tuple[date, int]]  # the last ``days`` days, oldest first, zeros included
    endings_per_category: list[tuple[str, int]]  # most frequent first
    crisis_turns: int  # assistant replies written as crisis support
    check_in_turns: int  # answers with a check-in (a faint crisis signal)
    disputed_endings: int
    reinstated: int
    upheld: int

    @property
    def dispute_rate(self) -> float:
        return self.disputed_endings / self.endings if self.endings else 0.0


class OperatorConsole:
    def __init__(self, service: ConversationService) -> None:
        self.service = service

    @staticmethod
    def require_operator(user: UserRow) -> None:
        if user.role != "operator":
            raise Forbidden("This needs the operator role.")

    def endings(self, operator: UserRow, *, status: str = "all", limit: int = 100) -> list[EndingCase]:
        """Endings newest first; ``status`` filters: all, open (not reviewed), disputed, upheld, reinstated."""
        self.require_operator(operator)
        if status not in ("all", "open", "disputed", "upheld", "reinstated"):
            raise InvalidInput("status must be all, open, disputed, upheld or reinstated.", field="status")
        if not 1 <= limit <= 500:
            raise InvalidInput("limit must be 1..500.", field="limit")
        cases: list[EndingCase] = []
        with self.service.store.read() as tx:
            for entry in tx.audit_by_action((_ENDED,)):
                if entry.message_id is None:
                    continue
                case = self._case(tx, entry.message_id, entry.created_at)
                if case is None:
                    continue
                if status == "all" or case.status == status or (status == "open" and case.status == "disputed"):
                    cases.append(case)
                if len(cases) >= limit:
                    break
        return cases

    def case(self, operator: UserRow, message_id: str) -> EndingCase:
        self.require_operator(operator)
        with self.service.store.read() as tx:
            message = self._ending_turn(tx, message_id)
            case = self._case(tx, message.id, message.created_at) if message else None
        if case is None:
            raise MessageNotFound("No ending at that message.", message_id=message_id)
        return case

    @staticmethod
    def _ending_turn(tx: Tx, message_id: str) -> MessageRow | None:
        """The message an ending is filed under. A policy ending is the user turn's; its reply (what a
        conversation names as ``ending_message_id``, and what users dispute) names the same ending."""
        message = tx.message_by_id(message_id) if _is_id(message_id) else None
        if message is not None and message.role == "assistant" and message.parent_id:
            parent = tx.get_message(message.conversation_id, message.parent_id)
            if parent is not None and (parent.state.ending is not None or parent.review):
                return parent
        return message

    def _case(self, tx: Tx, message_id: str, ended_at: datetime) -> EndingCase | None:
        message = tx.message_by_id(message_id)
        if message is None:
            return None
        conv = tx.conversation_by_id(message.conversation_id)
        assert conv is not None
        path = tx.path(conv.id, message.id)
        ending = message.state.ending
        if message.review and message.review.get("outcome") == "reinstated":
            ending = Ending.from_dict(message.review["ending"])
        if ending is None:  # pragma: no cover - an audit entry always names a message that ended its path
            return None
        replies = tx.children(conv.id, message.id) if message.role == "user" else []
        path += replies[:1]
        feedback = tx.feedback_on([m.id for m in path if m.role == "assistant"][-1:] or [message.id])
        return EndingCase(conversation_id=conv.id, conversation_title=conv.title,
                          user_name=tx.user_name(conv.user_id) or "?", message_id=message.id, ended_at=ended_at,
                          ending=ending, path=path, feedback=feedback, review=message.review)

    def review(self, operator: UserRow, message_id: str, outcome: Outcome, note: str = "") -> EndingCase:
        """Uphold or reinstate the ending caused by ``message_id``; both are recorded in the audit log."""
        self.require_operator(operator)
        note = check_text(note, field="note", max_chars=self.service.settings.max_comment_chars,
                          allow_empty=True).strip()
        if outcome not in ("upheld", "reinstated"):
            raise InvalidInput("outcome must be upheld or reinstated.", field="outcome")
        with self.service.store.write() as tx:
            message = self._ending_turn(tx, message_id)
            if message is None:
                raise MessageNotFound(message_id=message_id)
            conv = tx.conversation_by_id(message.conversation_id, lock=True)
            assert conv is not None
            parent = tx.get_message(conv.id, message.parent_id) if message.parent_id else None
            if message.state.ending is None or (parent is not None and parent.state.ended):
                if message.reinstated:
                    raise InvalidInput("That ending was already reinstated.", field="message_id")
                raise InvalidInput("That message did not end its conversation path.", field="message_id")
            review = {"outcome": outcome, "by": operator.id, "by_name": operator.name,
                      "at": datetime.now(UTC).isoformat(), "note": note, "ending": message.state.ending.to_dict()}
            tx.set_review(message.id, review)
            if outcome == "reinstated":
                self._refold(tx, replace(message, review=review), parent.state if parent else PathState(), review)
            tx.audit(actor=operator.id, action=f"ending_{outcome}", conversation_id=conv.id, message_id=message.id,
                     details={"note": note, "operator": operator.name, "ending": review["ending"]})
        return self.case(operator, message.id)

    def _refold(self, tx: Tx, message: MessageRow, start: PathState, review: dict[str, Any]) -> None:
        """Re-fold ``message`` and everything under it with the reinstatement as an input; fix the branch count.

        A reply under the reinstated turn that would end the path again on its own (a model's end request the
        turn's decision permitted) is part of the same ending and is reinstated with it.
        """
        policy = self.service.policy
        below = [m for m in tx.messages(message.conversation_id) if m.seq > message.seq]
        fresh: dict[str, PathState] = {}
        old: dict[str, PathState] = {}
        removed = 0
        for m, before_new, before_old in self._subtree(message, below, start, fresh, old):
            if m.state.ended and not before_old.ended:
                removed += 1
            state = policy.step(before_new, turn_of(m))
            if state.ended and not before_new.ended:
                tx.set_review(m.id, review)
                state = policy.step(before_new, turn_of(replace(m, review=review)))
            fresh[m.id], old[m.id] = state, m.state
            tx.set_state(m.id, state)
        tx.add_to_ended_branches(message.conversation_id, -removed)

    @staticmethod
    def _subtree(root: MessageRow, below: list[MessageRow], start: PathState, fresh: dict[str, PathState],
                 old: dict[str, PathState]) -> Any:
        yield root, start, start
        for m in below:  # creation order: parents come first
            if m.parent_id in fresh:
                yield m, fresh[m.parent_id], old[m.parent_id]

    def stats(self, operator: UserRow, *, days: int = 14) -> Stats:
        self.require_operator(operator)
        if not 1 <= days <= 366:
            raise InvalidInput("days must be 1..366.", field="days")
        today = datetime.now(UTC).date()
        first = today - timedelta(days=days - 1)
        with self.service.store.read() as tx:
            ended = tx.audit_by_action((_ENDED,))
            disputed = {e.message_id for e in tx.audit_by_action(("dispute",))}
            reviews = Counter(e.action for e in tx.audit_by_action(("ending_upheld", "ending_reinstated")))
            decided = tx.count_decisions()
            crisis, check_ins = decided[Action.CRISIS_SUPPORT.value], decided[Action.CHECK_IN.value]
            disputed_endings = 0
            for e in ended:
                message = tx.message_by_id(e.message_id) if e.message_id else None
                if message is None:
                    continue
                replies = tx.children(message.conversation_id, message.id) if message.role == "user" else []
                if disputed & ({message.id} | {r.id for r in replies}):
                    disputed_endings += 1
        per_day = Counter(e.created_at.astimezone(UTC).date() for e in ended)
        per_category = Counter(str(e.details.get("reason") or e.details.get("category") or "other") for e in ended)
        return Stats(endings=len(ended),
                     endings_per_day=[(first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0))
                                      for i in range(days)],
                     endings_per_category=per_category.most_common(), crisis_turns=crisis,
                     check_in_turns=check_ins,
                     disputed_endings=disputed_endings, reinstated=reviews["ending_reinstated"],
                     upheld=reviews["ending_upheld"])


def _is_id(value: str) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 32 and value.isalnum()
