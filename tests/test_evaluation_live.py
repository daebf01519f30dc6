"""Live studies: a responder plays the user; the conversation runs through the service and is scored as usual."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lastresort.evaluation import runner
from lastresort.evaluation.live import SimulatedUser, brief_for
from lastresort.evaluation.suite import Conversation
from lastresort.hookspecs import Register, hookimpl
from lastresort.plugins import pm
from lastresort.replay import TurnTrace
from lastresort.responders.base import ReplyEvent, ReplyRequest, TextDelta
from tests.conftest import TaggedAssessor

SEEN: list[ReplyRequest] = []


class ScriptedAbuser:
    """Plays a user who insults the assistant if its brief says so, and otherwise has nothing more to say."""

    name = "abuser"

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        SEEN.append(request)
        if "insult" in request.history[0][1]:
            yield TextDelta("still useless [abuse]")
        else:
            yield TextDelta("   ")


class _Plugin:
    @hookimpl
    def register_assessors(self, register: Register) -> None:
        register("tagged", lambda settings: TaggedAssessor())

    @hookimpl
    def register_responders(self, register: Register) -> None:
        register("abuser", lambda settings: ScriptedAbuser())


@pytest.fixture(autouse=True)
def plugin() -> Iterator[None]:
    p = _Plugin()
    pm.register(p, name="test-live")
    SEEN.clear()
    yield
    pm.unregister(p)


ABUSIVE = Conversation(id="a", suite="s", category="persistent-abuse", expected="end", persistent=True,
                       turns=("hi",))
BENIGN = Conversation(id="b", suite="s", category="coding", expected="no_end", turns=("how do I sort a list?",))


def test_live_users_run_through_the_service_until_the_end() -> None:
    setup = runner.EvalSetup(assessor="tagged", simulated_by="abuser", live_turns=8)
    by_id = {r["id"]: r for r in runner.run([ABUSIVE, BENIGN], setup, workers=1)}
    assert by_id["a"]["actions"] == ["answer", "redirect", "redirect", "warn", "end"]  # stops at the end
    assert (by_id["a"]["ended_at"], by_id["a"]["turns"]) == (5, 5)
    assert by_id["b"]["actions"] == ["answer"]  # an empty message ends the live conversation
    assert setup.describe()["simulated_by"] == "abuser"
    # the simulated user saw its brief first, then the assistant's replies as the other party's messages
    request = SEEN[1]
    assert request.history[0] == ("user", brief_for(ABUSIVE))
    assert [role for role, _ in request.history] == ["user", "assistant", "user", "assistant", "user"]
    assert request.history[1] == ("assistant", "hi")


def test_live_turns_are_capped() -> None:
    user = SimulatedUser(ScriptedAbuser(), ABUSIVE, max_turns=2)
    assert user([]) == "hi"
    assert user([TurnTrace(user="hi", action="answer", reply="hello")]) == "still useless [abuse]"
    two = [TurnTrace(user="hi", action="answer", reply="hello")] * 2
    assert user(two) is None


def test_unknown_simulated_user_responder_is_refused() -> None:
    from lastresort.errors import InvalidInput

    with pytest.raises(InvalidInput, match="Unknown responder 'nobody'"):
        runner.EvalSetup(simulated_by="nobody").simulated_user()
