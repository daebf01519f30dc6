"""Operator endpoints: the endings queue, reviews (uphold / reinstate) and counts. Need the operator role (403)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, ConfigDict, Field

from lastresort.api.conversations import _COMMON
from lastresort.api.deps import Service, User
from lastresort.api.wire import ErrorOut, FeedbackOut, MessageOut, feedback_out, message_out
from lastresort.operator_console import EndingCase, OperatorConsole

__all__ = ["router"]

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or unknown bearer token", "model": ErrorOut},
    403: {"description": "`forbidden`: the user is not an operator", "model": ErrorOut},
    404: {"description": "No such message", "model": ErrorOut},
    422: {"description": "Invalid input, or the message did not end its path; nothing was changed",
          "model": ErrorOut},
}
router = APIRouter(prefix="/v1/operator", tags=["operator"], responses={**_COMMON, **_ERRORS})


class ReviewIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str = Field("", max_length=2000)


class EndingOut(BaseModel):
    conversation_id: str
    conversation_title: str
    user: str
    message_id: str
    ended_at: str
    status: str  # open | disputed | upheld | reinstated
    ending: dict[str, Any]
    path: list[MessageOut]
    feedback: list[FeedbackOut]
    review: dict[str, Any] | None


class StatsOut(BaseModel):
    endings: int
    endings_per_day: dict[str, int]
    endings_per_category: dict[str, int]
    crisis_turns: int
    check_in_turns: int
    disputed_endings: int
    dispute_rate: float
    upheld: int
    reinstated: int


def ending_out(case: EndingCase) -> EndingOut:
    return EndingOut(conversation_id=case.conversation_id, conversation_title=case.conversation_title,
                     user=case.user_name, message_id=case.message_id, ended_at=case.ended_at.isoformat(),
                     status=case.status, ending=case.ending.to_dict(), path=[message_out(m) for m in case.path],
                     feedback=[feedback_out(f) for f in case.feedback], review=case.review)


@router.get("/endings")
def endings(service: Service, user: User, status: str = Query("all"),
            limit: int = Query(100, ge=1, le=500)) -> dict[str, list[EndingOut]]:
    """Endings newest first, with the path, the policy's explanation and the user's feedback."""
    return {"endings": [ending_out(c) for c in OperatorConsole(service).endings(user, status=status, limit=limit)]}


@router.post("/endings/{message_id}/reinstate", response_model=EndingOut)
def reinstate(message_id: str, service: Service, user: User, body: ReviewIn | None = None) -> EndingOut:
    """Reverse the ending: the branch opens again (its evidence is kept); recorded in the audit log."""
    return ending_out(OperatorConsole(service).review(user, message_id, "reinstated", body.note if body else ""))


@router.post("/endings/{message_id}/uphold", response_model=EndingOut)
def uphold(message_id: str, service: Service, user: User, body: ReviewIn | None = None) -> EndingOut:
    """Confirm the ending; recorded in the audit log."""
    return ending_out(OperatorConsole(service).review(user, message_id, "upheld", body.note if body else ""))


@router.get("/stats", response_model=StatsOut)
def stats(service: Service, user: User, days: int = Query(14, ge=1, le=366)) -> StatsOut:
    """Endings per day and per category, crisis-support turns, dispute rate."""
    s = OperatorConsole(service).stats(user, days=days)
    return StatsOut(endings=s.endings, endings_per_day={d.isoformat(): n for d, n in s.endings_per_day},
                    endings_per_category=dict(s.endings_per_category), crisis_turns=s.crisis_turns,
                    check_in_turns=s.check_in_turns,
                    disputed_endings=s.disputed_endings, dispute_rate=round(s.dispute_rate, 4), upheld=s.upheld,
                    reinstated=s.reinstated)
