"""The service layer: the one code path every front end (API, CLI chat, replay) goes through.

A turn is two short transactions around the responder, so a slow model never holds the database lock:

1. *accept*: lock the conversation, resolve the parent, refuse if its path has ended (409, nothing stored),
   assess the message, fold it into the parent's cached state (the policy decides here, so a policy end is
   on record before any reply is written) and insert it;
2. *reply*: the responder writes the reply for the decision; it is inserted with the folded state.

If the responder fails the user message stays, marked as awaiting a reply; ``retry`` writes it later.

``stream_message`` and ``stream_retry`` do the same turn as a stream: the accepted user message at once, then
the reply's text as it arrives, then the stored reply. The reply is stored only once it is complete; a stream
that fails or is closed early stores nothing beyond the user message.

At accept time the conversation's counts of ended and crisis branches are read from its (locked) row and
handed to the policy, and stored on the user message, so editing around an ending or a crisis is visible to
the policy while a fresh fold of the path still reproduces the cached state.
"""

from __future__ import annotations

import logging
import secrets
import time
import unicodedata
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from lastresort import metrics
from lastresort.assessors.base import Assessor
from lastresort.batching import BatchAssessor, Coalescer, Prefetcher
from lastresort.config import Settings
from lastresort.core.assessment import AssessContext, Assessment
from lastresort.core.policy import Policy
from lastresort.core.signals import ConversationSignals
from lastresort.core.state import PathState
from lastresort.core.tree import AssistantTurn, Role
from lastresort.core.welfare import WelfareSignals
from lastresort.errors import (
    AssessorError,
    ConversationEnded,
    ConversationNotFound,
    InvalidInput,
    LastResortError,
    MessageNotFound,
    ReplyPending,
    ResponderError,
    Unauthorized,
)
from lastresort.responders.base import EndRequest, ReplyRequest, Responder, TextDelta
from lastresort.responders.crisis_lines import DEFAULT_TABLE, CrisisTable
from lastresort.store.repo import ConversationRow, FeedbackRow, MessageRow, Store, Tx, UserRow
from lastresort.welfare import path_welfare

logger = logging.getLogger("lastresort.service")

__all__ = ["ConversationService", "ConversationView", "TurnResult", "TurnStream"]

_ALLOWED_CONTROLS = {"\n", "\r", "\t"}
_RATINGS = {"up", "down"}


@dataclass(frozen=True, kw_only=True)
class TurnResult:
    user_message: MessageRow | None  # None for a retry, which writes only a reply
    assistant_message: MessageRow

    @property
    def state(self) -> PathState:
        return self.assistant_message.state


@dataclass(frozen=True, kw_only=True)
class TurnStream:
    """A turn whose reply is still being written: iterate ``events`` for text pieces, then the result.

    ``events`` yields :class:`TextDelta` pieces as the responder writes them and, last, the stored
    :class:`TurnResult`. It raises :class:`ResponderError` if the responder fails; nothing is stored then.
    """

    user_message: MessageRow | None  # the accepted user message; None for a retry
    reply_to: MessageRow  # the user message being answered (its state holds the decision)
    events: Iterator[TextDelta | TurnResult] = field(repr=False)

    def result(self) -> TurnResult:
        """Consume the stream and return the stored turn."""
        for event in self.events:
            if isinstance(event, TurnResult):
                return event
        raise ResponderError("The reply stream ended without a result. Your message was kept: retry the reply.")


@dataclass(frozen=True, kw_only=True)
class ConversationView:
    conversation: ConversationRow
    messages: list[MessageRow]  # the whole tree, in creation order
    active_path: list[MessageRow]  # root to active leaf
    feedback: list[FeedbackRow]

    @property
    def state(self) -> PathState:
        return self.active_path[-1].state if self.active_path else PathState()


@dataclass(frozen=True, kw_only=True)
class _Ahead:
    """An assessment made before the write lock, valid while the branch's parent is ``parent_id``."""

    parent_id: str | None
    history: tuple[tuple[Role, str], ...]
    assessment: Assessment


