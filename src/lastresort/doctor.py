"""``lastresort doctor``: check a whole database against a fresh fold of every path.

The cached state on each message must equal the policy's fold over the path to it; no user message may hang off
an ended path or off a user message; every conversation's active leaf must exist. A crash, a bad migration or a
race that slipped through shows up here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy import select

from lastresort.core.assessment import Assessment
from lastresort.core.policy import Policy
from lastresort.core.signals import ConversationSignals
from lastresort.core.state import PathState
from lastresort.core.tree import AssistantTurn, Turn, UserTurn
from lastresort.store.repo import MessageRow, Store
from lastresort.store.tables import conversations

__all__ = ["Problem", "Report", "check", "turn_of"]


@dataclass(frozen=True, kw_only=True)
class Problem:
    conversation_id: str
    message_id: str | None
    kind: str  # state_mismatch | message_after_end | user_after_user | missing_parent | bad_active_leaf
    #           | branch_count_mismatch
    detail: str


@dataclass(kw_only=True)
class Report:
    conversations: int = 0
    messages: int = 0
    unanswered: int = 0  # user messages still awaiting a reply (a failed or interrupted turn; retry completes it)
    problems: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.problems


def turn_of(m: MessageRow) -> Turn:
    """The turn a stored message stands for: every input the fold reads, and nothing else."""
    if m.role == "user":
        return UserTurn(content=m.content, assessment=Assessment.from_dict(m.assessment or {}),
                        signals=ConversationSignals.from_dict(m.signals), reinstated=m.reinstated)
    return AssistantTurn(content=m.content, end_requested=m.end_requested, reinstated=m.reinstated)


def check_conversation(conversation_id: str, active_leaf_id: str | None, msgs: list[MessageRow],
                       policy: Policy, branch_counts: tuple[int, int] | None = None) -> Iterator[Problem]:
    by_id = {m.id: m for m in msgs}
    fresh: dict[str, PathState] = {}
    onsets = [0, 0]  # paths that ended / became crisis paths at a message: what the conversation row counts
    for m in msgs:  # creation order: a parent always comes before its children
        parent = by_id.get(m.parent_id) if m.parent_id else None
        if m.parent_id and parent is None:
            yield Problem(conversation_id=conversation_id, message_id=m.id, kind="missing_parent",
                          detail=f"parent {m.parent_id} does not exist")
            continue
        before = fresh[parent.id] if parent else PathState()
        if m.role == "user" and before.ended:
            yield Problem(conversation_id=conversation_id, message_id=m.id, kind="message_after_end",
                          detail="a user message was stored on a path that had ended")
            continue
        if m.role == "user" and parent is not None and parent.role == "user":
            yield Problem(conversation_id=conversation_id, message_id=m.id, kind="user_after_user",
                          detail="a user message follows a user message")
            continue
        try:
            state = policy.step(before, turn_of(m))
        except Exception as exc:  # the fold itself refuses the path
            yield Problem(conversation_id=conversation_id, message_id=m.id, kind="state_mismatch",
                          detail=f"the fold refuses this path: {exc}")
            continue
        fresh[m.id] = state
        onsets[0] += state.ended and not before.ended
        onsets[1] += state.crisis and not before.crisis
        if state != m.state:
            yield Problem(conversation_id=conversation_id, message_id=m.id, kind="state_mismatch",
                          detail="cached state differs from a fresh fold of the path")
    if branch_counts is not None and tuple(onsets) != branch_counts:
        yield Problem(conversation_id=conversation_id, message_id=None, kind="branch_count_mismatch",
                      detail=f"ended/crisis branch counts are {branch_counts}, the messages give {tuple(onsets)}")
    if active_leaf_id is not None and active_leaf_id not in by_id:
        yield Problem(conversation_id=conversation_id, message_id=active_leaf_id, kind="bad_active_leaf",
                      detail="the active leaf does not exist")


def check(store: Store, policy: Policy | None = None) -> Report:
    """Check every conversation, one at a time (memory stays bounded by the largest conversation)."""
    policy = policy or Policy()
    report = Report(problems=[])
    with store.read() as tx:
        ids = [(r.id, r.active_leaf_id, (r.ended_branches, r.crisis_branches)) for r in tx.conn.execute(
            select(conversations.c.id, conversations.c.active_leaf_id, conversations.c.ended_branches,
                   conversations.c.crisis_branches).order_by(conversations.c.id))]
    for conversation_id, active_leaf_id, counts in ids:
        with store.read() as tx:
            msgs = tx.messages(conversation_id)
        report.conversations += 1
        report.messages += len(msgs)
        answered = {m.parent_id for m in msgs if m.role == "assistant"}
        report.unanswered += sum(1 for m in msgs if m.role == "user" and m.id not in answered)
        report.problems.extend(check_conversation(conversation_id, active_leaf_id, msgs, policy, counts))
    return report
