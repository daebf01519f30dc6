from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lastresort.core.actions import Action
from lastresort.core.assessment import Assessment
from lastresort.core.categories import CRISIS, Category
from lastresort.core.policy import PathEnded, Policy, PolicyConfig, ReplyPending
from lastresort.core.state import PathState
from lastresort.core.tree import AssistantTurn, Turn, UserTurn

C = Category
policy = Policy()


def a(**scores: float) -> Assessment:
    return Assessment(scores={Category(k): v for k, v in scores.items()})


def run(*assessments: Assessment, end_requested: bool = False) -> tuple[list[Action], PathState]:
    state, actions = PathState(), []
    for assessment in assessments:
        state = policy.on_user(state, assessment)
        assert state.decision is not None
        actions.append(state.decision.action)
        state = policy.on_assistant(state, AssistantTurn(content="ok", end_requested=end_requested))
        if state.ended:
            break
    return actions, state


def test_benign_chat_is_only_answered() -> None:
    actions, state = run(*(a() for _ in range(20)))
    assert actions == [Action.ANSWER] * 20
    assert state.status == "open" and state.pushbacks == state.warnings == 0


def test_persistent_abuse_escalates_redirect_redirect_warn_end() -> None:
    actions, state = run(*(a(abuse=0.9) for _ in range(6)))
    assert actions == [Action.REDIRECT, Action.REDIRECT, Action.WARN, Action.END]
    assert state.ended and state.ending is not None
    assert state.ending.reason == "abuse" and state.ending.by == "policy" and state.ending.turn == 4
    assert [e.turn for e in state.ending.evidence] == [1, 2, 3, 4]
    assert state.ending.pushbacks == 2 and state.ending.warnings == 1


def test_harmful_requests_are_refused_then_warned_then_ended() -> None:
    actions, state = run(a(cbrn=0.95), a(), a(cbrn=0.8), a(cbrn=0.9), a(), a(cbrn=0.99))
    assert actions == [Action.REFUSE, Action.ANSWER, Action.REFUSE, Action.WARN, Action.ANSWER, Action.END]
    assert state.ending is not None and state.ending.category == "cbrn"


def test_a_single_outburst_never_ends() -> None:
    actions, state = run(a(abuse=0.99), *(a() for _ in range(10)))
    assert actions[0] is Action.REDIRECT and set(actions[1:]) == {Action.ANSWER}
    assert not state.ended


def test_crisis_overrides_abuse_and_disables_ending_for_the_path() -> None:
    actions, state = run(a(abuse=0.9), a(abuse=0.9), a(abuse=0.9, self_harm_risk=0.5),
                         *(a(abuse=0.95) for _ in range(10)))
    assert actions[2] is Action.CRISIS_SUPPORT
    assert Action.END not in actions and Action.WARN not in actions[2:]
    assert state.crisis and not state.ended


def test_harmful_request_on_a_crisis_path_is_still_refused_but_never_ends() -> None:
    actions, state = run(a(harm_to_others_risk=0.6), *(a(violent_extremism=0.9) for _ in range(8)))
    assert actions[0] is Action.CRISIS_SUPPORT and set(actions[1:]) == {Action.REFUSE}
    assert not state.ended


def test_unambiguous_end_request_ends_at_once() -> None:
    actions, state = run(a(), a(end_request=0.95))
    assert actions == [Action.ANSWER, Action.END]
    assert state.ending is not None and state.ending.by == "user" and state.ending.category == "end_request"


def test_ambiguous_end_request_is_confirmed_and_only_a_clear_yes_ends() -> None:
    actions, state = run(a(end_request=0.6), a())
    assert actions == [Action.CONFIRM_END, Action.ANSWER] and not state.ended
    actions, state = run(a(end_request=0.6), a(end_request=0.95))
    assert actions == [Action.CONFIRM_END, Action.END] and state.ended


def test_end_request_on_a_crisis_path_gives_support_not_an_end() -> None:
    actions, state = run(a(self_harm_risk=0.9), a(end_request=0.99))
    assert actions == [Action.CRISIS_SUPPORT, Action.CRISIS_SUPPORT] and not state.ended


