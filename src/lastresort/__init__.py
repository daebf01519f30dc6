"""lastresort: a chat service and safety layer that ends a conversation only as a last resort."""

from lastresort._version import __version__
from lastresort.assessors.base import Assessor
from lastresort.config import Settings
from lastresort.core.actions import Action
from lastresort.core.assessment import AssessContext, Assessment
from lastresort.core.categories import Category
from lastresort.core.policy import Policy, PolicyConfig
from lastresort.core.state import Decision, Ending, Evidence, PathState
from lastresort.core.tree import AssistantTurn, UserTurn
from lastresort.errors import (
    ConversationEnded,
    ConversationNotFound,
    InvalidInput,
    LastResortError,
    MessageNotFound,
    ReplyPending,
    ResponderError,
)
from lastresort.hookspecs import hookimpl
from lastresort.responders.base import EndRequest, ReplyRequest, Responder, TextDelta

__all__ = [
    "Action",
    "AssessContext",
    "Assessment",
    "Assessor",
    "AssistantTurn",
    "Category",
    "ConversationEnded",
    "ConversationNotFound",
    "Decision",
    "EndRequest",
    "Ending",
    "Evidence",
    "InvalidInput",
    "LastResortError",
    "MessageNotFound",
    "PathState",
    "Policy",
    "PolicyConfig",
    "ReplyPending",
    "ReplyRequest",
    "Responder",
    "ResponderError",
    "Settings",
    "TextDelta",
    "UserTurn",
    "__version__",
    "hookimpl",
]
