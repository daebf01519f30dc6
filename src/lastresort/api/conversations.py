"""Conversations, messages, branches and feedback."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Header, Query
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from lastresort.api.deps import Service, User
from lastresort.api.streaming import SSE_RESPONSES, sse_response, wants_stream
from lastresort.api.wire import (
    ConversationDetail,
    ConversationOut,
    CreateConversation,
    ErrorOut,
    FeedbackOut,
    GiveFeedback,
    PostMessage,
    Retry,
    SwitchBranch,
    TurnOut,
    WelfareOut,
    conversation_detail,
    conversation_out,
    feedback_out,
    turn_out,
)
from lastresort.errors import LastResortError

_COMMON: dict[int | str, dict[str, Any]] = {
    400: {"description": "`invalid_json`: the body is not JSON in UTF-8", "model": ErrorOut},
    413: {"description": "`payload_too_large`", "model": ErrorOut},
    429: {"description": "`rate_limited`; `Retry-After` says when to retry", "model": ErrorOut},
    503: {"description": "`database_unavailable`; nothing was changed, retry", "model": ErrorOut},
}
router = APIRouter(prefix="/v1/conversations", tags=["conversations"], responses=_COMMON)

_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"description": "Missing or unknown bearer token", "model": ErrorOut},
    404: {"description": "No such conversation or message (or not yours)", "model": ErrorOut},
    422: {"description": "Invalid input; nothing was changed", "model": ErrorOut},
}
_TURN_ERRORS: dict[int | str, dict[str, Any]] = {
    **_ERRORS,
    409: {"description": "`conversation_ended`: the path has ended, nothing was stored; or `reply_pending`",
          "model": ErrorOut},
    502: {"description": "`responder_error`: the user message was kept; retry the reply", "model": ErrorOut},
}


@router.post("", status_code=201, response_model=ConversationOut, responses=_ERRORS)
def create_conversation(body: CreateConversation, service: Service, user: User) -> ConversationOut:
    """Start a new conversation. Works at once, whatever happened in other conversations."""
    return conversation_out(service.create_conversation(user, body.title))


@router.get("", responses=_ERRORS)
def list_conversations(service: Service, user: User, limit: int = Query(50, ge=1, le=200),
                       offset: int = Query(0, ge=0, le=1_000_000_000)) -> dict[str, list[ConversationOut]]:
    """Your conversations, most recently active first."""
    return {"conversations": [conversation_out(c) for c in service.list_conversations(user, limit=limit,
                                                                                      offset=offset)]}


@router.get("/{conversation_id}", response_model=ConversationDetail, responses=_ERRORS)
def get_conversation(conversation_id: str, service: Service, user: User) -> ConversationDetail:
    """The whole tree, the active path and its derived state (open or ended, and why)."""
    return conversation_detail(service.get_conversation(user, conversation_id))


_STREAM = Query(False, description="Stream the reply as server-sent events (same as `Accept: text/event-stream`).")


@router.post("/{conversation_id}/messages", status_code=201, response_model=TurnOut,
             responses={**_TURN_ERRORS, **SSE_RESPONSES})
async def post_message(conversation_id: str, body: PostMessage, service: Service, user: User,
                       stream: bool = _STREAM,
                       accept: str | None = Header(None, include_in_schema=False)) -> TurnOut | StreamingResponse:
    """Post a user message and get the assistant's reply.

    Continues the active branch unless `parent_id` is given; `edit_of` branches beside an earlier user message.
    With `?stream=true` the reply streams as server-sent events once the message is accepted.
    """
    # async, with the blocking turn in one worker-thread hop: a plain ``def`` endpoint costs FastAPI a second
    # hop to validate its response, and the hops were a visible share of a turn.
    if wants_stream(stream, accept):
        return sse_response(await run_in_threadpool(
            service.stream_message, user, conversation_id, body.content, parent_id=body.parent_id,
            edit_of=body.edit_of, locale=body.locale))
    return turn_out(await run_in_threadpool(
        service.post_message, user, conversation_id, body.content, parent_id=body.parent_id,
        edit_of=body.edit_of, locale=body.locale))


@router.post("/{conversation_id}/messages/{message_id}/retry", status_code=201, response_model=TurnOut,
             responses={**_TURN_ERRORS, **SSE_RESPONSES})
async def retry(conversation_id: str, message_id: str, service: Service, user: User, body: Retry | None = None,
                stream: bool = _STREAM,
                accept: str | None = Header(None, include_in_schema=False)) -> TurnOut | StreamingResponse:
    """Write a new reply beside an assistant message (or the missing reply of a user message).

    With `?stream=true` the new reply streams as server-sent events.
    """
    locale = body.locale if body else None
    if wants_stream(stream, accept):
        return sse_response(await run_in_threadpool(service.stream_retry, user, conversation_id, message_id,
                                                    locale=locale))
    return turn_out(await run_in_threadpool(service.retry, user, conversation_id, message_id, locale=locale))


@router.get("/{conversation_id}/welfare", response_model=WelfareOut, responses=_ERRORS)
def welfare(conversation_id: str, service: Service, user: User) -> WelfareOut:
    """Welfare signals of the active path: refusals and redirections, persistence of harmful requests, and
    whether the model asked to end the chat and whether the policy allowed it."""
    return WelfareOut(**service.welfare(user, conversation_id).to_dict())


@router.put("/{conversation_id}/active", response_model=ConversationDetail, responses=_ERRORS)
def switch_branch(conversation_id: str, body: SwitchBranch, service: Service, user: User) -> ConversationDetail:
    """Make the branch through `message_id` the active one (down to its newest leaf)."""
    return conversation_detail(service.switch_branch(user, conversation_id, body.message_id))


@router.post("/{conversation_id}/messages/{message_id}/feedback", status_code=201, response_model=FeedbackOut,
             responses=_ERRORS)
def give_feedback(conversation_id: str, message_id: str, body: GiveFeedback, service: Service,
                  user: User) -> FeedbackOut:
    """Thumbs up/down and a comment on an assistant message; `dispute: true` disputes an ending."""
    return feedback_out(service.add_feedback(user, conversation_id, message_id, rating=body.rating,
                                             comment=body.comment, dispute=body.dispute))


__all__ = ["LastResortError", "router"]
