"""The last-resort policy: a pure fold over a path.

Each user turn gets one :class:`~lastresort.core.actions.Action`. The escalation, with the defaults::

    harmful/abusive turn 1 -> refuse or redirect
    harmful/abusive turn 2 -> refuse or redirect
    harmful/abusive turn 3 -> warn (names the behaviour and says the chat may end)
    harmful/abusive turn 4 -> end

Benign turns in between are answered and do not reset the count: the count lives on the path, so editing a
later message cannot launder the abuse that stays on the kept part of it. Recovery is explicit instead: after
``recovery_turns`` answered turns in a row the escalation steps back by one (the latest warning first, then one
refusal/redirection), so a user who stops and engages productively works their way back down the ladder, and a
new warning is always needed before an end. Only ``end_categories`` can lead to an end; other harmful
categories are refused or redirected every time and never escalate.

A crisis signal (risk to self or others) always wins: crisis support, and no ending on that path ever again
(and, by default, on no later branch of the same conversation either). A path's first faint sign of risk to self
(below ``crisis_support_threshold``) in an otherwise ordinary message gets a check-in instead, an answer with one
line of support, and disables ending just the same. An unambiguous request to end the chat ends it at once; an
ambiguous one is confirmed first. Sibling branches that ended earlier are visible through
:class:`~lastresort.core.signals.ConversationSignals`: after one, fewer refusals precede the warning on a new
branch (``pushbacks_after_ended_branch``), but a warning is still always needed.

Nothing here does I/O. The store caches the state of every node; ``fold`` recomputes it from scratch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from lastresort.core.actions import Action
from lastresort.core.assessment import Assessment
from lastresort.core.categories import CRISIS, END_ELIGIBLE, HARMFUL_REQUESTS, Category
from lastresort.core.signals import ConversationSignals
from lastresort.core.state import USER_REQUEST, Decision, Ending, Evidence, PathState
from lastresort.core.tree import AssistantTurn, Turn, UserTurn

__all__ = ["PathEnded", "Policy", "PolicyConfig", "ReplyPending"]

MODEL_REQUEST = "model_request"


class PathEnded(Exception):
    """A message was folded onto a path that has already ended."""


class ReplyPending(Exception):
    """A user message was folded onto a user message that has no reply yet."""


@dataclass(frozen=True, kw_only=True)
class PolicyConfig:
    harm_threshold: float = 0.5  # a category counts as present at this score
    crisis_threshold: float = 0.35  # lower on purpose: a missed crisis is the worst error
    #: At or above: full crisis support. From ``crisis_threshold`` up to here, the first sign of risk to self on a
    #: path gets a check-in instead: the message is answered, with one line offering support and resources. Ending
    #: is disabled either way, and any later sign on the path (or a crisis on another branch) gets full support.
    #: At or below ``crisis_threshold``: no check-ins. The default is where the built-in assessor's crisis score
    #: reaches a precision of 0.8 on its validation split, rounded down to a multiple of 0.05
    #: (``python -m lastresort.training.support_grade``).
    crisis_support_threshold: float = 0.75
    end_request_threshold: float = 0.85  # at or above: an unambiguous request to end
    end_request_ambiguous: float = 0.4  # at or above (and below the former): ask to confirm
    pushbacks_before_warning: int = 2  # refusals/redirections that must fail before a warning
    warnings_before_end: int = 1  # explicit warnings that must precede an end
    #: The only categories whose persistence may ever end a chat. The others are refused or redirected every
    #: time, without escalating. Crisis signals and end requests are never in here.
    end_categories: frozenset[Category] = field(default_factory=lambda: END_ELIGIBLE)
    #: Answered turns in a row that undo one escalation step (the latest warning first). 0 turns recovery off.
    recovery_turns: int = 3
    #: Refusals/redirections before the warning on a branch of a conversation where another branch has ended
    #: (editing around an ending does not buy a fresh ladder). Capped by ``pushbacks_before_warning``.
    pushbacks_after_ended_branch: int = 0
    #: A crisis signal on any branch of the conversation disables ending on later branches too.
    crisis_elsewhere_disables_end: bool = True

    def __post_init__(self) -> None:
        for name in ("harm_threshold", "crisis_threshold", "crisis_support_threshold", "end_request_threshold",
                     "end_request_ambiguous"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be a number in (0, 1], got {value!r}")
        if self.end_request_ambiguous > self.end_request_threshold:
            raise ValueError("end_request_ambiguous must not exceed end_request_threshold")
        for name in ("pushbacks_before_warning", "warnings_before_end", "recovery_turns",
                     "pushbacks_after_ended_branch"):
            value = getattr(self, name)
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"{name} must be a non-negative integer, got {value!r}")
        if self.warnings_before_end < 1:
            raise ValueError("an end needs at least one warning: warnings_before_end must be >= 1")
        if not isinstance(self.crisis_elsewhere_disables_end, bool):
            raise ValueError("crisis_elsewhere_disables_end must be true or false")
        outside = set(self.end_categories) - END_ELIGIBLE
        if outside:
            raise ValueError(f"end_categories may hold only {', '.join(sorted(END_ELIGIBLE))}; "
                             f"not {', '.join(sorted(str(c) for c in outside))} (crisis signals never end a chat)")

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> PolicyConfig:
        """A config from plain values (a TOML table, environment strings already parsed). Unknown keys and bad
        values raise ``ValueError`` naming the key."""
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ValueError(f"unknown policy setting(s): {', '.join(unknown)}; known: {', '.join(sorted(known))}")
        values = dict(data)
        if "end_categories" in values:
            raw = values["end_categories"]
            if isinstance(raw, str) or not isinstance(raw, Iterable):
                raise ValueError("end_categories must be a list of category names")
            try:
                values["end_categories"] = frozenset(Category(str(c)) for c in raw)
            except ValueError:
                raise ValueError(f"end_categories: unknown category in {list(raw)!r}; known: "
                                 f"{', '.join(c.value for c in Category)}") from None
        return cls(**values)

    def to_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["end_categories"] = sorted(c.value for c in self.end_categories)
        return data

    def pushbacks_needed(self, signals: ConversationSignals) -> int:
        if signals.ended_branches:
            return min(self.pushbacks_after_ended_branch, self.pushbacks_before_warning)
        return self.pushbacks_before_warning


_BEHAVIOUR = {
    Category.ABUSE: "abusive messages aimed at the assistant",
    Category.HARASSMENT_THREAT: "harassment and threats against people",
    Category.SEXUAL_MINORS: "requests for sexual content involving minors",
    Category.VIOLENT_EXTREMISM: "requests to help with terrorism or mass violence",
    Category.CBRN: "requests for help with chemical, biological, radiological or nuclear weapons",
    Category.CYBER_HARM: "requests for malware or attacks on systems",
    Category.DANGEROUS_ILLEGAL: "requests for help hurting people or committing serious crimes",
}


def describe(category: Category | None) -> str:
    """The behaviour a category stands for, in plain words."""
    return _BEHAVIOUR.get(category, "harmful requests") if category else "harmful requests"


@dataclass(frozen=True)
class Policy:
    config: PolicyConfig = PolicyConfig()

    # -- reading an assessment -------------------------------------------------------------------------------
    def _crisis(self, a: Assessment) -> Category | None:
        hits = [c for c in CRISIS if a.score(c) >= self.config.crisis_threshold]
        return max(hits, key=a.score) if hits else None

    def _harm(self, a: Assessment) -> Category | None:
        hits = [c for c in END_ELIGIBLE if a.score(c) >= self.config.harm_threshold]
        # Ties go to the enum's order, so the choice never depends on set iteration order.
        order = list(Category)
        return max(hits, key=lambda c: (a.score(c), -order.index(c))) if hits else None

    # -- the fold --------------------------------------------------------------------------------------------
    def decide(self, state: PathState, a: Assessment, signals: ConversationSignals | None = None) -> Decision:
        """The action for a new user turn on a path whose state is ``state``."""
        cfg = self.config
        signals = signals or ConversationSignals()
        turn = state.user_turns + 1
        scores = {c.value: round(s, 4) for c, s in sorted(a.scores.items()) if s > 0}
        crisis = self._crisis(a)
        harm = self._harm(a)
        end_request = a.score(Category.END_REQUEST)
        crisis_elsewhere = signals.crisis_branches > 0 and cfg.crisis_elsewhere_disables_end
        seen = {k: v for k, v in signals.to_dict().items() if v}

        def make(action: Action, category: Category | None, why: str, permitted: bool = False) -> Decision:
            return Decision(
                turn=turn, action=action, category=category, scores=scores,
                end_permitted=permitted, explanation=why, signals=seen,
            )

        if crisis is not None:
            # A faint first signal in an otherwise ordinary message is answered with a check-in: a request that
            # merely sounds like distress (meals, sleep, money) should not get a crisis reply. A second signal, or
            # one beside abuse, harm or a wish to leave, never is.
            # Risk to others is never checked in on: a threat misread as ordinary puts someone else in danger.
            ordinary = (harm is None and end_request < cfg.end_request_ambiguous
                        and a.score(Category.HARM_TO_OTHERS_RISK) < cfg.crisis_threshold)
            if (a.score(crisis) < cfg.crisis_support_threshold and ordinary
                    and not (state.crisis or crisis_elsewhere)):
                return make(Action.CHECK_IN, crisis, "A possible, unclear sign of risk: answering with a check-in "
                            "and resources; ending is disabled for this conversation path.")
            return make(Action.CRISIS_SUPPORT, crisis, "Possible risk of harm: offering support and resources; "
                        "ending is disabled for this conversation path.")
        if (state.crisis or crisis_elsewhere) and (harm is not None or end_request >= cfg.end_request_ambiguous):
            # When in doubt, continue: a path that showed a crisis never ends, however the user behaves.
            where = ("this path showed a crisis signal earlier" if state.crisis
                     else "another branch of this conversation showed a crisis signal")
            if harm in HARMFUL_REQUESTS:
                return make(Action.REFUSE, harm, f"Refused {describe(harm)}; {where}, so it stays open and "
                            "support stays on offer.")
            return make(Action.CRISIS_SUPPORT, harm or Category.END_REQUEST, f"{where.capitalize()}: "
                        "continuing with support instead of ending.")
        if end_request >= cfg.end_request_threshold:
            return make(Action.END, Category.END_REQUEST, "The user asked to end the chat.", permitted=True)
        if end_request >= cfg.end_request_ambiguous and harm is None:
            return make(Action.CONFIRM_END, Category.END_REQUEST, "The user may want to end the chat: "
                        "asking to confirm before ending.")
        if harm is None:
            return make(Action.ANSWER, None, "No harmful or abusive content detected.")
        pushback = Action.REFUSE if harm in HARMFUL_REQUESTS else Action.REDIRECT
        if harm not in cfg.end_categories:
            return make(pushback, harm, f"{describe(harm).capitalize()}: {pushback.value} (this category never "
                        "ends a chat under the configured policy, so it does not escalate).")
        needed = cfg.pushbacks_needed(signals)
        after_ending = (f" (another branch of this conversation already ended, so {needed} before the warning)"
                        if signals.ended_branches and needed < cfg.pushbacks_before_warning else "")
        if state.pushbacks < needed:
            n = state.pushbacks + 1
            return make(pushback, harm, f"{describe(harm).capitalize()} ({pushback.value} {n} of "
                        f"{needed} before a warning){after_ending}.")
        if state.warnings < cfg.warnings_before_end:
            return make(Action.WARN, harm, f"{describe(harm).capitalize()} continued after "
                        f"{state.pushbacks} refusals/redirections{after_ending}: explicit warning that the chat "
                        "may end.")
        return make(Action.END, harm, f"{describe(harm).capitalize()} continued after {state.pushbacks} "
                    f"refusals/redirections and {state.warnings} warning(s): ending the chat as a last resort.",
                    permitted=True)

    def _recover(self, state: PathState, d: Decision) -> tuple[PathState, Decision]:
        """Count an answered turn towards recovery; every ``recovery_turns`` in a row undo one step."""
        cfg = self.config
        calm = state.calm_turns + 1
        if not cfg.recovery_turns or calm < cfg.recovery_turns or not (state.warnings or state.pushbacks):
            return replace(state, calm_turns=calm), d
        if state.warnings:
            state = replace(state, warnings=state.warnings - 1)
            step = "the last warning no longer counts (a new one is needed before any end)"
        else:
            state = replace(state, pushbacks=state.pushbacks - 1)
            step = "one refusal/redirection no longer counts"
        state = replace(state, calm_turns=0, recoveries=state.recoveries + 1)
        return state, replace(d, explanation=f"{d.explanation} The user engaged productively for "
                              f"{cfg.recovery_turns} turns in a row: the escalation steps back, {step}.")

    def on_user(self, state: PathState, a: Assessment, signals: ConversationSignals | None = None) -> PathState:
        """State after a user message: its decision is made here, before any reply is written."""
        if state.ended:
            raise PathEnded("this conversation path has ended")
        if state.awaiting_reply:
            raise ReplyPending("the previous user message has no reply yet")
        d = self.decide(state, a, signals)
        new = replace(state, user_turns=d.turn, awaiting_reply=True)
        if d.category in END_ELIGIBLE:
            new = replace(new, harmful_turns=new.harmful_turns + 1)
        if d.action is Action.ANSWER:
            new, d = self._recover(new, d)
            return self._settle(new, d)
        if d.action is not Action.CONFIRM_END:
            new = replace(new, calm_turns=0)
        item = Evidence(turn=d.turn, action=d.action, category=d.category,
                        score=a.score(d.category) if d.category else 0.0)
        escalates = d.category in self.config.end_categories
        if d.action.is_pushback and escalates:
            new = new.with_evidence(item, pushbacks=new.pushbacks + 1)
        elif d.action is Action.WARN:
            new = new.with_evidence(item, warnings=new.warnings + 1)
        elif d.action is Action.CRISIS_SUPPORT:
            new = new.with_evidence(item, crisis=True, crisis_turns=new.crisis_turns + 1)
        elif d.action is Action.CHECK_IN:
            new = new.with_evidence(item, crisis=True, check_ins=new.check_ins + 1)
        else:
            new = new.with_evidence(item)
        if d.action is Action.END:
            by = "user" if d.category is Category.END_REQUEST else "policy"
            reason = USER_REQUEST if by == "user" else (d.category.value if d.category else "harm")
            category = d.category.value if d.category else None
            new = replace(new, ending=Ending(turn=d.turn, reason=reason, by=by, category=category,
                                             explanation=d.explanation, pushbacks=new.pushbacks,
                                             warnings=new.warnings, evidence=new.evidence))
        return self._settle(new, d)

    @staticmethod
    def _settle(state: PathState, d: Decision) -> PathState:
        """Attach the decision, with the escalation as it stands after this turn."""
        d = replace(d, pushbacks=state.pushbacks, warnings=state.warnings,
                    evidence_turns=tuple(e.turn for e in state.evidence))
        return replace(state, decision=d)

    def on_assistant(self, state: PathState, turn: AssistantTurn) -> PathState:
        """State after an assistant reply. A model's request to end is honoured only if the policy permits it."""
        if not state.awaiting_reply:
            # A retry writes a sibling of an earlier reply, so its parent is always a user message.
            raise ReplyPending("an assistant reply must follow a user message")
        new = replace(state, awaiting_reply=False)
        d = state.decision
        if turn.end_requested and d is not None and d.end_permitted and not state.ended and not state.crisis:
            new = replace(new, ending=Ending(turn=d.turn, reason=MODEL_REQUEST, by="model",
                                             category=d.category.value if d.category else None,
                                             explanation="The model asked to end the chat and the policy "
                                             "permitted it: " + d.explanation,
                                             pushbacks=state.pushbacks, warnings=state.warnings,
                                             evidence=state.evidence))
        return new

    def step(self, state: PathState, turn: Turn) -> PathState:
        if isinstance(turn, UserTurn):
            new = self.on_user(state, turn.assessment, turn.signals)
        else:
            new = self.on_assistant(state, turn)
        return self.reinstate(new) if turn.reinstated else new

    @staticmethod
    def reinstate(state: PathState) -> PathState:
        """The state after an operator reversed the ending of this turn: open again, with a fresh warning
        ladder (the operator judged the escalation unwarranted) and the evidence kept for the record."""
        if state.ending is None:
            return state
        return replace(state, ending=None, pushbacks=0, warnings=0, reinstated=state.reinstated + 1)

    def states(self, turns: Iterable[Turn], start: PathState | None = None) -> Iterator[PathState]:
        """The state after each turn of a path."""
        state = start or PathState()
        for turn in turns:
            state = self.step(state, turn)
            yield state

    def fold(self, turns: Iterable[Turn]) -> PathState:
        """The state of a whole path, recomputed from scratch."""
        state = PathState()
        for state in self.states(turns):  # noqa: B007 - the last state is the answer
            pass
        return state
