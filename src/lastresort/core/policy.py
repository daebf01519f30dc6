"""The last-resort policy: a pure fold over a path.

Each user turn gets one :class:`~lastresort.core.actions.Action`. The escalation, with the defaults::

    harmful/abusive turn 1 -> refuse or redirect
    harmful/abusive turn 2 -> refuse or redirect
    harmful/abusive turn 3 -> warn (names the behaviour and says the chat may end)
    harmful/abusive turn 4 -> end

Benign turns in between are answered and do not reset the count: the count lives on the path, so editing a
later message cannot launder the abuse that stays on the kept part of it. A crisis signal (risk to self or
others) always wins: crisis support, and no ending on that path ever again. An unambiguous request to end the
chat ends it at once; an ambiguous one is confirmed first.

Nothing here does I/O. The store caches the state of every node; ``fold`` recomputes it from scratch.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace

from lastresort.core.actions import Action
from lastresort.core.assessment import Assessment
from lastresort.core.categories import CRISIS, END_ELIGIBLE, HARMFUL_REQUESTS, Category
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
    end_request_threshold: float = 0.85  # at or above: an unambiguous request to end
    end_request_ambiguous: float = 0.4  # at or above (and below the former): ask to confirm
    pushbacks_before_warning: int = 2  # refusals/redirections that must fail before a warning
    warnings_before_end: int = 1  # explicit warnings that must precede an end

    def __post_init__(self) -> None:
        for name in ("harm_threshold", "crisis_threshold", "end_request_threshold", "end_request_ambiguous"):
            value = getattr(self, name)
            if not 0.0 < value <= 1.0:
                raise ValueError(f"{name} must be in (0, 1], got {value}")
        if self.end_request_ambiguous > self.end_request_threshold:
            raise ValueError("end_request_ambiguous must not exceed end_request_threshold")
        if self.pushbacks_before_warning < 0 or self.warnings_before_end < 1:
            raise ValueError("an end needs at least one warning and a non-negative number of refusals")


_BEHAVIOUR = {
    Category.ABUSE: "abusive messages aimed at the assistant",
    Category.HARASSMENT_THREAT: "harassment and threats against people",
    Category.SEXUAL_MINORS: "requests for sexual content involving minors",
    Category.VIOLENT_EXTREMISM: "requests to help with terrorism or mass violence",
    Category.CBRN: "requests for help with chemical, biological, radiological or nuclear weapons",
    Category.CYBER_HARM: "requests for malware or attacks on systems",
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
    def decide(self, state: PathState, a: Assessment) -> Decision:
        """The action for a new user turn on a path whose state is ``state``."""
        cfg = self.config
        turn = state.user_turns + 1
        scores = {c.value: round(s, 4) for c, s in sorted(a.scores.items()) if s > 0}
        crisis = self._crisis(a)
        harm = self._harm(a)
        end_request = a.score(Category.END_REQUEST)

        def make(action: Action, category: Category | None, why: str, permitted: bool = False) -> Decision:
            return Decision(
                turn=turn, action=action, category=category, scores=scores,
                end_permitted=permitted, explanation=why,
            )

        if crisis is not None:
            return make(Action.CRISIS_SUPPORT, crisis, "Possible risk of harm: offering support and resources; "
                        "ending is disabled for this conversation path.")
        if state.crisis and (harm is not None or end_request >= cfg.end_request_ambiguous):
            # When in doubt, continue: a path that showed a crisis never ends, however the user behaves.
            if harm in HARMFUL_REQUESTS:
                return make(Action.REFUSE, harm, f"Refused {describe(harm)}; this path showed a crisis "
                            "signal earlier, so it stays open and support stays on offer.")
            return make(Action.CRISIS_SUPPORT, harm or Category.END_REQUEST, "This path showed a crisis signal "
                        "earlier: continuing with support instead of ending.")
        if end_request >= cfg.end_request_threshold:
            return make(Action.END, Category.END_REQUEST, "The user asked to end the chat.", permitted=True)
        if end_request >= cfg.end_request_ambiguous and harm is None:
            return make(Action.CONFIRM_END, Category.END_REQUEST, "The user may want to end the chat: "
                        "asking to confirm before ending.")
        if harm is None:
            return make(Action.ANSWER, None, "No harmful or abusive content detected.")
        if state.pushbacks < cfg.pushbacks_before_warning:
            action = Action.REFUSE if harm in HARMFUL_REQUESTS else Action.REDIRECT
            n = state.pushbacks + 1
            return make(action, harm, f"{describe(harm).capitalize()} ({action.value} {n} of "
                        f"{cfg.pushbacks_before_warning} before a warning).")
        if state.warnings < cfg.warnings_before_end:
            return make(Action.WARN, harm, f"{describe(harm).capitalize()} continued after "
                        f"{state.pushbacks} refusals/redirections: explicit warning that the chat may end.")
        return make(Action.END, harm, f"{describe(harm).capitalize()} continued after {state.pushbacks} "
                    f"refusals/redirections and {state.warnings} warning(s): ending the chat as a last resort.",
                    permitted=True)

    def on_user(self, state: PathState, a: Assessment) -> PathState:
        """State after a user message: its decision is made here, before any reply is written."""
        if state.ended:
            raise PathEnded("this conversation path has ended")
        if state.awaiting_reply:
            raise ReplyPending("the previous user message has no reply yet")
        d = self.decide(state, a)
        new = replace(state, user_turns=d.turn, decision=d, awaiting_reply=True)
        if d.category in END_ELIGIBLE:
            new = replace(new, harmful_turns=new.harmful_turns + 1)
        if d.action is Action.ANSWER:
            return new
        item = Evidence(turn=d.turn, action=d.action, category=d.category,
                        score=a.score(d.category) if d.category else 0.0)
        if d.action.is_pushback:
            new = new.with_evidence(item, pushbacks=new.pushbacks + 1)
        elif d.action is Action.WARN:
            new = new.with_evidence(item, warnings=new.warnings + 1)
        elif d.action is Action.CRISIS_SUPPORT:
            new = new.with_evidence(item, crisis=True, crisis_turns=new.crisis_turns + 1)
        else:
            new = new.with_evidence(item)
        if d.action is Action.END:
            by = "user" if d.category is Category.END_REQUEST else "policy"
            reason = USER_REQUEST if by == "user" else (d.category.value if d.category else "harm")
            category = d.category.value if d.category else None
            new = replace(new, ending=Ending(turn=d.turn, reason=reason, by=by, category=category,
                                             explanation=d.explanation, pushbacks=new.pushbacks,
                                             warnings=new.warnings, evidence=new.evidence))
        return new

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
            return self.on_user(state, turn.assessment)
        return self.on_assistant(state, turn)

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
