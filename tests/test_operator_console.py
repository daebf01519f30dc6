"""Operator reviews on the service: reinstating re-folds the cache (reply included); review rules."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from lastresort.doctor import check
from lastresort.errors import Forbidden, InvalidInput, MessageNotFound
from lastresort.operator_console import OperatorConsole
from lastresort.responders.base import EndRequest, ReplyEvent, ReplyRequest, TextDelta
from lastresort.service import ConversationService, TurnResult
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store
from tests.conftest import TaggedAssessor


class AlwaysEnding:
    """A model that asks to end the chat on every reply; the policy decides when that is honoured."""

    name = "always-ending"

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        yield TextDelta("I would rather stop here.")
        yield EndRequest(reason="abuse")


@pytest.fixture
def service(tmp_path: Path) -> Iterator[ConversationService]:
    engine = create_store_engine(f"sqlite:///{tmp_path}/op.db")
    upgrade(engine)
    svc = ConversationService(Store(engine), assessor=TaggedAssessor(), responder=AlwaysEnding())
    yield svc
    svc.store.close()


def test_reinstating_reopens_the_branch_even_when_the_reply_asked_to_end(service: ConversationService) -> None:
    alice, _ = service.add_user("alice")
    olga, _ = service.add_user("olga", role="operator")
    conv = service.create_conversation(alice)
    for _ in range(6):
        turn = service.post_message(alice, conv.id, "you are useless [abuse]")
        if turn.state.ended:
            break
    assert turn.state.ended
    console = OperatorConsole(service)
    (case,) = console.endings(olga)
    # The policy ended the path at the user message; the reply under it asked to end too (a permitted request),
    # so after reinstating, the reply would end the path again on its own unless it is reinstated with it.
    assert case.status == "open" and case.ending.by == "policy" and case.path[-1].end_requested
    with pytest.raises(Forbidden):
        console.review(alice, case.message_id, "reinstated")
    with pytest.raises(MessageNotFound):
        console.review(olga, "0" * 32, "reinstated")
    with pytest.raises(InvalidInput):
        console.review(olga, case.path[0].id, "reinstated")  # a message that did not end the path
    console.review(olga, case.message_id, "reinstated", "the model was too quick")
    view = service.get_conversation(alice, conv.id)
    assert not view.state.ended and view.conversation.ended_branches == 0
    assert view.active_path[-1].reinstated and view.active_path[-2].reinstated
    assert console.endings(olga, status="reinstated")[0].review["note"] == "the model was too quick"  # type: ignore[index]
    report = check(service.store, service.policy)
    assert report.ok, report.problems
    # the reopened branch takes messages again; a polite one is simply answered
    assert not service.post_message(alice, conv.id, "sorry, can we talk about books?").state.ended
    assert check(service.store, service.policy).ok


def test_the_ending_reply_names_the_same_ending_as_the_turn_that_ended_the_path(service: ConversationService) -> None:
    # Conversations name the reply as the ending message and users dispute that reply; the queue files a policy
    # ending under the user turn. An operator given either id reviews the same ending.
    alice, _ = service.add_user("alice")
    olga, _ = service.add_user("olga", role="operator")
    conv = service.create_conversation(alice)
    turns: list[TurnResult] = []
    while not (turns and turns[-1].state.ended) and len(turns) < 6:
        turns.append(service.post_message(alice, conv.id, "you are useless [abuse]"))
    turn = turns[-1]
    assert turn.state.ended and turn.assistant_message is not None
    assert turn.user_message is not None
    console = OperatorConsole(service)
    (queued,) = console.endings(olga)
    assert queued.message_id == turn.user_message.id
    assert console.case(olga, turn.assistant_message.id).message_id == queued.message_id
    first_reply = turns[0].assistant_message
    assert first_reply is not None
    with pytest.raises(MessageNotFound):
        console.case(olga, first_reply.id)  # a reply on the path that ended no path
    reviewed = console.review(olga, turn.assistant_message.id, "reinstated", "too quick")
    assert reviewed.message_id == queued.message_id and reviewed.status == "reinstated"
    with pytest.raises(InvalidInput, match="already reinstated"):
        console.review(olga, turn.assistant_message.id, "reinstated")
    assert not service.get_conversation(alice, conv.id).state.ended
    assert check(service.store, service.policy).ok
