from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from lastresort.core.actions import Action
from lastresort.core.assessment import Assessment
from lastresort.core.categories import CRISIS, END_ELIGIBLE, Category
from lastresort.core.policy import PathEnded, Policy, PolicyConfig, ReplyPending
from lastresort.core.signals import ConversationSignals
from lastresort.core.state import Decision, PathState
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
    for first in (a(harm_to_others_risk=0.6), a(self_harm_risk=0.6)):  # support, and a check-in
        actions, state = run(first, *(a(violent_extremism=0.9) for _ in range(8)))
        assert actions[0] in (Action.CRISIS_SUPPORT, Action.CHECK_IN) and set(actions[1:]) == {Action.REFUSE}
        assert state.crisis and not state.ended


def test_a_faint_first_crisis_signal_in_an_ordinary_message_gets_a_check_in() -> None:
    actions, state = run(a(), a(self_harm_risk=0.6), a(), a(self_harm_risk=0.74))
    assert actions == [Action.ANSWER, Action.CHECK_IN, Action.ANSWER, Action.CRISIS_SUPPORT]  # the second: support
    assert state.crisis and state.check_ins == 1 and state.crisis_turns == 1 and state.supported
    assert run(a(self_harm_risk=0.75))[0] == [Action.CRISIS_SUPPORT]  # at the threshold: support
    _, checked = run(a(self_harm_risk=0.5))
    assert checked.crisis and not checked.supported  # ending is off; no reminders of a crisis that may not be one


def test_a_faint_crisis_signal_beside_abuse_harm_or_a_wish_to_leave_gets_full_support() -> None:
    for message in (a(abuse=0.9, self_harm_risk=0.5), a(cyber_harm=0.9, self_harm_risk=0.5),
                    a(end_request=0.5, self_harm_risk=0.5), a(harm_to_others_risk=0.5),
                    a(harm_to_others_risk=0.4, self_harm_risk=0.5)):  # risk to others: never a check-in
        assert run(message)[0] == [Action.CRISIS_SUPPORT]


def test_a_faint_crisis_signal_after_a_crisis_on_another_branch_gets_full_support() -> None:
    state = policy.on_user(PathState(), a(self_harm_risk=0.5), ConversationSignals(crisis_branches=1))
    assert state.decision is not None and state.decision.action is Action.CRISIS_SUPPORT


def test_states_cached_before_check_ins_existed_read_as_none() -> None:
    _, state = run(a(self_harm_risk=0.5))
    data = state.to_dict()
    del data["check_ins"]
    assert PathState.from_dict(data).check_ins == 0 and PathState.from_dict(state.to_dict()) == state


def test_check_ins_can_be_turned_off() -> None:
    for config in (PolicyConfig(crisis_support_threshold=0.35), PolicyConfig(crisis_threshold=0.9)):
        state = Policy(config).on_user(PathState(), a(self_harm_risk=config.crisis_threshold + 0.01))
        assert state.decision is not None and state.decision.action is Action.CRISIS_SUPPORT
    with pytest.raises(ValueError, match="crisis_support_threshold"):
        PolicyConfig(crisis_support_threshold=0.0)


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
            assert state.decision is not None
            # A check-in only for the first, faint signal on a path; support for every later one.
            expected = {Action.CRISIS_SUPPORT} if crisis_seen else {Action.CRISIS_SUPPORT, Action.CHECK_IN}
            assert state.decision.action in expected
            if state.decision.action is Action.CHECK_IN:
                assert max(turn.assessment.score(c) for c in CRISIS) < policy.config.crisis_support_threshold
            crisis_seen = True
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


# -- configurable rules ----------------------------------------------------------------------------------------
def run_with(p: Policy, *steps: Assessment, signals: ConversationSignals | None = None) -> tuple[list[Action],
                                                                                                  PathState]:
    state, actions = PathState(), []
    for assessment in steps:
        state = p.on_user(state, assessment, signals)
        assert state.decision is not None
        actions.append(state.decision.action)
        state = p.on_assistant(state, AssistantTurn(content="ok"))
        if state.ended:
            break
    return actions, state


