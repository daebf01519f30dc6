"""Concurrent assessments coalesced into one ``assess_batch`` call (lastresort.batching), and the service's use."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import cast

import pytest

from lastresort.batching import BatchAssessor, Coalescer
from lastresort.core.assessment import AssessContext, Assessment
from lastresort.core.categories import Category
from lastresort.errors import AssessorError
from tests.conftest import TaggedAssessor, make_service


class SlowBatchAssessor:
    """Scores like the tagged assessor and echoes text and context in ``reasons``; the first batch blocks until
    ``release`` is set, so the calls made meanwhile queue up behind it."""

    name = "slow-batch"

    def __init__(self, fail_on: str | None = None) -> None:
        self.batches: list[list[str]] = []
        self.singles: list[str] = []
        self.release = threading.Event()
        self.started = threading.Event()
        self.fail_on = fail_on
        self._tagged = TaggedAssessor()

    def _one(self, text: str, context: AssessContext) -> Assessment:
        if self.fail_on is not None and self.fail_on in text:
            raise RuntimeError(f"cannot score {text!r}")
        a = self._tagged.assess(text, context)
        return Assessment(scores=a.scores, reasons=(text, *context.recent_user_turns), assessor=self.name)

    def assess(self, text: str, context: AssessContext) -> Assessment:
        self.singles.append(text)
        return self._one(text, context)

    def assess_batch(self, texts: Sequence[str], contexts: Sequence[AssessContext] | None = None) -> list[Assessment]:
        self.batches.append(list(texts))
        if len(self.batches) == 1:
            self.started.set()
            assert self.release.wait(10)
        return [self._one(t, c) for t, c in zip(texts, contexts or [AssessContext()] * len(texts), strict=True)]


def _queue_behind_first(coalescer: Coalescer, judge: SlowBatchAssessor,
                        texts: list[str]) -> list[Assessment | Exception]:
    """Assess texts[0] (which blocks), then the rest while it runs; return each result or exception."""

    def one(text: str) -> Assessment | Exception:
        try:
            return coalescer.assess(text, AssessContext(recent_user_turns=(f"before {text}",)))
        except Exception as exc:
            return exc

    with ThreadPoolExecutor(len(texts)) as pool:
        first = pool.submit(one, texts[0])
        assert judge.started.wait(10)
        rest = [pool.submit(one, t) for t in texts[1:]]
        while len(coalescer._queue) < len(texts) - 1:  # every other call is queued behind the running batch
            threading.Event().wait(0.001)
        judge.release.set()
        return [first.result(10)] + [f.result(10) for f in rest]


def test_a_lone_call_is_assessed_at_once_in_a_batch_of_one() -> None:
    judge = SlowBatchAssessor()
    judge.release.set()
    a = Coalescer(judge).assess("hello [abuse]", AssessContext())
    assert judge.batches == [["hello [abuse]"]]
    assert a.score(Category.ABUSE) == 0.9 and a.reasons == ("hello [abuse]",)


def test_calls_made_while_a_batch_runs_go_together_and_each_gets_its_own_assessment() -> None:
    judge = SlowBatchAssessor()
    texts = ["first", "second [abuse]", "third", "fourth [self_harm_risk]", "fifth"]
    results = _queue_behind_first(Coalescer(judge), judge, texts)
    assert judge.batches == [["first"], texts[1:]]
    for text, a in zip(texts, results, strict=True):
        assert isinstance(a, Assessment)
        assert a.reasons == (text, f"before {text}")  # its own text and its own context
    # each result is an Assessment, as the loop above asserts
    assert (cast(Assessment, results[1]).score(Category.ABUSE) == 0.9
            and cast(Assessment, results[3]).score(Category.SELF_HARM_RISK) == 0.9)


def test_batches_are_bounded() -> None:
    judge = SlowBatchAssessor()
    texts = [f"m{i}" for i in range(8)]
    _queue_behind_first(Coalescer(judge, max_batch=3), judge, texts)
    assert [len(b) for b in judge.batches] == [1, 3, 3, 1]
    assert sorted(t for b in judge.batches for t in b) == sorted(texts)


def test_a_failing_batch_is_retried_one_by_one_so_only_the_faulty_message_fails() -> None:
    judge = SlowBatchAssessor(fail_on="poison")
    texts = ["first", "ok one", "poison pill", "ok two"]
    results = _queue_behind_first(Coalescer(judge), judge, texts)
    assert isinstance(results[2], RuntimeError)
    assert [a.reasons[0] for a in results if isinstance(a, Assessment)] == ["first", "ok one", "ok two"]
    assert judge.singles == ["ok one", "poison pill", "ok two"]


def test_a_lone_failing_call_raises_its_own_error() -> None:
    judge = SlowBatchAssessor(fail_on="poison")
    judge.release.set()
    with pytest.raises(RuntimeError, match="poison"):
        Coalescer(judge).assess("poison", AssessContext())
    assert judge.singles == []  # not assessed a second time


def test_the_service_coalesces_only_assessors_that_can_batch(tmp_path: Path) -> None:
    service = make_service(f"sqlite:///{tmp_path}/s.db")
    assert not isinstance(service.assessor, BatchAssessor)
    judge = SlowBatchAssessor()
    judge.release.set()
    service.assessor = judge
    assert service.assessor is judge
    user = service.local_user("ann")
    convs = [service.create_conversation(user) for _ in range(6)]
    with ThreadPoolExecutor(6) as pool:
        turns = list(pool.map(lambda c: service.post_message(user, c.id, f"hi from {c.id}"), convs))
    for conv, turn in zip(convs, turns, strict=True):
        assert turn.user_message is not None
        assert turn.user_message.assessment is not None
        assert turn.user_message.assessment["reasons"] == [f"hi from {conv.id}"]
    assert sum(len(b) for b in judge.batches) == 6


def test_a_batch_assessor_fault_refuses_the_turn_and_stores_nothing(tmp_path: Path) -> None:
    service = make_service(f"sqlite:///{tmp_path}/f.db")
    judge = SlowBatchAssessor(fail_on="poison")
    judge.release.set()
    service.assessor = judge
    user = service.local_user("bob")
    conv = service.create_conversation(user)
    service.post_message(user, conv.id, "hello")
    with pytest.raises(AssessorError):
        service.post_message(user, conv.id, "poison")
    assert len(service.get_conversation(user, conv.id).messages) == 2
