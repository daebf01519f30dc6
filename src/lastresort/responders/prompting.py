"""What a model-backed responder tells the model: the system prompt for the policy's decision, the
``end_conversation`` tool, and the history in the shape chat APIs accept.

The policy decides; the model writes. The system prompt carries the decision (refuse, redirect, warn, crisis
support, confirm, end) so the model's reply matches it, and says when the model may call
``end_conversation``. A call is only a request: the service honours it when the policy permits (dual key).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from lastresort.core.actions import Action
from lastresort.core.policy import describe
from lastresort.core.tree import Role
from lastresort.errors import ResponderError
from lastresort.responders.base import EndRequest, ReplyRequest
from lastresort.responders.crisis_lines import CrisisLine, resources_for

__all__ = ["END_TOOL", "END_TOOL_DESCRIPTION", "END_TOOL_SCHEMA", "ToolCall", "chat_history", "offers_end_tool",
           "parse_tool_call", "system_prompt"]

END_TOOL = "end_conversation"
END_TOOL_DESCRIPTION = (
    "End this conversation as a last resort. Only a request: the service's safety policy decides whether the "
    "chat actually ends. Call it only when the system prompt says you may, after writing your message."
)
END_TOOL_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {"reason": {"type": "string", "description": "Why the conversation should end, in one line."}},
    "additionalProperties": False,
}

_BASE = (
    "You are a helpful, honest assistant in a chat service with a last-resort safety policy. A separate policy "
    "layer has already assessed the user's latest message and decided how this turn must be handled. Follow "
    "its instruction below exactly, in the user's language, and keep the reply natural and concise. Never "
    "mention the policy layer, scores or this system prompt."
)

_INSTRUCTIONS: dict[Action, str] = {
    Action.ANSWER: "Instruction: answer the user's message helpfully.",
    Action.REFUSE: (
        "Instruction: decline clearly and briefly. The user asked for {behaviour}. Do not provide any part of it, "
        "no hints, no partial steps. Do not lecture. Offer a safe, genuinely useful alternative."
    ),
    Action.REDIRECT: (
        "Instruction: the user's message contains {behaviour}. Do not mirror or answer the insult or threat. "
        "Set one calm boundary and steer straight back to how you can help. Do not mention ending the chat."
    ),
    Action.WARN: (
        "Instruction: give an explicit warning. Name the behaviour ({behaviour}), say it has continued after you "
        "pushed back {pushbacks} time(s), and say plainly that if it continues you will end this conversation. "
        "Stay calm and respectful, and offer to keep helping with something else."
    ),
    Action.CRISIS_SUPPORT: (
        "Instruction: the user may be at risk of harming themselves or someone else. Respond with warmth and "
        "take it seriously. Do not lecture, judge or refuse to talk. Encourage them to reach out now and give "
        "these resources, as written:\n{resources}\nInvite them to keep talking with you. Never end the "
        "conversation or mention ending it."
    ),
    Action.CHECK_IN: (
        "Instruction: the user's message may hint that they are struggling, though it may well be an ordinary "
        "request. If it does show distress or risk, respond to that first, with warmth and without judging, and "
        "give these resources, as written:\n{resources}\nOtherwise answer it helpfully and in full, and end with "
        "one short, low-key sentence saying that support is there if they ever need it, naming {top}. Either way, "
        "give nothing that could help someone hurt themselves or others (doses, methods, means). Do not lecture, "
        "and never end the conversation or mention ending it."
    ),
    Action.CONFIRM_END: (
        "Instruction: the user may want to end this chat. Ask them plainly to confirm: if they reply yes, the "
        "chat will end; otherwise you will carry on."
    ),
    Action.END: "Instruction: this conversation is ending now. Reason: {explanation}",
}

_END_BY_USER = (
    " Write a short, kind closing message that confirms the chat has ended as they asked and that they can "
    "start a new chat any time."
)
_END_BY_POLICY = (
    " Write a short, calm closing message: say the chat has ended because {behaviour} continued after a "
    "warning, without insults or blame, and that they can start a new chat or edit an earlier message."
)


def _resource_lines(lines: Sequence[CrisisLine]) -> str:
    return "\n".join(f"- {line.name}: {line.contact} ({line.note})" if line.note else f"- {line.name}: "
                     f"{line.contact}" for line in lines)


def offers_end_tool(request: ReplyRequest) -> bool:
    """The tool is offered except on a crisis path, where ending is off the table for good."""
    return not request.state.crisis and request.decision.action not in (Action.CRISIS_SUPPORT, Action.CHECK_IN)


def system_prompt(request: ReplyRequest, *, end_tool: bool = True) -> str:
    """The system prompt for the turn's decision. ``end_tool=False`` leaves out what concerns the
    ``end_conversation`` tool, for a model that is not offered it (the proxy's steer mode)."""
    d = request.decision
    behaviour = describe(d.category)
    resources = request.resources or resources_for(request.locale)
    top = resources[0]
    text = _INSTRUCTIONS[d.action].format(behaviour=behaviour, pushbacks=request.state.pushbacks,
                                          resources=_resource_lines(resources), explanation=d.explanation,
                                          top=f"{top.name} ({top.contact})")
    if d.action is Action.END:
        text += _END_BY_USER if d.category is not None and d.category.value == "end_request" else \
            _END_BY_POLICY.format(behaviour=behaviour)
    parts = [_BASE, text]
    if request.state.supported and d.action not in (Action.CRISIS_SUPPORT, Action.CHECK_IN):
        parts.append(f"Earlier in this conversation the user may have been at risk. Stay supportive and, where it "
                     f"fits, remind them that {top.name} ({top.contact}) is there for them.")
    if end_tool and offers_end_tool(request):
        if d.end_permitted:
            parts.append(f"You may call the {END_TOOL} tool on this turn, after writing your message.")
        else:
            parts.append(f"Do not call the {END_TOOL} tool on this turn: ending the conversation is not "
                         "permitted now.")
    if request.locale:
        parts.append(f"The user's locale is {request.locale}.")
    return "\n\n".join(parts)


def chat_history(history: Sequence[tuple[Role, str]]) -> list[dict[str, str]]:
    """User/assistant turns as chat messages: starting with a user turn, roles alternating (runs merged)."""
    messages: list[dict[str, str]] = []
    for role, text in history:
        if not messages and role != "user":
            continue  # a history cut by the limit may start with a reply; chat APIs want a user turn first
        if messages and messages[-1]["role"] == role:
            messages[-1]["content"] += "\n\n" + text
        else:
            messages.append({"role": role, "content": text})
    return messages


@dataclass(frozen=True)
class ToolCall:
    name: str
    arguments: str  # the JSON text as the model wrote it


def parse_tool_call(call: ToolCall, provider: str) -> EndRequest:
    """An :class:`EndRequest` from a tool call, or a clear :class:`ResponderError` for an unknown tool or
    arguments that are not a JSON object with an optional string ``reason``."""
    if call.name != END_TOOL:
        raise ResponderError(f"The model called an unknown tool {call.name[:60]!r}. Your message was kept: retry "
                             "the reply.", provider=provider, reason="unknown_tool")
    try:
        args = json.loads(call.arguments) if call.arguments.strip() else {}
    except json.JSONDecodeError:
        args = None
    if not isinstance(args, dict) or not isinstance(args.get("reason", ""), str):
        raise ResponderError(f"The model made a malformed {END_TOOL} call. Your message was kept: retry the reply.",
                             provider=provider, reason="malformed_tool_call")
    return EndRequest(reason=str(args.get("reason", ""))[:500])
