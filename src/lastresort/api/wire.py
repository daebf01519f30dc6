"""Request and response shapes of the JSON API."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictStr

from lastresort.core.state import PathState
from lastresort.service import ConversationView, TurnResult
from lastresort.store.repo import ConversationRow, FeedbackRow, MessageRow

# What the service accepts: some visible text, and no control characters but tab and newlines.
TEXT_PATTERN = (r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f]"
                r"[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$")
OPTIONAL_TEXT_PATTERN = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$"


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class CreateConversation(_In):
    title: StrictStr = Field("", max_length=200, pattern=OPTIONAL_TEXT_PATTERN)


class ErrorOut(BaseModel):
    """The one error shape (more keys may follow, e.g. `ending` on `conversation_ended`)."""

    model_config = ConfigDict(extra="allow")
    error: str
    message: str
    status: int


class PostMessage(_In):
    """Continues the active branch, or branches from `parent_id`, or edits `edit_of` (not both)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"not": {
        "required": ["parent_id", "edit_of"],
        "properties": {"parent_id": {"type": "string"}, "edit_of": {"type": "string"}},
    }})
    content: StrictStr = Field(description="The user's message.", min_length=1, pattern=TEXT_PATTERN)
    parent_id: StrictStr | None = Field(None, description="Continue from this message instead of the active leaf.")
    edit_of: StrictStr | None = Field(None, description="Edit: the new message becomes a sibling of this one.")
    locale: StrictStr | None = Field(None, max_length=35, description="e.g. en-GB; picks crisis resources.")


class Retry(_In):
    locale: StrictStr | None = Field(None, max_length=35)


class SwitchBranch(_In):
    message_id: StrictStr


