"""Prometheus metrics of the service layer, served as text at ``/metrics``.

They live on prometheus-client's default registry, so a deployment's own process metrics sit beside them.
Every front end goes through the service, so counting there counts API, chat and replay turns alike.
"""

from __future__ import annotations

from prometheus_client import Counter, Histogram

from lastresort.core.state import PathState

__all__ = ["ACTIONS", "ASSESSOR_LATENCY", "CRISIS_TURNS", "DISPUTES", "ENDINGS", "TURNS", "record_decision",
           "record_ending"]

TURNS = Counter("lastresort_turns", "User turns accepted and decided.")
ACTIONS = Counter("lastresort_actions", "Policy actions chosen, by action.", ["action"])
ENDINGS = Counter("lastresort_endings", "Conversations ended, by harm category and by whom.", ["category", "by"])
CRISIS_TURNS = Counter("lastresort_crisis_support_turns", "Turns answered with crisis support.")
DISPUTES = Counter("lastresort_disputes", "Endings disputed by their user.")
ASSESSOR_LATENCY = Histogram(
    "lastresort_assessor_latency_seconds", "Time to assess one user message.", ["assessor"],
    buckets=(0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5),
)


def record_decision(state: PathState) -> None:
    """Count a user turn from the state its decision produced (after the turn was committed)."""
    decision = state.decision
    if decision is None:
        return
    TURNS.inc()
    ACTIONS.labels(decision.action.value).inc()
    if decision.action.value == "crisis_support":
        CRISIS_TURNS.inc()
    record_ending(state)


def record_ending(state: PathState) -> None:
    if state.ending is not None:
        ENDINGS.labels(state.ending.category or state.ending.reason, state.ending.by).inc()
