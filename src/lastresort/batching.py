"""Concurrent assessments coalesced into one ``assess_batch`` call.

The built-in assessor's encoder streams its weights from memory once per call, so a batch costs much less per
message than the same messages one at a time. Under load, turns reach the assessor while it is busy; instead of
each waiting for the encoder in turn, the turns that queued meanwhile are assessed together as the next batch.

Nothing waits for a batch to fill: a turn that finds the assessor idle is assessed at once, alone, so the
latency of a single request is unchanged and batches form only where turns would have queued anyway. Each
turn gets exactly the assessment of its own text and context (``assess_batch`` equals ``assess`` per message).
A batch that raises is assessed again one message at a time, so a fault refuses only the turns it hits.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol, runtime_checkable

from lastresort.core.assessment import AssessContext, Assessment
from lastresort.errors import AssessorError

__all__ = ["BatchAssessor", "Coalescer", "MAX_BATCH", "Prefetcher"]

#: Messages per encoder call at most; more than this queued are the batch after.
MAX_BATCH = 32


@runtime_checkable
class BatchAssessor(Protocol):
    """An assessor that can score many messages in one call (the built-in one can)."""

    name: str

    def assess(self, text: str, context: AssessContext) -> Assessment: ...

    def assess_batch(self, texts: Sequence[str], contexts: Sequence[AssessContext] | None = None) -> list[Assessment]:
        ...


@runtime_checkable
class Prefetcher(Protocol):
    """An assessor that can do the costly part of many known-ahead messages in one call (``replay`` uses it)."""

    def prefetch(self, texts: Sequence[str]) -> None: ...


@dataclass(eq=False)
class _Job:
    text: str
    context: AssessContext
    wake: threading.Event = field(default_factory=threading.Event)  # set when done, or when it is to lead
    result: Assessment | None = None
    error: BaseException | None = None

    @property
    def done(self) -> bool:
        return self.result is not None or self.error is not None


class Coalescer:
    """``assess`` for many threads at once: one batch runs at a time; whoever queued meanwhile goes next.

    The thread whose job heads the queue runs the batch (no extra thread, no timer) and, when done, wakes the
    head of what queued meanwhile to run the next one.
    """

    def __init__(self, assessor: BatchAssessor, *, max_batch: int = MAX_BATCH) -> None:
        self.assessor = assessor
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._queue: list[_Job] = []
        self._busy = False  # a batch is running; invariant: not busy implies an empty queue

    def assess(self, text: str, context: AssessContext) -> Assessment:
        job = _Job(text, context)
        with self._lock:
            self._queue.append(job)
            leads = not self._busy
            self._busy = True
        if not leads:
            job.wake.wait()
        if not job.done:  # first in an idle assessor, or woken to run the next batch (which holds this job)
            self._lead()
        if job.error is not None:
            raise job.error
        assert job.result is not None
        return job.result

    def _lead(self) -> None:
        with self._lock:
            batch = self._queue[: self.max_batch]
            del self._queue[: self.max_batch]
        try:
            self._run(batch)
        finally:
            for job in batch:
                if not job.done:  # only if _run itself was interrupted
                    job.error = AssessorError("The safety check was interrupted; nothing was stored. Please try again.")
            with self._lock:
                head = self._queue[0] if self._queue else None
                self._busy = head is not None
            for job in batch:
                job.wake.set()
            if head is not None:
                head.wake.set()

    def _run(self, batch: list[_Job]) -> None:
        try:
            results = self.assessor.assess_batch([j.text for j in batch], [j.context for j in batch])
            if len(results) != len(batch):
                raise ValueError(f"assess_batch returned {len(results)} assessments for {len(batch)} messages")
        except Exception as exc:
            if len(batch) == 1:
                batch[0].error = exc
                return
            for job in batch:  # one at a time, so a fault refuses only the turns it hits
                self._run_one(job)
            return
        for job, result in zip(batch, results, strict=True):
            job.result = result

    def _run_one(self, job: _Job) -> None:
        try:
            job.result = self.assessor.assess(job.text, job.context)
        except Exception as exc:
            job.error = exc