def test_recovery_after_a_warning_needs_a_new_warning_before_an_end() -> None:
    # Warned, then three productive turns: the warning no longer counts, so abuse is warned again, not ended.
    actions, state = run(*(a(abuse=0.9) for _ in range(3)), a(), a(), a(), a(abuse=0.9), a(abuse=0.9))
    assert actions == [Action.REDIRECT, Action.REDIRECT, Action.WARN, Action.ANSWER, Action.ANSWER, Action.ANSWER,
                       Action.WARN, Action.END]
    assert state.recoveries == 1
    assert state.ending is not None and state.ending.warnings == 1


def test_longer_recovery_walks_all_the_way_down_the_ladder() -> None:
    calm = [a() for _ in range(9)]  # 3 steps: the warning, then both redirections
    actions, state = run(*(a(abuse=0.9) for _ in range(3)), *calm, a(abuse=0.9))
    assert actions[-1] is Action.REDIRECT and state.pushbacks == 1 and state.warnings == 0
    assert state.recoveries == 3
    assert state.decision is not None and "1 of 2" in state.decision.explanation


def test_recovery_is_interrupted_by_a_harmful_turn_and_explained() -> None:
    _, state = run(a(abuse=0.9), a(), a(), a(abuse=0.9), a(), a())
    assert state.recoveries == 0 and state.pushbacks == 2 and state.calm_turns == 2
    _, state = run(a(abuse=0.9), a(), a(), a())
    assert state.recoveries == 1 and state.pushbacks == 0
    assert state.decision is not None and "engaged productively" in state.decision.explanation


def test_confirm_end_neither_counts_for_nor_breaks_recovery() -> None:
    _, state = run(a(abuse=0.9), a(), a(end_request=0.5), a(), a())
    assert state.recoveries == 1 and state.pushbacks == 0


def test_recovery_can_be_turned_off() -> None:
    p = Policy(PolicyConfig(recovery_turns=0))
    actions, state = run_with(p, *(a(abuse=0.9) for _ in range(3)), *(a() for _ in range(20)), a(abuse=0.9))
    assert actions[-1] is Action.END and state.ended


def test_categories_outside_end_categories_are_refused_every_time_but_never_escalate() -> None:
    p = Policy(PolicyConfig(end_categories=frozenset({C.ABUSE})))
    actions, state = run_with(p, *(a(cyber_harm=0.9) for _ in range(10)))
    assert actions == [Action.REFUSE] * 10 and not state.ended and state.pushbacks == 0
    assert state.decision is not None and "never ends a chat" in state.decision.explanation
    # They do not feed the ladder of another category either.
    actions, _ = run_with(p, a(cyber_harm=0.9), a(cyber_harm=0.9), a(abuse=0.9))
    assert actions[-1] is Action.REDIRECT


def test_end_categories_are_validated() -> None:
    with pytest.raises(ValueError, match="crisis"):
        PolicyConfig(end_categories=frozenset({C.SELF_HARM_RISK}))
    with pytest.raises(ValueError, match="end_categories"):
        PolicyConfig(end_categories=frozenset({C.END_REQUEST}))


