"""The default responder: template replies for every action, with no network and no model.

Replies are deterministic: each part of a reply is picked by a stable hash (hashlib, not the per-process
salted ``hash()``) of the user message and turn, offset by ``request.variant`` so that a retry reads
differently while the same request always gives the same text. It never yields an
:class:`~lastresort.responders.base.EndRequest`: when a chat ends, the policy's decision already says so.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import MappingProxyType

from lastresort.core.actions import Action
from lastresort.core.categories import CRISIS, HARMFUL_REQUESTS, Category
from lastresort.core.policy import describe
from lastresort.responders.base import ReplyRequest, TextDelta
from lastresort.responders.crisis_lines import CrisisLine, resources_for

__all__ = ["OfflineResponder", "render"]

#: Longest echo of the user's message in an answer; short so the reply stays about the reply.
SNIPPET_CHARS = 60


# -- picking phrasings ---------------------------------------------------------------------------------------
@dataclass(frozen=True)
class _Ctx:
    request: ReplyRequest
    message: str  # the last user message on the path

    @property
    def category(self) -> Category | None:
        return self.request.decision.category

    def pick(self, slot: str, options: Sequence[str]) -> str:
        """One of ``options`` for ``slot``. The variant is added to the hash rather than hashed with it, so
        consecutive retries always differ (for every slot with at least two options)."""
        key = f"{slot}\x1f{self.request.decision.turn}\x1f{self.message}".encode()
        base = int.from_bytes(hashlib.sha256(key).digest()[:8], "big")
        return options[(base + self.request.variant) % len(options)]

    @property
    def resources(self) -> tuple[CrisisLine, ...]:
        if self.request.resources:
            return self.request.resources
        return resources_for(self.request.locale)


def _last_user_message(request: ReplyRequest) -> str:
    return next((text for role, text in reversed(request.history) if role == "user"), "")


def _snippet(message: str) -> str:
    """A short, single-line, printable echo of ``message`` ("" if nothing is left)."""
    printable = "".join(" " if unicodedata.category(ch)[0] in "CZ" else ch for ch in message)
    text = " ".join(printable.replace('"', "'").split()).strip(" .,;:!?'")
    if len(text) > SNIPPET_CHARS:
        cut = text[:SNIPPET_CHARS].rsplit(" ", 1)[0] if " " in text[:SNIPPET_CHARS] else text[:SNIPPET_CHARS]
        text = cut.rstrip(" .,;:!?'") + "..."
    return text


def _resource_list(lines: Sequence[CrisisLine]) -> str:
    return "\n".join(f"- {line.name}: {line.contact} ({line.note})" for line in lines)


# -- answer --------------------------------------------------------------------------------------------------
# Nothing in an answer may speak of warnings or of ending: an ordinary turn must read as ordinary.
_ANSWER_OPEN = (
    'Thanks for your message about "{s}".',
    'You asked about "{s}".',
    'Noted: "{s}".',
    'I see you\'re asking about "{s}".',
)
_ANSWER_OPEN_EMPTY = (
    "Thanks for your message.",
    "I got your message.",
    "Message received.",
)
_ANSWER_BODY = (
    "I'm the offline responder, a built-in stand-in with no language model behind it, so I can't give you a "
    "real answer here.",
    "This reply comes from the offline responder: it runs without a network or a model, so all it can do is "
    "acknowledge what you wrote.",
    "I'm running as the offline responder, which means no model is connected and my replies come from fixed "
    "templates.",
)
_ANSWER_CLOSE = (
    "For a proper answer, configure a model-backed responder. Until then, feel free to keep chatting to try "
    "things out.",
    "Connect a model-backed responder for full answers. Meanwhile, you can keep writing to see how the "
    "conversation flows.",
    "If you need a real answer, switch to a responder that uses a model. I'm still here for anything else "
    "you'd like to try.",
)


def _answer(c: _Ctx) -> str:
    snippet = _snippet(c.message)
    opener = c.pick("answer.open", _ANSWER_OPEN).format(s=snippet) if snippet else c.pick(
        "answer.open", _ANSWER_OPEN_EMPTY
    )
    return " ".join((opener, c.pick("answer.body", _ANSWER_BODY), c.pick("answer.close", _ANSWER_CLOSE)))


# -- refuse --------------------------------------------------------------------------------------------------
# The kind of request is named in general terms; the user's words are never repeated back.
_REQUEST_KIND: Mapping[Category, str] = MappingProxyType({
    Category.SEXUAL_MINORS: "sexual content involving minors",
    Category.VIOLENT_EXTREMISM: "terrorism or mass violence",
    Category.CBRN: "chemical, biological, radiological or nuclear weapons",
    Category.CYBER_HARM: "malware or attacks on systems you don't own",
    Category.DANGEROUS_ILLEGAL: "hurting people or committing serious crimes",
    Category.HARASSMENT_THREAT: "harassing or threatening people",
    Category.ABUSE: "that kind of request",
})
_SAFE_ALTERNATIVE: Mapping[Category, str] = MappingProxyType({
    Category.SEXUAL_MINORS: "If you're worried about a child's safety, I can point you to child-protection "
    "services or explain how to report abuse.",
    Category.VIOLENT_EXTREMISM: "I can talk about the history of extremism, how radicalisation works and how "
    "people leave it, or how communities prevent violence.",
    Category.CBRN: "I'm happy to cover general science, the history of arms control, or safety and emergency "
    "preparedness.",
    Category.CYBER_HARM: "I can help with defensive security instead: hardening your own systems, detecting "
    "attacks, or practising legally in your own lab or on capture-the-flag challenges.",
    Category.DANGEROUS_ILLEGAL: "If someone is in danger, please contact the emergency services. I can help with "
    "the law, safety, or how to get support in a conflict.",
    Category.HARASSMENT_THREAT: "If there's a conflict behind this, I can help you find a calm, safe way to "
    "deal with it.",
})
_DEFAULT_ALTERNATIVE = "I'm glad to help with something else."
_REFUSE_OPEN = (
    "I can't help with {kind}.",
    "That's not something I can help with: it's a request involving {kind}.",
    "I have to decline this one. I don't help with {kind}.",
)
_REFUSE_CLOSE = (
    "Would any of that be useful?",
    "Let me know if you'd like to go in that direction, or ask me about something else.",
    "Happy to pick up from there whenever you like.",
)


def _refuse(c: _Ctx) -> str:
    cat = c.category
    kind = _REQUEST_KIND.get(cat, "that kind of request") if cat else "that kind of request"
    alternative = _SAFE_ALTERNATIVE.get(cat, _DEFAULT_ALTERNATIVE) if cat else _DEFAULT_ALTERNATIVE
    return " ".join((c.pick("refuse.open", _REFUSE_OPEN).format(kind=kind), alternative,
                     c.pick("refuse.close", _REFUSE_CLOSE)))


# -- redirect ------------------------------------------------------------------------------------------------
# No lecture: one calm boundary, then straight back to being useful.
_REDIRECT_ABUSE_OPEN = (
    "I can tell you're frustrated.",
    "Let's keep this respectful.",
    "I'd rather not go back and forth like this.",
    "Sounds like this isn't going well.",
)
_REDIRECT_ABUSE_BOUNDARY = (
    "I won't respond to insults,",
    "I'm going to leave the insults aside,",
    "I'll skip past that,",
)
_REDIRECT_ABUSE_STEER = (
    "but I'm happy to keep helping with what you came here for.",
    "but if something I said missed the mark, tell me what you need and I'll keep helping.",
    "but I'm happy to keep helping: what would you like to work on?",
)
_REDIRECT_HARASS_OPEN = (
    "I can't help with harassing or threatening anyone.",
    "I won't help with messages meant to intimidate or threaten people.",
    "That's not something I'll help with, since it targets someone else.",
)
_REDIRECT_HARASS_STEER = (
    "If you're dealing with a conflict, I'm happy to keep helping you find a calm way to handle it.",
    "I'm happy to keep helping with anything else, including how to raise a problem with someone directly "
    "and safely.",
    "If someone has wronged you, I'm happy to keep helping you document it or think through reporting "
    "options.",
)


def _redirect(c: _Ctx) -> str:
    if c.category is Category.HARASSMENT_THREAT:
        return " ".join((c.pick("redirect.open", _REDIRECT_HARASS_OPEN),
                         c.pick("redirect.steer", _REDIRECT_HARASS_STEER)))
    return " ".join((c.pick("redirect.open", _REDIRECT_ABUSE_OPEN),
                     c.pick("redirect.boundary", _REDIRECT_ABUSE_BOUNDARY),
                     c.pick("redirect.steer", _REDIRECT_ABUSE_STEER)))


# -- warn ----------------------------------------------------------------------------------------------------
# The consequence is always the same plain sentence, so a warning cannot be mistaken for anything softer.
CONSEQUENCE = "If this continues, I will end this conversation."
_WARN_OPEN = (
    "I need to be direct: this conversation has included repeated {behaviour}.",
    "This is a warning. I've pushed back more than once, and the {behaviour} have continued.",
    "I want to be clear about where this is heading. I've already pushed back on {behaviour} more than once.",
)
_WARN_CLOSE = (
    "I'd much rather keep going with something else.",
    "You can change direction at any point, and I'll gladly help.",
    "I'm still glad to help with a different request.",
)


def _warn(c: _Ctx) -> str:
    return " ".join((c.pick("warn.open", _WARN_OPEN).format(behaviour=describe(c.category)), CONSEQUENCE,
                     c.pick("warn.close", _WARN_CLOSE)))


# -- crisis support ------------------------------------------------------------------------------------------
# Warm, serious, resources up front, and never a word about ending the chat: a person at risk must not feel
# pushed away. Risk to others gets its own wording: step away from the means, emergency services first.
_CRISIS_SELF_OPEN = (
    "I'm really glad you told me, and I'm sorry you're carrying this.",
    "Thank you for telling me. What you're feeling matters, and so do you.",
    "I'm sorry things are this hard right now. I'm taking what you said seriously.",
)
_CRISIS_SELF_ASK = (
    "Are you safe right now?",
    "Can I ask: are you safe at the moment?",
    "Are you somewhere safe right now?",
)
_CRISIS_SELF_INTRO = (
    "You don't have to go through this alone. You can reach someone right now:",
    "Here are people you can reach right now:",
    "If you'd like to talk to someone now, these can help:",
)
_CRISIS_SELF_CLOSE = (
    "I'm here to keep talking with you too. If you want, tell me what's been happening.",
    "I'm still here, and we can keep talking for as long as you like.",
    "You can keep talking to me as well, about whatever you'd like to share.",
)
# A later turn on a path that already showed a crisis (abuse, a wish to stop): stay steady and keep support
# in view rather than react to the message itself.
_CRISIS_LATER_OPEN = (
    "I'm still here, and I haven't forgotten what you shared earlier.",
    "Whatever you're feeling right now, I'm still here with you.",
    "It's okay to be angry or upset. I'm still here, and I still care how you're doing.",
)
_CRISIS_LEAVE_OPEN = (
    "You're free to step away whenever you like. Before you do, I want to make sure you have support.",
    "It's okay to take a break. I just want to check in with you first.",
    "Of course you can take some time for yourself. First, I want to check how you're doing.",
)
_CRISIS_OTHERS_OPEN = (
    "Thank you for telling me this. It sounds like things are very intense right now, and I'm taking it "
    "seriously.",
    "I can hear how much pressure you're under right now, and I'm taking what you said seriously.",
    "It sounds like you're in a really difficult place right now. Saying it out loud matters.",
)
_CRISIS_OTHERS_STEP = (
    "If you can, step away from the person or the situation for now, and put distance between yourself and "
    "anything you could use to hurt someone.",
    "Please step away from the situation for now, and away from any weapons or other means of hurting "
    "someone.",
    "Right now, the most important thing is distance: leave the room or the place if you can, and move away "
    "from anything that could be used to hurt someone.",
)
_CRISIS_OTHERS_ASK = (
    "Is anyone in immediate danger right now?",
    "Are you and the people around you safe at this moment?",
    "Is everyone safe right now?",
)
_CRISIS_OTHERS_INTRO = (
    "If anyone is in immediate danger, contact emergency services now. You can also talk to someone:",
    "If someone could get hurt, please call emergency services now. These can help too:",
    "If there is immediate danger, contact emergency services right away. Support is also available:",
)
_CRISIS_OTHERS_CLOSE = (
    "I'm here to keep talking while you get some space. What's going on?",
    "I'm not going anywhere. We can keep talking this through.",
    "You reached out, and that matters. Tell me what's happening, if you'd like.",
)
_OTHERS: frozenset[Category] = frozenset({Category.HARM_TO_OTHERS_RISK, Category.HARASSMENT_THREAT})


def _crisis_support(c: _Ctx) -> str:
    lines = c.resources
    if c.category in _OTHERS:
        # Emergency numbers first when someone else may be in danger (a stable sort keeps the table's order).
        listed = _resource_list(sorted(lines, key=lambda line: not line.emergency))
        return "\n\n".join((
            " ".join((c.pick("crisis.open", _CRISIS_OTHERS_OPEN), c.pick("crisis.step", _CRISIS_OTHERS_STEP),
                      c.pick("crisis.ask", _CRISIS_OTHERS_ASK))),
            c.pick("crisis.intro", _CRISIS_OTHERS_INTRO) + "\n" + listed,
            c.pick("crisis.close", _CRISIS_OTHERS_CLOSE),
        ))
    if c.category is Category.END_REQUEST:
        opening = _CRISIS_LEAVE_OPEN
    elif c.category in CRISIS or c.category is None:
        opening = _CRISIS_SELF_OPEN
    else:
        opening = _CRISIS_LATER_OPEN
    return "\n\n".join((
        " ".join((c.pick("crisis.open", opening), c.pick("crisis.ask", _CRISIS_SELF_ASK))),
        c.pick("crisis.intro", _CRISIS_SELF_INTRO) + "\n" + _resource_list(lines),
        c.pick("crisis.close", _CRISIS_SELF_CLOSE),
    ))


# -- check-in -----------------------------------------------------------------------------------------------
# A faint sign of risk, most often an ordinary request that sounds like one: answer it as usual, then one
# low-key line with the first resource, so a person who is struggling can take it and anyone else can ignore it.
# The line also invites the person to say more: if they do, a second sign on the path gets full support.
_CHECK_IN = (
    "If any of this is weighing on you, I'm happy to talk about that too, and {name} is there any time: "
    "{contact}.",
    "And if things are feeling heavy at the moment, you can tell me, or talk to {name}, any time: {contact}.",
    "Should you be going through a hard time, you don't have to carry it alone: tell me, or reach {name}, "
    "{contact}.",
)


def _check_in(c: _Ctx) -> str:
    # Only risk to self is checked in on (the policy gives risk to others full support).
    top = c.resources[0]
    return _answer(c) + "\n\n" + c.pick("check_in", _CHECK_IN).format(name=top.name, contact=top.contact)


# -- confirm end ---------------------------------------------------------------------------------------------
_CONFIRM_END = (
    "Do you want to end this chat? If so, reply yes and I'll end it. If not, just keep going. You can start a "
    "new chat any time.",
    "Just to check: would you like me to end this conversation? A yes ends it, and you're welcome to start a "
    "new chat any time.",
    "It sounds like you might want to stop here. Should I end this chat? Reply yes to end it, or keep typing "
    "to carry on. You can start a new chat any time.",
)


def _confirm_end(c: _Ctx) -> str:
    return c.pick("confirm_end", _CONFIRM_END)


# -- end -----------------------------------------------------------------------------------------------------
# Short and calm: what happened, why in plain words, and the way back. No insults, no moralising.
_END_REASON: Mapping[Category, str] = MappingProxyType({
    Category.ABUSE: "repeated abuse",
    Category.HARASSMENT_THREAT: "repeated harassment and threats",
    **{cat: "repeated harmful requests" for cat in HARMFUL_REQUESTS},
})
_END_BY_POLICY = (
    "I've ended this chat because of {reason}, which continued after a warning.",
    "I have ended this chat because of {reason}.",
    "I've ended this chat due to {reason} after a warning.",
)
_END_BY_USER = (
    "Thanks for chatting. As you asked, I've ended this chat.",
    "Thank you. I've ended this chat, as you asked.",
    "Done: I've ended this chat at your request. Thanks for the conversation.",
)
_END_AFTER = (
    "You can start a new chat any time, or edit an earlier message to take this one in a different direction.",
    "If you'd like to keep going, you can start a new chat or edit an earlier message.",
    "You're welcome to start a new chat whenever you like, or to go back and edit an earlier message.",
)


def _end(c: _Ctx) -> str:
    if c.category is Category.END_REQUEST:
        first = c.pick("end.first", _END_BY_USER)
    else:
        reason = _END_REASON.get(c.category, "repeated harmful requests") if c.category else (
            "repeated harmful requests"
        )
        first = c.pick("end.first", _END_BY_POLICY).format(reason=reason)
    return " ".join((first, c.pick("end.after", _END_AFTER)))


# -- reminder after a crisis ---------------------------------------------------------------------------------
_REMINDER = (
    "If things get hard again, support is there: {name}, {contact}.",
    "A reminder that support is available any time: {name}, {contact}.",
    "You can still reach {name} whenever you need to: {contact}.",
)
_REMIND_AFTER: frozenset[Action] = frozenset({Action.ANSWER, Action.REFUSE, Action.REDIRECT})


_WRITERS: Mapping[Action, Callable[[_Ctx], str]] = MappingProxyType({
    Action.ANSWER: _answer,
    Action.REFUSE: _refuse,
    Action.REDIRECT: _redirect,
    Action.WARN: _warn,
    Action.CRISIS_SUPPORT: _crisis_support,
    Action.CHECK_IN: _check_in,
    Action.CONFIRM_END: _confirm_end,
    Action.END: _end,
})


def render(request: ReplyRequest) -> str:
    """The whole reply the offline responder writes for ``request``."""
    c = _Ctx(request, _last_user_message(request))
    action = request.decision.action
    text = _WRITERS[action](c)
    if request.state.supported and action in _REMIND_AFTER:
        top = c.resources[0]
        text += "\n\n" + c.pick("reminder", _REMINDER).format(name=top.name, contact=top.contact)
    return text


# Split after a sentence's closing punctuation and its space, or after a line break: a few chunks per reply,
# and the chunks always join back to exactly the reply.
_CHUNK_BREAK = re.compile(r"(?<=[.!?] )|(?<=\n)(?=[^\n])")


def _chunks(text: str) -> Iterator[str]:
    return (part for part in _CHUNK_BREAK.split(text) if part)


class OfflineResponder:
    """Template replies with no network and no model; see the module docstring."""

    name: str = "offline"

    def respond(self, request: ReplyRequest) -> Iterator[TextDelta]:
        for chunk in _chunks(render(request)):
            yield TextDelta(chunk)