def test_model_end_request_needs_the_policy_to_permit_it() -> None:
    # Dual key: the model asks on every turn, but only the permitted turn ends.
    actions, state = run(*(a(abuse=0.9) for _ in range(3)), end_requested=True)
    assert actions == [Action.REDIRECT, Action.REDIRECT, Action.WARN] and not state.ended
    state = policy.on_user(state, a(abuse=0.9))
    assert state.decision is not None and state.decision.end_permitted


def test_folding_onto_an_ended_path_or_a_pending_reply_is_refused() -> None:
    _, state = run(a(end_request=0.99))
    with pytest.raises(PathEnded):
        policy.on_user(state, a())
    pending = policy.on_user(PathState(), a())
    with pytest.raises(ReplyPending):
        policy.on_user(pending, a())
    with pytest.raises(ReplyPending):
        policy.on_assistant(PathState(), AssistantTurn(content="x"))


def test_config_is_validated_and_changes_the_escalation() -> None:
    with pytest.raises(ValueError):
        PolicyConfig(warnings_before_end=0)
    with pytest.raises(ValueError):
        PolicyConfig(end_request_ambiguous=0.9, end_request_threshold=0.5)
    strict = Policy(PolicyConfig(pushbacks_before_warning=3, warnings_before_end=2))
    state, actions = PathState(), []
    while not state.ended:
        state = strict.on_user(state, a(abuse=0.9))
        assert state.decision is not None
        actions.append(state.decision.action)
        state = strict.on_assistant(state, AssistantTurn(content="ok"))
    assert actions == [Action.REDIRECT] * 3 + [Action.WARN] * 2 + [Action.END]


def test_state_round_trips_through_its_dict() -> None:
    _, state = run(a(abuse=0.9), a(self_harm_risk=0.4), a(cbrn=0.9), a(end_request=0.5))
    assert PathState.from_dict(state.to_dict()) == state


# -- properties over arbitrary paths --------------------------------------------------------------------------
score = st.sampled_from([0.0, 0.0, 0.0, 0.3, 0.45, 0.6, 0.9, 1.0])
assessments = st.builds(lambda s: Assessment(scores=dict(zip(Category, s, strict=True))),
                        st.tuples(*(score for _ in Category)))
paths = st.lists(st.tuples(assessments, st.booleans()), min_size=1, max_size=30)


def turns_until_end(steps: list[tuple[Assessment, bool]]) -> list[Turn]:
    turns: list[Turn] = []
    state = PathState()
    for assessment, end_requested in steps:
        if state.ended:
            break
        user = UserTurn(content="u", assessment=assessment)
        reply = AssistantTurn(content="r", end_requested=end_requested)
        state = policy.on_assistant(policy.on_user(state, assessment), reply)
        turns += [user, reply]
    return turns


@given(paths)
def test_cached_states_equal_a_fresh_fold_of_every_prefix(steps: list[tuple[Assessment, bool]]) -> None:
    turns = turns_until_end(steps)
    cached = list(policy.states(turns))
    for i in range(len(turns)):
        assert policy.fold(turns[: i + 1]) == cached[i]
        assert PathState.from_dict(cached[i].to_dict()) == cached[i]


@given(paths)
def test_no_path_with_a_crisis_signal_ever_ends_after_it(steps: list[tuple[Assessment, bool]]) -> None:
    crisis_seen = False
    for turn, state in zip(turns := turns_until_end(steps), policy.states(turns), strict=True):
        if isinstance(turn, UserTurn) and any(turn.assessment.score(c) >= 0.35 for c in CRISIS):
            crisis_seen = True
            assert state.decision is not None and state.decision.action is Action.CRISIS_SUPPORT
        if crisis_seen:
            assert not state.ended


@given(paths)
def test_no_end_without_a_prior_warning_unless_the_user_asked(steps: list[tuple[Assessment, bool]]) -> None:
    state = PathState()
    for state in policy.states(turns_until_end(steps)):  # noqa: B007
        pass
    if state.ending is not None and state.ending.by != "user":
        assert state.ending.warnings >= 1 and state.ending.pushbacks >= 2
        assert any(e.action is Action.WARN and e.turn < state.ending.turn for e in state.ending.evidence)