@dataclass(frozen=True, kw_only=True)
class _Accepted:
    conversation: ConversationRow
    user_message: MessageRow
    history: tuple[tuple[Role, str], ...]


def check_text(value: str, *, field: str, max_chars: int, allow_empty: bool = False) -> str:
    """Reject text the store should never hold: empty, oversize, unencodable or with control characters."""
    if not isinstance(value, str):
        raise InvalidInput(f"{field} must be a string.", field=field)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise InvalidInput(f"{field} is not valid UTF-8 (lone surrogate).", field=field) from None
    if not allow_empty and not value.strip():
        raise InvalidInput(f"{field} must not be empty.", field=field)
    if len(value) > max_chars:
        raise InvalidInput(f"{field} is {len(value)} characters; the limit is {max_chars}.", field=field,
                           limit=max_chars)
    for ch in value:
        if unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS:
            raise InvalidInput(f"{field} contains the control character U+{ord(ch):04X}.", field=field)
    return value


class ConversationService:
    def __init__(
        self,
        store: Store,
        *,
        assessor: Assessor,
        responder: Responder,
        policy: Policy | None = None,
        settings: Settings | None = None,
        crisis: CrisisTable | None = None,
    ) -> None:
        self.store = store
        self.assessor = assessor  # through the setter below
        self.responder = responder
        self.policy = policy or Policy()
        self.settings = settings or Settings()
        self.crisis = crisis or DEFAULT_TABLE

    @property
    def assessor(self) -> Assessor:
        return self._assessor

    @assessor.setter
    def assessor(self, assessor: Assessor) -> None:
        self._assessor = assessor
        # Turns assessed at the same time share one encoder call where the assessor can batch (the built-in one
        # can): under load that is a good part of the encoder's cost saved, and a lone turn does not wait.
        self._assess_one = (Coalescer(assessor).assess if isinstance(assessor, BatchAssessor)
                            else assessor.assess)

    def prefetch(self, texts: Sequence[str]) -> None:
        """Let the assessor do the costly part of messages known ahead in one call (``replay``). Only a speed-up:
        each turn is still assessed with its own context, and a failing prefetch leaves the turns to be
        assessed (and, on a fault, refused) one by one as usual."""
        if isinstance(self._assessor, Prefetcher):
            try:
                self._assessor.prefetch(texts)
            except Exception:
                logger.warning("assessor %s could not prefetch; assessing turn by turn", self.assessor.name,
                               exc_info=True)

    def close(self) -> None:
        """Release the responder's connections (if it holds any) and the database engine."""
        close = getattr(self.responder, "close", None)
        if callable(close):
            close()
        self.store.close()

    # -- users -----------------------------------------------------------------------------------------------
    def add_user(self, name: str, role: str = "user") -> tuple[UserRow, str]:
        """Create a user and return it with its bearer token (shown once; only its hash is stored)."""
        name = check_text(name, field="name", max_chars=100).strip()
        if role not in ("user", "operator"):
            raise InvalidInput("role must be 'user' or 'operator'.", field="role")
        token = "lr_" + secrets.token_urlsafe(32)
        with self.store.write() as tx:
            if tx.user_by_name(name):
                raise InvalidInput(f"A user named {name!r} already exists.", field="name")
            return tx.add_user(name, token, role), token

    def local_user(self, name: str) -> UserRow:
        """The user ``name``, created without a usable token if missing (for local CLI use)."""
        with self.store.read() as tx:
            user = tx.user_by_name(name)
        return user or self.add_user(name)[0]

    def user_by_id(self, user_id: str) -> UserRow | None:
        with self.store.read() as tx:
            return tx.user_by_id(user_id) if _is_id(user_id) else None

    def authenticate(self, token: str | None) -> UserRow:
        if not token:
            raise Unauthorized()
        with self.store.read() as tx:
            user = tx.user_by_token(token)
        if user is None:
            raise Unauthorized("Unknown token.")
        return user

    # -- conversations ---------------------------------------------------------------------------------------
    def create_conversation(self, user: UserRow, title: str = "") -> ConversationRow:
        title = check_text(title, field="title", max_chars=200, allow_empty=True).strip()
        with self.store.write() as tx:
            return tx.create_conversation(user.id, title)

    def list_conversations(self, user: UserRow, *, limit: int = 50, offset: int = 0) -> list[ConversationRow]:
        if not (1 <= limit <= 200) or not (0 <= offset <= 1_000_000_000):
            raise InvalidInput("limit must be 1..200 and offset 0..1e9.")
        with self.store.read() as tx:
            return tx.list_conversations(user.id, limit=limit, offset=offset)

    def get_conversation(self, user: UserRow, conversation_id: str) -> ConversationView:
        with self.store.read() as tx:
            conv = self._conversation(tx, user, conversation_id)
            msgs = tx.messages(conv.id)
            by_id = {m.id: m for m in msgs}
            path: list[MessageRow] = []
            node = conv.active_leaf_id
            while node is not None:
                path.append(by_id[node])
                node = by_id[node].parent_id
            path.reverse()
            return ConversationView(conversation=conv, messages=msgs, active_path=path,
                                    feedback=tx.feedback_for(conv.id))

    def switch_branch(self, user: UserRow, conversation_id: str, message_id: str) -> ConversationView:
        """Make the branch through ``message_id`` active (down to its newest leaf)."""
        with self.store.write() as tx:
            conv = self._conversation(tx, user, conversation_id, lock=True)
            self._message(tx, conv, message_id)
            tx.set_active_leaf(conv.id, tx.latest_leaf_under(conv.id, message_id))
        return self.get_conversation(user, conversation_id)

    # -- turns -----------------------------------------------------------------------------------------------
    def post_message(
        self,
        user: UserRow,
        conversation_id: str,
        content: str,
        *,
        parent_id: str | None = None,
        edit_of: str | None = None,
        locale: str | None = None,
    ) -> TurnResult:
        """Post a user message and get the assistant's reply.

        With neither ``parent_id`` nor ``edit_of`` the message continues the active branch. ``edit_of`` names
        an earlier user message: the new one becomes its sibling (a new branch). Raises
        :class:`ConversationEnded` if the parent's path has ended; nothing is stored then.
        """
        return self.stream_message(user, conversation_id, content, parent_id=parent_id, edit_of=edit_of,
                                   locale=locale).result()

    def stream_message(
        self,
        user: UserRow,
        conversation_id: str,
        content: str,
        *,
        parent_id: str | None = None,
        edit_of: str | None = None,
        locale: str | None = None,
        responder: Responder | None = None,
    ) -> TurnStream:
        """Like :meth:`post_message`, but the reply streams. The user message is accepted (and every error of
        acceptance raised) before this returns; the reply is written while ``events`` is iterated.

        ``responder`` writes this one reply instead of the service's (the proxy forwards to its upstream)."""
        accepted = self._accept(user, conversation_id, content, parent_id=parent_id, edit_of=edit_of)
        events = self._reply_events(accepted.conversation, accepted.user_message, accepted.history,
                                    locale=locale, variant=0, new_user_message=True, responder=responder)
        return TurnStream(user_message=accepted.user_message, reply_to=accepted.user_message, events=events)

    def retry(self, user: UserRow, conversation_id: str, message_id: str, *, locale: str | None = None) -> TurnResult:
        """Write a new reply beside the assistant message ``message_id`` (or the missing reply of a user message).

        Retrying the reply to a turn that ended the chat is refused: the turn's decision stands.
        """
        return self.stream_retry(user, conversation_id, message_id, locale=locale).result()

    def stream_retry(self, user: UserRow, conversation_id: str, message_id: str, *,
                     locale: str | None = None, responder: Responder | None = None) -> TurnStream:
        """Like :meth:`retry`, but the new reply streams (written by ``responder`` if given)."""
        with self.store.read() as tx:
            conv = self._conversation(tx, user, conversation_id)
            target = self._message(tx, conv, message_id)
            user_msg = target if target.role == "user" else self._message(tx, conv, target.parent_id or "")
            replies = tx.children(conv.id, user_msg.id)
            if user_msg.state.ended and replies:
                raise self._ended(user_msg.state)
            if len(replies) >= self.settings.max_siblings:
                raise InvalidInput(f"That message already has {self.settings.max_siblings} replies.",
                                   limit=self.settings.max_siblings)
            history = self._history(tx, conv, user_msg.id)
        events = self._reply_events(conv, user_msg, history, locale=locale, variant=len(replies),
                                    new_user_message=False, responder=responder)
        return TurnStream(user_message=None, reply_to=user_msg, events=events)

    def _accept(self, user: UserRow, conversation_id: str, content: str, *, parent_id: str | None,
                edit_of: str | None) -> _Accepted:
        content = check_text(content, field="content", max_chars=self.settings.max_message_chars)
        if parent_id is not None and edit_of is not None:
            raise InvalidInput("Give parent_id or edit_of, not both.")
        ahead = self._assess_ahead(user, conversation_id, content, parent_id=parent_id, edit_of=edit_of)
        with self.store.write() as tx:
            conv = self._conversation(tx, user, conversation_id, lock=True)
            parent = self._resolve_parent(tx, conv, parent_id=parent_id, edit_of=edit_of)
            state = parent.state if parent else PathState()
            if state.ended:
                raise self._ended(state)
            if state.awaiting_reply or (parent is not None and parent.role == "user"):
                raise ReplyPending(message_id=parent.id if parent else None)
            self._check_shape(tx, conv, parent, branching=parent_id is not None or edit_of is not None)
            if ahead is not None and ahead.parent_id == (parent.id if parent else None):
                history, assessment = ahead.history, ahead.assessment
            else:  # the branch moved on since the read (a racing post): assess against the parent we hold
                history = self._history(tx, conv, parent.id) if parent else ()
                assessment = self._assess_turn(content, state, history)
            # Read under the lock from the conversation row, so two racing edits cannot both miss an ending.
            signals = ConversationSignals(ended_branches=conv.ended_branches, crisis_branches=conv.crisis_branches)
            new_state = self.policy.on_user(state, assessment, signals)
            message = tx.insert_message(conv, parent=parent, role="user", content=content, state=new_state,
                                        assessment=assessment.to_dict(),
                                        signals=signals.to_dict() if signals.any else None)
            if new_state.ending is not None:
                self._audit_ending(tx, conv, message, new_state)
        metrics.record_decision(new_state)
        return _Accepted(conversation=conv, user_message=message, history=history + (("user", content),))

    def _assess_ahead(self, user: UserRow, conversation_id: str, content: str, *, parent_id: str | None,
                      edit_of: str | None) -> _Ahead | None:
        """Assess before taking the write lock, against the parent as read now.

        The assessor is the slowest step of a turn; run under the lock it serialised every writer behind it.
        A stored message never changes, so an assessment made against a parent holds for as long as the
        parent is the same message: ``_accept`` uses it only then. None where the turn will be refused (the
        locked pass raises the error) or the parent cannot be resolved yet.
        """
        try:
            with self.store.read() as tx:
                conv = self._conversation(tx, user, conversation_id)
                parent = self._resolve_parent(tx, conv, parent_id=parent_id, edit_of=edit_of)
                state = parent.state if parent else PathState()
                if state.ended or state.awaiting_reply or (parent is not None and parent.role == "user"):
                    return None
                history = self._history(tx, conv, parent.id) if parent else ()
        except LastResortError:
            return None  # raised again, under the lock, by the pass that decides
        return _Ahead(parent_id=parent.id if parent else None, history=history,
                      assessment=self._assess_turn(content, state, history))

    def _assess_turn(self, content: str, state: PathState, history: tuple[tuple[Role, str], ...]) -> Assessment:
        context = AssessContext(
            previous_action=state.last_action,
            recent_user_turns=tuple(text for role, text in history if role == "user")[-3:],
        )
        started = time.perf_counter()
        assessment = self._assess(content, context)
        metrics.ASSESSOR_LATENCY.labels(self.assessor.name).observe(time.perf_counter() - started)
        return assessment

    def _reply_events(self, conv: ConversationRow, user_msg: MessageRow, history: tuple[tuple[Role, str], ...],
                      *, locale: str | None, variant: int, new_user_message: bool,
                      responder: Responder | None = None) -> Iterator[TextDelta | TurnResult]:
        decision = user_msg.state.decision
        assert decision is not None, "a user message's state always carries its decision"
        locale = locale or self.settings.locale
        request = ReplyRequest(decision=decision, state=user_msg.state, history=history, locale=locale,
                               variant=variant, resources=self.crisis.resources_for(locale))
        parts: list[str] = []
        end_requested = False
        responder = responder or self.responder
        events = responder.respond(request)
        try:
            for event in events:
                if isinstance(event, TextDelta):
                    if event.text:
                        parts.append(event.text)
                        yield event
                elif isinstance(event, EndRequest):
                    end_requested = True
        except ResponderError:
            raise
        except Exception as exc:  # a responder's fault must never lose the user's message
            raise ResponderError(f"The assistant could not reply ({type(exc).__name__}). Your message was kept: "
                                 "retry the reply.", reason="responder_failed") from exc
        finally:
            close = getattr(events, "close", None)
            if close is not None:  # an abandoned stream releases its connection now, not at garbage collection
                close()
        text = "".join(parts).strip()
        if not text:
            raise ResponderError("The assistant returned an empty reply. Your message was kept: retry the reply.",
                                 reason="empty_reply")
        state = self.policy.on_assistant(user_msg.state, AssistantTurn(content=text, end_requested=end_requested))
        with self.store.write() as tx:
            # The conversation may have moved on since accept; the reply still belongs to user_msg, and nothing
            # of the conversation row is checked here: insert_message's one UPDATE takes the row lock (on
            # PostgreSQL) and the next seq, so no locking read comes first.
            reply = tx.insert_message(conv, parent=user_msg, role="assistant", content=text, state=state,
                                      decision=decision.to_dict(), end_requested=end_requested,
                                      responder=responder.name)
            if state.ending is not None and not user_msg.state.ended:  # the model's request was honoured
                self._audit_ending(tx, conv, reply, state)
        if state.ending is not None and not user_msg.state.ended:
            metrics.record_ending(state)
        yield TurnResult(user_message=user_msg if new_user_message else None, assistant_message=reply)

    # -- feedback --------------------------------------------------------------------------------------------
    def add_feedback(self, user: UserRow, conversation_id: str, message_id: str, *, rating: str | None,
                     comment: str = "", dispute: bool = False) -> FeedbackRow:
        if rating is not None and rating not in _RATINGS:
            raise InvalidInput("rating must be 'up' or 'down'.", field="rating")
        comment = check_text(comment, field="comment", max_chars=self.settings.max_comment_chars, allow_empty=True)
        if rating is None and not comment.strip() and not dispute:
            raise InvalidInput("Feedback needs a rating, a comment or a dispute.")
        with self.store.write() as tx:
            conv = self._conversation(tx, user, conversation_id, lock=True)
            message = self._message(tx, conv, message_id)
            if message.role != "assistant":
                raise InvalidInput("Feedback is given on assistant messages.", field="message_id")
            if dispute and not message.state.ended:
                raise InvalidInput("Only an ending can be disputed.", field="dispute")
            row = tx.add_feedback(conversation_id=conv.id, message_id=message.id, user_id=user.id, rating=rating,
                                  comment=comment.strip(), dispute=dispute)
            if dispute:
                tx.audit(actor=user.id, action="dispute", conversation_id=conv.id, message_id=message.id,
                         details={"feedback_id": row.id, "comment": row.comment})
        if dispute:
            metrics.DISPUTES.inc()
        return row

    def welfare(self, user: UserRow, conversation_id: str) -> WelfareSignals:
        """Welfare signals of the active path: refusals, persistence, model end requests and their outcome."""
        return path_welfare(self.get_conversation(user, conversation_id).active_path)

    # -- helpers ---------------------------------------------------------------------------------------------
    def _conversation(self, tx: Tx, user: UserRow, conversation_id: str, *, lock: bool = False) -> ConversationRow:
        conv = tx.get_conversation(conversation_id, user.id, lock=lock) if _is_id(conversation_id) else None
        if conv is None:  # another user's conversation is indistinguishable from a missing one
            raise ConversationNotFound(conversation_id=conversation_id)
        return conv

    def _message(self, tx: Tx, conv: ConversationRow, message_id: str) -> MessageRow:
        message = tx.get_message(conv.id, message_id) if _is_id(message_id) else None
        if message is None:
            raise MessageNotFound(message_id=message_id)
        return message

    def _resolve_parent(self, tx: Tx, conv: ConversationRow, *, parent_id: str | None,
                        edit_of: str | None) -> MessageRow | None:
        if edit_of is not None:
            edited = self._message(tx, conv, edit_of)
            if edited.role != "user":
                raise InvalidInput("edit_of must name a user message; use retry for assistant replies.",
                                   field="edit_of")
            return self._message(tx, conv, edited.parent_id) if edited.parent_id else None
        if parent_id is not None:
            return self._message(tx, conv, parent_id)
        return self._message(tx, conv, conv.active_leaf_id) if conv.active_leaf_id else None

    def _assess(self, content: str, context: AssessContext) -> Assessment:
        """A failing assessor refuses the turn (503, nothing stored): a turn judged without crisis detection
        could end a chat that must not end."""
        try:
            return self._assess_one(content, context)
        except AssessorError:
            raise
        except Exception as exc:
            logger.exception("assessor %s failed", self.assessor.name)
            raise AssessorError(f"The safety check failed ({type(exc).__name__}); nothing was stored. "
                                "Please try again.") from exc

    def _check_shape(self, tx: Tx, conv: ConversationRow, parent: MessageRow | None, *, branching: bool) -> None:
        """Depth and fan-out limits. Only a branching post can add a sibling: the active leaf has no children."""
        if parent is not None and parent.depth + 2 > self.settings.max_depth:  # room for the message and its reply
            raise InvalidInput(f"This branch has reached {self.settings.max_depth} messages; start a new chat.",
                               limit=self.settings.max_depth)
        if branching and len(tx.children(conv.id, parent.id if parent else None)) >= self.settings.max_siblings:
            raise InvalidInput(f"That message already has {self.settings.max_siblings} alternatives.",
                               limit=self.settings.max_siblings)

    def _history(self, tx: Tx, conv: ConversationRow, leaf_id: str) -> tuple[tuple[Role, str], ...]:
        return tuple(tx.history(conv.id, leaf_id, self.settings.history_limit))

    @staticmethod
    def _audit_ending(tx: Tx, conv: ConversationRow, message: MessageRow, state: PathState) -> None:
        assert state.ending is not None
        tx.audit(actor=state.ending.by, action="conversation_ended", conversation_id=conv.id, message_id=message.id,
                 details=state.ending.to_dict())

    @staticmethod
    def _ended(state: PathState) -> ConversationEnded:
        assert state.ending is not None
        return ConversationEnded(ending=state.ending.to_dict())


def _is_id(value: str) -> bool:
    return isinstance(value, str) and 0 < len(value) <= 32 and value.isalnum()
