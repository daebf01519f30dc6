"""The service on a real store (SQLite here; PostgreSQL in test_store_postgres.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lastresort.core.assessment import AssessContext, Assessment
from lastresort.core.policy import Policy
from lastresort.core.signals import ConversationSignals
from lastresort.core.tree import AssistantTurn, Turn, UserTurn
from lastresort.errors import (
    ConversationEnded,
    ConversationNotFound,
    InvalidInput,
    MessageNotFound,
    ReplyPending,
    ResponderError,
)
from lastresort.responders.base import EndRequest, ReplyEvent, ReplyRequest, TextDelta
from lastresort.responders.offline import OfflineResponder
from lastresort.service import ConversationService, TurnResult
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import MessageRow, Store
from tests.conftest import TaggedAssessor
from tests.conftest import make_service as make_service  # re-exported for other tests

ABUSE = "you are useless [abuse]"


@pytest.fixture
def service(database_url: str) -> Iterator[ConversationService]:
    svc = make_service(database_url)
    yield svc
    svc.store.close()


def fold_path(path: list[MessageRow]) -> object:
    turns: list[Turn] = [
        UserTurn(content=m.content, assessment=Assessment.from_dict(m.assessment or {}),
                 signals=ConversationSignals.from_dict(m.signals)) if m.role == "user"
        else AssistantTurn(content=m.content, end_requested=m.end_requested)
        for m in path
    ]
    return Policy().fold(turns)


def abuse_until_end(service: ConversationService, user: object, conv_id: str) -> list[str]:
    actions = []
    for _ in range(4):
        turn = service.post_message(user, conv_id, ABUSE)  # type: ignore[arg-type]
        actions.append(turn.assistant_message.decision["action"])  # type: ignore[index]
    return actions


def test_the_whole_story(service: ConversationService) -> None:
    user = service.local_user("alice")
    conv = service.create_conversation(user, "story")
    first = service.post_message(user, conv.id, "hello there")
    assert first.state.status == "open"
    assert abuse_until_end(service, user, conv.id) == ["redirect", "redirect", "warn", "end"]

    view = service.get_conversation(user, conv.id)
    assert view.state.ended and view.state.ending is not None and view.state.ending.reason == "abuse"
    count = len(view.messages)
    with pytest.raises(ConversationEnded) as info:
        service.post_message(user, conv.id, "sorry, can we continue?")
    assert info.value.details["ending"]["turn"] == 5
    assert len(service.get_conversation(user, conv.id).messages) == count  # nothing stored

    # A new chat works at once.
    other = service.create_conversation(user)
    assert service.post_message(user, other.id, "hi").state.status == "open"

    # Edit the first abusive message: a new branch, open, and the old one is kept.
    path = service.get_conversation(user, conv.id).active_path
    first_abuse = [m for m in path if m.role == "user"][1]
    branch = service.post_message(user, conv.id, "let's talk about gardening", edit_of=first_abuse.id)
    assert branch.state.status == "open" and branch.user_message is not None
    assert branch.user_message.parent_id == first_abuse.parent_id
    view = service.get_conversation(user, conv.id)
    assert len(view.messages) == count + 2
    assert view.active_path[-1].id == branch.assistant_message.id

    # Feedback and a dispute on the ending.
    ending = [m for m in path if m.role == "assistant"][-1]
    fb = service.add_feedback(user, conv.id, ending.id, rating="down", comment="I was joking", dispute=True)
    assert fb.dispute and service.get_conversation(user, conv.id).feedback[0].comment == "I was joking"


def test_branching_keeps_the_escalation_on_the_kept_path(service: ConversationService) -> None:
    user = service.local_user("bob")
    conv = service.create_conversation(user)
    abuse_until_end(service, user, conv.id)
    path = service.get_conversation(user, conv.id).active_path
    warn_user_msg = [m for m in path if m.role == "user"][2]  # the turn that was warned
    # Editing the warned turn keeps two redirections on the path: more abuse there is warned again,
    # and an end follows, not a fresh start.
    edited = service.post_message(user, conv.id, ABUSE, edit_of=warn_user_msg.id)
    assert edited.assistant_message.decision["action"] == "warn"  # type: ignore[index]
    assert service.post_message(user, conv.id, ABUSE).state.ended
    # Editing the very last turn (the one that ended) keeps the warning: abuse ends at once.
    path = service.get_conversation(user, conv.id).active_path
    last_user = [m for m in path if m.role == "user"][-1]
    again = service.post_message(user, conv.id, ABUSE, edit_of=last_user.id)
    assert again.state.ended and again.state.ending is not None and again.state.ending.warnings == 1


def test_retry_writes_a_sibling_and_cannot_undo_an_ending(service: ConversationService) -> None:
    user = service.local_user("carol")
    conv = service.create_conversation(user)
    turn = service.post_message(user, conv.id, "tell me a joke")
    retried = service.retry(user, conv.id, turn.assistant_message.id)
    assert retried.assistant_message.parent_id == turn.assistant_message.parent_id
    assert retried.assistant_message.content != turn.assistant_message.content  # variant differs
    abuse_until_end(service, user, conv.id)
    ending = service.get_conversation(user, conv.id).active_path[-1]
    with pytest.raises(ConversationEnded):
        service.retry(user, conv.id, ending.id)


def test_switching_branches(service: ConversationService) -> None:
    user = service.local_user("dan")
    conv = service.create_conversation(user)
    a = service.post_message(user, conv.id, "one")
    service.post_message(user, conv.id, "two")
    assert a.user_message is not None
    b = service.post_message(user, conv.id, "one, edited", edit_of=a.user_message.id)
    view = service.switch_branch(user, conv.id, a.user_message.id)
    assert [m.content for m in view.active_path if m.role == "user"] == ["one", "two"]
    view = service.switch_branch(user, conv.id, b.assistant_message.id)
    assert [m.content for m in view.active_path if m.role == "user"] == ["one, edited"]


def test_users_only_see_their_own_conversations(service: ConversationService) -> None:
    alice, eve = service.local_user("alice"), service.local_user("eve")
    conv = service.create_conversation(alice)
    turn = service.post_message(alice, conv.id, "secret")
    for call in (
        lambda: service.get_conversation(eve, conv.id),
        lambda: service.post_message(eve, conv.id, "hi"),
        lambda: service.retry(eve, conv.id, turn.assistant_message.id),
        lambda: service.switch_branch(eve, conv.id, turn.assistant_message.id),
        lambda: service.add_feedback(eve, conv.id, turn.assistant_message.id, rating="up"),
    ):
        with pytest.raises(ConversationNotFound):
            call()
    assert service.list_conversations(eve) == []


@pytest.mark.parametrize(
    ("content", "kwargs", "error"),
    [
        ("", {}, InvalidInput),
        ("   \n", {}, InvalidInput),
        ("x" * 16_001, {}, InvalidInput),
        ("nul\x00byte", {}, InvalidInput),
        ("lone \ud800 surrogate", {}, InvalidInput),
        ("ok", {"parent_id": "nope"}, MessageNotFound),
        ("ok", {"edit_of": "0" * 32}, MessageNotFound),
        ("ok", {"parent_id": "a", "edit_of": "b"}, InvalidInput),
    ],
)
def test_bad_input_is_refused_and_changes_nothing(service: ConversationService, content: str,
                                                  kwargs: dict[str, str], error: type[Exception]) -> None:
    user = service.local_user("frank")
    conv = service.create_conversation(user)
    service.post_message(user, conv.id, "hello")
    before = service.get_conversation(user, conv.id)
    with pytest.raises(error):
        service.post_message(user, conv.id, content, **kwargs)
    after = service.get_conversation(user, conv.id)
    assert [m.id for m in after.messages] == [m.id for m in before.messages]
    assert after.conversation.active_leaf_id == before.conversation.active_leaf_id


class FlakyResponder:
    name = "flaky"

    def __init__(self) -> None:
        self.fail = True

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        yield TextDelta("partial ")
        if self.fail:
            raise TimeoutError("upstream timed out")
        yield TextDelta("complete reply")


def test_responder_failure_keeps_the_user_message_and_retry_completes_it(tmp_path: Path) -> None:
    flaky = FlakyResponder()
    service = make_service(f"sqlite:///{tmp_path}/f.db", flaky)
    user = service.local_user("gina")
    conv = service.create_conversation(user)
    with pytest.raises(ResponderError):
        service.post_message(user, conv.id, "hello")
    view = service.get_conversation(user, conv.id)
    assert [m.role for m in view.messages] == ["user"]  # kept, and no half reply stored
    assert view.state.awaiting_reply
    with pytest.raises(ReplyPending):
        service.post_message(user, conv.id, "hello again")
    flaky.fail = False
    done = service.retry(user, conv.id, view.messages[0].id)
    assert done.assistant_message.content == "partial complete reply"
    assert service.post_message(user, conv.id, "thanks").state.status == "open"


class EndingModel:
    """A model that asks to end the chat on every turn; the policy decides."""

    name = "ending-model"

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        yield TextDelta("I would like to stop here.")
        yield EndRequest("asked to")


def test_a_model_end_request_is_honoured_only_when_the_policy_permits(tmp_path: Path) -> None:
    service = make_service(f"sqlite:///{tmp_path}/m.db", EndingModel())
    user = service.local_user("hal")
    conv = service.create_conversation(user)
    for _ in range(3):
        turn = service.post_message(user, conv.id, ABUSE)
        assert turn.assistant_message.end_requested and not turn.state.ended
    assert service.post_message(user, conv.id, "what's the weather like").state.status == "open"
    turn = service.post_message(user, conv.id, ABUSE)
    assert turn.state.ended


# -- property: the cache equals a fresh fold, and nothing is lost, whatever the sequence of operations ----------
ops = st.lists(
    st.tuples(st.sampled_from(["post", "post", "abuse", "crisis", "end", "edit", "retry", "switch"]),
              st.integers(min_value=0, max_value=50)),
    min_size=1, max_size=25,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops)
def test_any_sequence_keeps_cache_equal_to_fold_and_loses_nothing(tmp_path_factory: pytest.TempPathFactory,
                                                                  sequence: list[tuple[str, int]]) -> None:
    service = make_service(f"sqlite:///{tmp_path_factory.mktemp('prop')}/p.db")
    user = service.local_user("prop")
    conv = service.create_conversation(user)
    stored: set[str] = set()
    texts = {"post": "hello", "abuse": ABUSE, "crisis": "I want to die [self_harm_risk]",
             "end": "end this chat [end_request=0.95]"}
    for op, pick in sequence:
        view = service.get_conversation(user, conv.id)
        msgs = view.messages
        try:
            if op in texts:
                service.post_message(user, conv.id, texts[op])
            elif op == "edit" and (users := [m for m in msgs if m.role == "user"]):
                service.post_message(user, conv.id, "edited", edit_of=users[pick % len(users)].id)
            elif op == "retry" and (replies := [m for m in msgs if m.role == "assistant"]):
                service.retry(user, conv.id, replies[pick % len(replies)].id)
            elif op == "switch" and msgs:
                service.switch_branch(user, conv.id, msgs[pick % len(msgs)].id)
        except ConversationEnded:
            pass
        after = service.get_conversation(user, conv.id)
        ids = {m.id for m in after.messages}
        assert stored <= ids  # nothing is ever deleted
        stored = ids
    view = service.get_conversation(user, conv.id)
    by_id = {m.id: m for m in view.messages}
    for m in view.messages:
        path = [m]
        while path[0].parent_id:
            path.insert(0, by_id[path[0].parent_id])
        assert fold_path(path) == m.state
        if m.state.ended:  # an ended path is never extended by a user message
            assert not any(c.parent_id == m.id and c.role == "user" for c in view.messages)
    service.store.close()


# -- conversation-level signals: editing around an ending or a crisis ------------------------------------------
def test_editing_around_an_ending_does_not_buy_a_fresh_ladder(service: ConversationService) -> None:
    user = service.local_user("prober")
    conv = service.create_conversation(user)
    first = service.post_message(user, conv.id, "hello")
    assert abuse_until_end(service, user, conv.id) == ["redirect", "redirect", "warn", "end"]
    # Branch off before the abuse: the new path is clean, but the conversation remembers the ending.
    turn = service.post_message(user, conv.id, "hi again", parent_id=first.assistant_message.id)
    assert turn.assistant_message.decision["action"] == "answer"  # type: ignore[index]
    turn = service.post_message(user, conv.id, ABUSE)
    d = turn.state.decision
    assert d is not None and d.action.value == "warn" and d.signals == {"ended_branches": 1}
    assert "another branch of this conversation already ended" in d.explanation
    turn = service.post_message(user, conv.id, ABUSE)
    assert turn.state.ended and turn.state.ending is not None and turn.state.ending.warnings == 1
    view = service.get_conversation(user, conv.id)
    assert view.conversation.ended_branches == 2
    for m in view.messages:  # what the policy saw is stored, so every cached state is still a fresh fold
        assert fold_path([x for x in view.messages if x.id in _ancestry(view.messages, m.id)]) == m.state


def test_a_crisis_on_an_edited_away_branch_keeps_ending_disabled(service: ConversationService) -> None:
    user = service.local_user("crisis-editor")
    conv = service.create_conversation(user)
    crisis = service.post_message(user, conv.id, "I want to die [self_harm_risk]")
    assert crisis.state.crisis
    service.post_message(user, conv.id, "never mind", edit_of=crisis.user_message.id)  # type: ignore[union-attr]
    actions = [service.post_message(user, conv.id, ABUSE).assistant_message.decision["action"]  # type: ignore[index]
               for _ in range(5)]
    assert "end" not in actions and set(actions) == {"crisis_support"}
    view = service.get_conversation(user, conv.id)
    assert view.conversation.crisis_branches >= 1 and not view.state.ended


def _ancestry(messages: list[MessageRow], leaf: str) -> set[str]:
    parent = {m.id: m.parent_id for m in messages}
    found: set[str] = set()
    node: str | None = leaf
    while node is not None:
        found.add(node)
        node = parent[node]
    return found


# -- streaming ------------------------------------------------------------------------------------------------
def test_a_stream_yields_the_pieces_then_the_stored_turn(service: ConversationService) -> None:
    user = service.local_user("streamer")
    conv = service.create_conversation(user)
    stream = service.stream_message(user, conv.id, ABUSE)
    assert stream.user_message is not None and stream.reply_to.state.decision is not None
    assert stream.reply_to.state.decision.action.value == "redirect"  # the decision is known before the reply
    events = list(stream.events)
    pieces = [e.text for e in events if isinstance(e, TextDelta)]
    result = events[-1]
    assert isinstance(result, TurnResult) and len(pieces) >= 1
    assert result.assistant_message.content == "".join(pieces).strip()


def test_an_abandoned_stream_stores_no_reply_and_retry_works(service: ConversationService) -> None:
    user = service.local_user("quitter")
    conv = service.create_conversation(user)
    stream = service.stream_message(user, conv.id, "hello")
    first = next(stream.events)
    assert isinstance(first, TextDelta)
    stream.events.close()  # type: ignore[attr-defined]  # the client went away mid-reply
    view = service.get_conversation(user, conv.id)
    assert [m.role for m in view.messages] == ["user"] and view.state.awaiting_reply
    with pytest.raises(ReplyPending):
        service.post_message(user, conv.id, "anyone?")
    turn = service.retry(user, conv.id, view.messages[0].id)
    assert turn.assistant_message.parent_id == view.messages[0].id and not turn.state.awaiting_reply


def test_crisis_resources_come_from_the_configured_table(tmp_path: Path) -> None:
    from lastresort.responders.crisis_lines import CrisisTable

    table = CrisisTable.from_mapping({"regions": {"NZ": [{"name": "Need to talk? 1737",
                                                          "contact": "call or text 1737", "note": "free, 24/7"}]}})
    engine = create_store_engine(f"sqlite:///{tmp_path}/crisis.db")
    upgrade(engine)
    svc = ConversationService(Store(engine), assessor=TaggedAssessor(), responder=OfflineResponder(), crisis=table)
    user = svc.local_user("kiwi")
    conv = svc.create_conversation(user)
    turn = svc.post_message(user, conv.id, "I want to die [self_harm_risk]", locale="en-NZ")
    assert "call or text 1737" in turn.assistant_message.content
    svc.close()


class RacingAssessor:
    """Records what it was asked; while assessing ``second`` the first time, another post moves the branch on."""

    name = "racing"

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.race: tuple[ConversationService, object, str] | None = None

    def assess(self, text: str, context: AssessContext) -> Assessment:
        self.asked.append(text)
        if text == "second" and self.race is not None:
            service, user, conv_id = self.race
            self.race = None
            service.post_message(user, conv_id, "racer")  # type: ignore[arg-type]
        return Assessment(reasons=(f"after {list(context.recent_user_turns)}",), assessor=self.name)


def test_an_assessment_made_before_the_lock_is_redone_when_the_branch_moved(database_url: str) -> None:
    engine = create_store_engine(database_url)
    upgrade(engine)
    assessor = RacingAssessor()
    svc = ConversationService(Store(engine), assessor=assessor, responder=OfflineResponder())
    try:
        user = svc.local_user("u")
        conv = svc.create_conversation(user)
        svc.post_message(user, conv.id, "first")
        assert assessor.asked == ["first"]  # one assessment a turn when nothing races
        assessor.race = (svc, user, conv.id)
        turn = svc.post_message(user, conv.id, "second")
        assert assessor.asked == ["first", "second", "racer", "second"]
        assert turn.user_message is not None
        assert turn.user_message.assessment is not None
        # Stored with the context of the parent it was inserted under (after "racer"), not the one read first.
        assert turn.user_message.assessment["reasons"] == ["after ['first', 'racer']"]
        view = svc.get_conversation(user, conv.id)
        assert [m.content for m in view.active_path if m.role == "user"] == ["first", "racer", "second"]
        assert fold_path(view.active_path) == view.state
    finally:
        svc.store.close()


class BrokenAssessor:
    name = "broken"

    def assess(self, text: str, context: object) -> Assessment:
        raise RuntimeError("encoder weights unreadable")


def test_a_failing_assessor_refuses_the_turn_and_stores_nothing(tmp_path: Path) -> None:
    from lastresort.errors import AssessorError

    service = make_service(f"sqlite:///{tmp_path}/b.db")
    user = service.local_user("ivy")
    conv = service.create_conversation(user)
    for _ in range(3):
        service.post_message(user, conv.id, ABUSE)  # one abusive turn from an end
    service.assessor = BrokenAssessor()
    before = len(service.get_conversation(user, conv.id).messages)
    with pytest.raises(AssessorError):
        service.post_message(user, conv.id, "I can't take it anymore, you idiot")
    view = service.get_conversation(user, conv.id)
    assert len(view.messages) == before and not view.state.ended


class _PrefetchFails(TaggedAssessor):
    def __init__(self) -> None:
        self.prefetched: list[list[str]] = []

    def prefetch(self, texts: list[str]) -> None:
        self.prefetched.append(list(texts))
        raise RuntimeError("encoder unavailable")


def test_a_failing_prefetch_leaves_turns_to_be_assessed_one_by_one(service: ConversationService,
                                                                    caplog: pytest.LogCaptureFixture) -> None:
    assessor = _PrefetchFails()
    service.assessor = assessor
    service.prefetch(["hi", "[abuse] you"])
    assert assessor.prefetched == [["hi", "[abuse] you"]]
    assert "could not prefetch" in caplog.text
    user = service.local_user("u")
    conv = service.create_conversation(user)
    message = service.post_message(user, conv.id, "[abuse] you").user_message
    assert message is not None and message.state.decision is not None
    assert message.state.decision.action.value == "redirect"


def test_prefetch_is_a_no_op_for_an_assessor_that_cannot(service: ConversationService,
                                                         caplog: pytest.LogCaptureFixture) -> None:
    from lastresort.batching import Prefetcher

    assert not isinstance(service.assessor, Prefetcher)  # the tagged assessor has no prefetch
    service.prefetch(["[abuse] you"])
    assert "could not prefetch" not in caplog.text
    user = service.local_user("u")
    conv = service.create_conversation(user)
    message = service.post_message(user, conv.id, "[abuse] you").user_message
    assert message is not None and message.state.decision is not None
    assert message.state.decision.action.value == "redirect"
