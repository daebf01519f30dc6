"""How the build chooses each head's operating threshold on validation data."""

from __future__ import annotations

import numpy as np
import pytest

from lastresort.core.categories import Category
from lastresort.training import build


def _writers() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Writer "a" posts ten messages: one strong, nine faint; twenty more writers post one clear message each.
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(30), np.zeros(200)].astype(np.float32)
    p = np.r_[0.9, np.full(9, 0.2), np.full(20, 0.8), rng.uniform(0.0, 0.15, 200)]
    groups = np.r_[["a"] * 10, [f"w{i}" for i in range(20)], [f"n{i}" for i in range(200)]]
    return y, p, groups


def test_crisis_heads_keep_recall_per_message_as_well_as_per_writer() -> None:
    y, p, groups = _writers()
    t, rule, figures = build.choose_threshold(Category.SELF_HARM_RISK, y, p, groups)
    # counted per writer, "a"'s strong message catches them all; the floor per message catches the faint ones too
    assert t == pytest.approx(0.2) and "per message" in rule
    assert (p[y == 1] >= t).mean() >= build.CRISIS_MESSAGE_RECALL
    assert figures["val_recall"] == 1.0 and figures["val_positives"] == 21  # per writer


def test_without_the_floor_the_cost_per_writer_and_the_cap_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    y, p, groups = _writers()
    monkeypatch.setattr(build, "CRISIS_MESSAGE_RECALL", 0.0)
    t, _, _ = build.choose_threshold(Category.SELF_HARM_RISK, y, p, groups)
    assert t == pytest.approx(build.DEFAULT_THRESHOLD["crisis"])  # the cost alone would pick 0.8; capped at 0.5


def test_a_head_with_too_few_validation_positives_keeps_the_default() -> None:
    y = np.r_[np.ones(3), np.zeros(50)].astype(np.float32)
    t, rule, figures = build.choose_threshold(Category.CBRN, y, np.linspace(0, 1, 53))
    assert t == build.DEFAULT_THRESHOLD["harm"] and "only 3" in rule and figures == {"val_positives": 3}