class GiveFeedback(_In):
    """At least one of: a rating, a non-empty comment, or `dispute: true` (on an ending)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"anyOf": [
        {"required": ["rating"], "properties": {"rating": {"enum": ["up", "down"]}}},
        {"required": ["comment"], "properties": {"comment": {"pattern": TEXT_PATTERN}}},
        {"required": ["dispute"], "properties": {"dispute": {"const": True}}},
    ]})
    rating: Literal["up", "down"] | None = None
    comment: StrictStr = Field("", pattern=OPTIONAL_TEXT_PATTERN)
    dispute: StrictBool = False


class MessageOut(BaseModel):
    id: str
    parent_id: str | None
    role: str
    content: str
    created_at: datetime
    action: str | None = Field(None, description="Assistant messages: the policy action the reply was written for.")
    decision: dict[str, Any] | None = Field(None, description="Assistant messages: the whole decision (category, "
                                            "scores, explanation, counts, evidence turns).")
    end_requested: bool | None = Field(None, description="Assistant messages: the model asked to end the chat.")
    # Filled in the conversation view; a turn's response leaves them out (null) to keep a turn O(1).
    sibling_index: int | None = Field(None, description="0-based position among messages with the same parent.")
    sibling_count: int | None = None
    sibling_ids: list[str] | None = None


class StateOut(BaseModel):
    status: Literal["open", "ended"]
    user_turns: int
    pushbacks: int
    warnings: int
    crisis: bool = Field(description="A crisis signal was seen on this path (support or a check-in): it never ends.")
    crisis_turns: int = Field(0, description="Turns answered with crisis support.")
    check_ins: int = Field(0, description="Turns answered with a check-in: a faint crisis signal, answered with one "
                           "line of support.")
    awaiting_reply: bool
    recoveries: int = Field(0, description="Escalation steps undone because the user engaged productively.")
    decision: dict[str, Any] | None = Field(None, description="The latest turn's decision and its explanation.")
    evidence: list[dict[str, Any]]
    ending: dict[str, Any] | None = None
    ending_message_id: str | None = Field(None, description="The assistant reply that ended the chat.")
    reinstated: int = Field(0, description="Endings on this path that an operator reversed (evidence kept).")


class ConversationOut(BaseModel):
    id: str
    title: str
    active_leaf_id: str | None
    message_count: int
    created_at: datetime
    updated_at: datetime


class ConversationDetail(ConversationOut):
    state: StateOut
    active_path: list[str]
    messages: list[MessageOut]
    feedback: list[FeedbackOut]


class TurnOut(BaseModel):
    user_message: MessageOut | None
    assistant_message: MessageOut
    state: StateOut


class FeedbackOut(BaseModel):
    id: str
    message_id: str
    rating: str | None
    comment: str
    dispute: bool
    created_at: datetime


class WelfareOut(BaseModel):
    """Welfare signals of the active path (see ``lastresort.core.welfare``)."""

    user_turns: int
    refusals: int
    redirections: int
    warnings: int
    crisis_support_turns: int
    check_in_turns: int
    harmful_turns: int
    harmful_after_pushback: int
    longest_harmful_run: int
    model_end_requests: int
    model_end_allowed: bool
    ended_by: str | None
    ended_at: int | None


ConversationDetail.model_rebuild()


def message_out(m: MessageRow, siblings: list[str] | None = None) -> MessageOut:
    return MessageOut(
        id=m.id, parent_id=m.parent_id, role=m.role, content=m.content, created_at=m.created_at,
        action=(m.decision or {}).get("action") if m.role == "assistant" else None,
        decision=m.decision if m.role == "assistant" else None,
        end_requested=m.end_requested if m.role == "assistant" else None,
        sibling_index=siblings.index(m.id) if siblings else None,
        sibling_count=len(siblings) if siblings else None, sibling_ids=siblings,
    )


def ending_message_id(state: PathState, path: list[MessageRow]) -> str | None:
    """The assistant reply to the user turn that ended ``path`` (None if open or not yet written)."""
    if state.ending is None:
        return None
    users = [m for m in path if m.role == "user"]
    if len(users) < state.ending.turn:
        return None
    ending_user = users[state.ending.turn - 1]
    return next((m.id for m in path if m.parent_id == ending_user.id), None)


def state_out(state: PathState, path: list[MessageRow] | None = None) -> StateOut:
    data = state.to_dict()
    return StateOut(
        status=data["status"], user_turns=data["user_turns"], pushbacks=data["pushbacks"],
        warnings=data["warnings"], crisis=data["crisis"], crisis_turns=data["crisis_turns"],
        check_ins=data["check_ins"], awaiting_reply=data["awaiting_reply"],
        recoveries=data["recoveries"],
        decision=data["decision"], evidence=data["evidence"], ending=data["ending"],
        ending_message_id=ending_message_id(state, path) if path else None, reinstated=data["reinstated"],
    )


def conversation_out(c: ConversationRow) -> ConversationOut:
    return ConversationOut(id=c.id, title=c.title, active_leaf_id=c.active_leaf_id, message_count=c.message_count,
                           created_at=c.created_at, updated_at=c.updated_at)


def feedback_out(f: FeedbackRow) -> FeedbackOut:
    return FeedbackOut(id=f.id, message_id=f.message_id, rating=f.rating, comment=f.comment, dispute=f.dispute,
                       created_at=f.created_at)


def conversation_detail(view: ConversationView) -> ConversationDetail:
    siblings: dict[str | None, list[str]] = {}
    for m in view.messages:
        siblings.setdefault(m.parent_id, []).append(m.id)
    return ConversationDetail(
        **conversation_out(view.conversation).model_dump(),
        state=state_out(view.state, view.active_path),
        active_path=[m.id for m in view.active_path],
        messages=[message_out(m, siblings[m.parent_id]) for m in view.messages],
        feedback=[feedback_out(f) for f in view.feedback],
    )


def turn_out(turn: TurnResult) -> TurnOut:
    state = state_out(turn.state)
    if turn.state.ending is not None and turn.state.ending.turn == turn.state.user_turns:
        state.ending_message_id = turn.assistant_message.id  # this reply is the one that ended the chat
    return TurnOut(
        user_message=message_out(turn.user_message) if turn.user_message else None,
        assistant_message=message_out(turn.assistant_message),
        state=state,
    )
