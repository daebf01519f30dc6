"""Errors a user of lastresort can see. Each carries an HTTP ``status`` and a stable ``code``.

::

    LastResortError
    ├── InvalidInput            422 invalid_request     bad ids, empty or oversize content, wrong types
    ├── Unauthorized            401 unauthorized        missing or unknown bearer token
    ├── Forbidden               403 forbidden           the user lacks the role for this action
    ├── NotFound                404 not_found
    │   ├── ConversationNotFound    conversation_not_found
    │   └── MessageNotFound         message_not_found
    ├── Conflict                409 conflict
    │   ├── ConversationEnded       conversation_ended  the path was ended; nothing was stored
    │   └── ReplyPending            reply_pending       the parent is a user message still awaiting its reply
    ├── RateLimited             429 rate_limited        too many requests; Retry-After says when to retry
    ├── DatabaseUnavailable     503 database_unavailable the database cannot be reached; retry shortly
    ├── AssessorError           503 assessor_error      an assessor failed and the fail rule is "closed"
    └── ResponderError          502 responder_error     the responder failed; the user message was kept

The API renders every one of them as ``{"error": code, "message": ..., "status": ..., **details}``.
"""

from __future__ import annotations

from typing import Any

__all__ = [
    "AssessorError",
    "Conflict",
    "ConversationEnded",
    "ConversationNotFound",
    "DatabaseUnavailable",
    "Forbidden",
    "InvalidInput",
    "LastResortError",
    "MessageNotFound",
    "NotFound",
    "RateLimited",
    "ReplyPending",
    "ResponderError",
    "Unauthorized",
]


class LastResortError(Exception):
    """Base class. ``message`` is shown to the user; ``details`` are merged into the JSON error body."""

    status: int = 500
    code: str = "internal_error"
    default_message: str = "Something went wrong."

    def __init__(self, message: str | None = None, **details: Any) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def to_dict(self) -> dict[str, Any]:
        return {"error": self.code, "message": self.message, "status": self.status, **self.details}


class InvalidInput(LastResortError):
    """Raised when a request's content or ids are not acceptable; nothing is changed."""

    status, code, default_message = 422, "invalid_request", "The request is not valid."


class Unauthorized(LastResortError):
    """Raised when the bearer token is missing or unknown."""

    status, code = 401, "unauthorized"
    default_message = "A valid bearer token is required (create one with `lastresort users add NAME`)."


class Forbidden(LastResortError):
    """Raised when the user is known but lacks the role for the action."""

    status, code, default_message = 403, "forbidden", "You do not have permission to do that."


class NotFound(LastResortError):
    status, code, default_message = 404, "not_found", "Not found."


class ConversationNotFound(NotFound):
    """Raised for an unknown conversation, or one that belongs to another user."""

    code, default_message = "conversation_not_found", "No such conversation."


class MessageNotFound(NotFound):
    """Raised for an unknown message id, or one from another conversation."""

    code, default_message = "message_not_found", "No such message in this conversation."


class Conflict(LastResortError):
    status, code, default_message = 409, "conflict", "The request conflicts with the conversation's state."


class ConversationEnded(Conflict):
    """Raised when a message is posted onto a path that has ended. Nothing is stored."""

    code = "conversation_ended"
    default_message = (
        "This chat was ended by the assistant. Start a new chat, or edit an earlier message to branch off."
    )


class ReplyPending(Conflict):
    """Raised when the parent is a user message without a reply (e.g. the responder failed)."""

    code = "reply_pending"
    default_message = "The previous message has no reply yet: retry the reply, or edit that message."


class RateLimited(LastResortError):
    """Raised when a user or client IP exceeds its request rate; ``retry_after`` is in seconds."""

    status, code, default_message = 429, "rate_limited", "Too many requests: slow down and retry shortly."


class DatabaseUnavailable(LastResortError):
    """Raised when the database cannot be reached. Nothing was changed; the request can be retried."""

    status, code = 503, "database_unavailable"
    default_message = "The database is unavailable right now. Nothing was changed; please retry shortly."


class AssessorError(LastResortError):
    """Raised by an assessor that cannot score a message; the service applies the fail-open/closed rule."""

    status, code, default_message = 503, "assessor_error", "The safety check is unavailable; try again."


class ResponderError(LastResortError):
    """Raised when the responder fails. The user message is kept; retrying the reply works."""

    status, code = 502, "responder_error"
    default_message = "The assistant could not reply. Your message was kept: retry the reply."