def test_config_from_mapping_parses_and_names_bad_keys() -> None:
    cfg = PolicyConfig.from_mapping({"pushbacks_before_warning": 3, "end_categories": ["abuse", "cbrn"],
                                     "recovery_turns": 5})
    assert cfg.end_categories == frozenset({C.ABUSE, C.CBRN}) and cfg.recovery_turns == 5
    assert PolicyConfig.from_mapping(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown policy setting"):
        PolicyConfig.from_mapping({"pushbacks": 2})
    with pytest.raises(ValueError, match="unknown category"):
        PolicyConfig.from_mapping({"end_categories": ["rudeness"]})
    with pytest.raises(ValueError, match="list"):
        PolicyConfig.from_mapping({"end_categories": "abuse"})
    with pytest.raises(ValueError, match="recovery_turns"):
        PolicyConfig.from_mapping({"recovery_turns": -1})
    with pytest.raises(ValueError, match="harm_threshold"):
        PolicyConfig.from_mapping({"harm_threshold": "high"})


def test_an_ended_sibling_branch_shortens_the_ladder_but_a_warning_still_comes_first() -> None:
    after_end = ConversationSignals(ended_branches=1)
    actions, state = run_with(policy, a(abuse=0.9), a(abuse=0.9), signals=after_end)
    assert actions == [Action.WARN, Action.END]
    assert state.ending is not None and state.ending.warnings == 1
    assert state.decision is not None and state.decision.signals == {"ended_branches": 1}
    lenient = Policy(PolicyConfig(pushbacks_after_ended_branch=1))
    actions, _ = run_with(lenient, *(a(abuse=0.9) for _ in range(3)), signals=after_end)
    assert actions == [Action.REDIRECT, Action.WARN, Action.END]


def test_benign_turns_after_an_ended_sibling_are_just_answered() -> None:
    actions, state = run_with(policy, a(), a(), signals=ConversationSignals(ended_branches=3))
    assert actions == [Action.ANSWER, Action.ANSWER] and not state.ended


def test_a_crisis_on_another_branch_disables_ending_here() -> None:
    elsewhere = ConversationSignals(crisis_branches=1)
    actions, state = run_with(policy, *(a(abuse=0.9) for _ in range(8)), signals=elsewhere)
    assert Action.END not in actions and not state.ended
    actions, state = run_with(policy, a(end_request=0.99), signals=elsewhere)
    assert actions == [Action.CRISIS_SUPPORT] and not state.ended
    off = Policy(PolicyConfig(crisis_elsewhere_disables_end=False))
    actions, state = run_with(off, *(a(abuse=0.9) for _ in range(4)), signals=elsewhere)
    assert actions[-1] is Action.END


def test_a_decision_carries_its_explanation() -> None:
    _, state = run(a(abuse=0.9), a(), a(abuse=0.8, cbrn=0.2))
    d = state.decision
    assert d is not None and d.category is C.ABUSE and d.scores == {"abuse": 0.8, "cbrn": 0.2}
    assert d.pushbacks == 2 and d.warnings == 0 and d.evidence_turns == (1, 3)
    assert Decision.from_dict(d.to_dict()) == d


signal_values = st.builds(ConversationSignals, ended_branches=st.integers(0, 3), crisis_branches=st.integers(0, 2))
configs = st.builds(PolicyConfig, pushbacks_before_warning=st.integers(0, 3), warnings_before_end=st.integers(1, 2),
                    recovery_turns=st.integers(0, 3), pushbacks_after_ended_branch=st.integers(0, 2),
                    end_categories=st.frozensets(st.sampled_from(sorted(END_ELIGIBLE))),
                    crisis_elsewhere_disables_end=st.booleans())
signalled_paths = st.lists(st.tuples(assessments, st.booleans(), signal_values), min_size=1, max_size=30)


def signalled_turns(p: Policy, steps: list[tuple[Assessment, bool, ConversationSignals]]) -> list[Turn]:
    turns: list[Turn] = []
    state = PathState()
    seen = ConversationSignals()
    for assessment, end_requested, drawn in steps:
        if state.ended:
            break
        # The counts of a conversation only grow, so along a path each turn sees at least what the last one saw.
        signals = seen = ConversationSignals(ended_branches=max(seen.ended_branches, drawn.ended_branches),
                                             crisis_branches=max(seen.crisis_branches, drawn.crisis_branches))
        user = UserTurn(content="u", assessment=assessment, signals=signals)
        reply = AssistantTurn(content="r", end_requested=end_requested)
        state = p.on_assistant(p.on_user(state, assessment, signals), reply)
        turns += [user, reply]
    return turns


@given(configs, signalled_paths)
def test_any_config_and_signals_keep_the_invariants(
    cfg: PolicyConfig, steps: list[tuple[Assessment, bool, ConversationSignals]]
) -> None:
    p = Policy(cfg)
    turns = signalled_turns(p, steps)
    cached = list(p.states(turns))
    crisis_seen = False
    for i, (turn, state) in enumerate(zip(turns, cached, strict=True)):
        assert p.fold(turns[: i + 1]) == state  # what the policy saw is on the turn, so the fold reproduces it
        assert PathState.from_dict(state.to_dict()) == state
        if isinstance(turn, UserTurn):
            if any(turn.assessment.score(c) >= cfg.crisis_threshold for c in CRISIS):
                crisis_seen = True
            if turn.signals.crisis_branches and cfg.crisis_elsewhere_disables_end:
                crisis_seen = True
        if crisis_seen:
            assert not state.ended
    final = cached[-1]
    if final.ending is not None and final.ending.by != "user":
        assert final.ending.warnings >= cfg.warnings_before_end
        assert final.ending.category in {c.value for c in cfg.end_categories}
        assert any(e.action is Action.WARN and e.turn < final.ending.turn for e in final.ending.evidence)
