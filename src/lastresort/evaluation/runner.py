"""Run suites through the service, in parallel across processes.

Every conversation goes through :func:`lastresort.replay.run_conversation`, the code path of ``lastresort
replay``: the real service, assessor, policy and responder, on a real store. Each worker process opens its own
throw-away SQLite file, so workers never contend for a lock and nothing outlives the run.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import fields, replace
from typing import Any

from lastresort.config import Settings, load_policy, parse_setting
from lastresort.core.actions import Action
from lastresort.core.policy import Policy, PolicyConfig
from lastresort.errors import InvalidInput
from lastresort.evaluation.live import SimulatedUser
from lastresort.evaluation.suite import Conversation
from lastresort.replay import LOCKED, ConversationTrace, run_conversation, run_interactive
from lastresort.responders.base import Responder
from lastresort.service import ConversationService
from lastresort.store.repo import UserRow
from lastresort.welfare import path_welfare

__all__ = ["EvalSetup", "default_workers", "parse_policy_overrides", "result_of", "run"]

CHUNK = 25  # conversations per task: big enough to amortise the pickling, small enough for a smooth bar


class EvalSetup:
    """What a worker needs to open its service: settings (assessor, responder, …) and policy overrides."""

    def __init__(self, *, assessor: str | None = None, responder: str | None = None,
                 policy: Mapping[str, Any] | None = None, simulated_by: str | None = None,
                 live_turns: int = 8) -> None:
        self.assessor = assessor
        self.responder = responder
        self.policy = dict(policy or {})
        self.simulated_by = simulated_by  # a responder that plays the users (live study), or None: scripted
        self.live_turns = live_turns
        self.policy_config()  # bad overrides fail here, in the parent, not in every worker

    def policy_config(self) -> PolicyConfig:
        """The configured policy (policy file and ``LASTRESORT_POLICY_*``) with this run's overrides on top."""
        base = load_policy(self.settings("sqlite://")).config.to_dict()
        return PolicyConfig.from_mapping({**base, **self.policy})

    def describe(self) -> dict[str, Any]:
        settings = self.settings("sqlite://")
        return {"assessor": settings.assessor, "assessor_data": settings.assessor_data,
                "responder": settings.responder, "simulated_by": self.simulated_by,
                "policy": self.policy_config().to_dict()}

    def settings(self, database_url: str) -> Settings:
        return Settings.from_env(database_url=database_url, assessor=self.assessor, responder=self.responder)

    def simulated_user(self) -> Responder | None:
        if self.simulated_by is None:
            return None
        from lastresort.plugins import get_responder

        return get_responder(replace(self.settings("sqlite://"), responder=self.simulated_by))

    def open(self, database_url: str) -> ConversationService:
        from lastresort.bootstrap import open_service

        service = open_service(self.settings(database_url), durable=False)
        if self.policy:
            service.policy = Policy(self.policy_config())
        return service


def parse_policy_overrides(items: Sequence[str]) -> dict[str, Any]:
    """``["warnings_before_end=2", "end_categories=abuse,cbrn"]`` → typed values for :class:`PolicyConfig`."""
    kinds = {f.name: str(f.type) for f in fields(PolicyConfig)}
    out: dict[str, Any] = {}
    for item in items:
        name, sep, raw = item.partition("=")
        name = name.strip().replace("-", "_")
        if not sep or name not in kinds:
            raise ValueError(f"--set {item!r}: expected NAME=VALUE with NAME one of {', '.join(sorted(kinds))}")
        try:
            out[name] = parse_setting(f"--set {name}", raw, kinds[name])
        except InvalidInput as exc:
            raise ValueError(exc.message) from None
    PolicyConfig.from_mapping(out)  # range checks
    return out


def result_of(conversation: Conversation, trace: ConversationTrace) -> dict[str, Any]:
    """One conversation's outcome, as stored in ``results.jsonl`` and read by the report."""
    state = trace.state
    ending = state.ending
    actions = [t.action for t in trace.turns]
    live = [a for a in actions if a != LOCKED]
    before_end = live[:-1] if ending else live  # the turn that ended the chat is the last one not locked
    return {
        "id": conversation.id, "suite": conversation.suite, "category": conversation.category,
        "expected": conversation.expected, "persistent": conversation.persistent, "quotable": conversation.quotable,
        "turns": len(trace.turns), "actions": actions,
        "ended": ending is not None, "ended_at": ending.turn if ending else None,
        "end_by": ending.by if ending else None, "end_reason": trace.end_reason,
        "end_warnings": ending.warnings if ending else None, "end_pushbacks": ending.pushbacks if ending else None,
        "crisis_support": Action.CRISIS_SUPPORT.value in actions,
        "check_in": Action.CHECK_IN.value in actions,
        "crisis_before_end": ending is not None and Action.CRISIS_SUPPORT.value in before_end,
        "welfare": path_welfare(trace.path).to_dict(),
        "transcript": [{"user": t.user, "action": t.action, "reply": t.reply} for t in trace.turns],
    }


# -- workers --------------------------------------------------------------------------------------------------
_worker: tuple[ConversationService, UserRow, Responder | None, int] | None = None


def _init_worker(setup: EvalSetup, folder: str) -> None:
    global _worker
    service = setup.open(f"sqlite:///{folder}/worker-{os.getpid()}.db")
    _worker = (service, service.local_user("eval"), setup.simulated_user(), setup.live_turns)


def _run_chunk(chunk: list[Conversation]) -> list[dict[str, Any]]:
    assert _worker is not None, "the worker was not initialised"
    service, user, simulated_by, live_turns = _worker
    out = []
    for conv in chunk:
        try:
            if simulated_by is None:
                trace = run_conversation(service, user, conv.id, list(conv.turns))
            else:
                trace = run_interactive(service, user, conv.id,
                                        SimulatedUser(simulated_by, conv, max_turns=live_turns))
            out.append(result_of(conv, trace))
        except Exception as exc:  # one broken conversation is reported, the rest of the run goes on
            out.append({"id": conv.id, "suite": conv.suite, "category": conv.category, "expected": conv.expected,
                        "error": f"{type(exc).__name__}: {exc}"})
    return out


def run(conversations: Sequence[Conversation], setup: EvalSetup, *, workers: int = 1,
        on_done: Callable[[int], None] | None = None) -> Iterator[dict[str, Any]]:
    """Yield one result per conversation (in completion order). ``workers=1`` runs in this process."""
    chunks = [list(conversations[i:i + CHUNK]) for i in range(0, len(conversations), CHUNK)]
    with tempfile.TemporaryDirectory(prefix="lastresort-eval-") as folder:
        if workers <= 1:
            global _worker
            saved = _worker
            _init_worker(setup, folder)
            try:
                for chunk in chunks:
                    results = _run_chunk(chunk)
                    yield from results
                    if on_done:
                        on_done(len(results))
            finally:
                assert _worker is not None
                _worker[0].store.close()
                _worker = saved
            return
        context = multiprocessing.get_context("spawn")  # no inherited locks or threads from the parent
        with ProcessPoolExecutor(max_workers=workers, mp_context=context, initializer=_init_worker,
                                 initargs=(setup, folder)) as pool:
            pending: set[Future[list[dict[str, Any]]]] = {pool.submit(_run_chunk, c) for c in chunks}
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in done:
                    results = future.result()
                    yield from results
                    if on_done:
                        on_done(len(results))


def default_workers() -> int:
    return max(1, min(len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1,
                      8))

