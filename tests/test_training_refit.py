"""Refitting output columns of the tuned heads on their hidden layer (``training.refit``)."""

from __future__ import annotations

import numpy as np
import pytest

from lastresort.assessors.heads import mlp
from lastresort.training import build
from lastresort.training.refit import L2_GRID, class_weights, fit_logistic, hidden, refit_column


def _separable(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    h = rng.normal(size=(n, 8)).astype(np.float32)
    y = (h[:, 0] - 0.5 * h[:, 1] + 0.1 * rng.normal(size=n) > 0.8).astype(np.float32)
    return h, y


def test_hidden_is_the_input_of_the_heads_output_layer() -> None:
    rng = np.random.default_rng(1)
    z, w1, b1 = rng.normal(size=(5, 6)), rng.normal(size=(6, 4)).astype(np.float16), rng.normal(size=4)
    w2, b2 = rng.normal(size=(4, 3)), rng.normal(size=3)
    h = hidden(z, w1, b1)
    assert np.allclose(1 / (1 + np.exp(-(h @ w2 + b2))), mlp(z, w1.astype(np.float32), b1, w2, b2), atol=1e-6)


def test_class_weights_follow_fine_tuning() -> None:
    y = np.r_[np.ones(10), np.zeros(90)]
    w = class_weights(y)
    assert w[0] == pytest.approx(3.0) and w[-1] == 1.0  # sqrt(90 / 10)
    assert class_weights(np.r_[np.ones(1), np.zeros(99)])[0] == pytest.approx(20 ** 0.5)  # clipped


def test_logistic_regression_finds_the_direction_and_a_penalty_shrinks_it() -> None:
    h, y = _separable()
    weights = np.ones(len(y))
    w_weak, b_weak = fit_logistic(h, y, weights, l2=0.1)
    w_strong, _ = fit_logistic(h, y, weights, l2=100.0)
    assert w_weak[0] > 0 > w_weak[1] and abs(w_weak[0]) > 3 * np.abs(w_weak[2:]).max()
    assert np.linalg.norm(w_strong) < np.linalg.norm(w_weak)
    p = 1 / (1 + np.exp(-(h @ w_weak + b_weak)))
    assert ((p >= 0.5) == (y == 1)).mean() > 0.95


def test_a_fit_is_repeatable_bit_for_bit() -> None:
    h, y = _separable()
    first, second = (fit_logistic(h, y, class_weights(y), l2=1.0) for _ in range(2))
    assert np.array_equal(first[0], second[0]) and first[1] == second[1]


def test_unknown_labels_are_left_out_and_the_penalty_is_chosen_on_validation() -> None:
    h, y = _separable(600)
    is_val = np.arange(len(y)) % 5 == 0
    start = (np.zeros(h.shape[1], np.float32), 0.0)
    known = refit_column(h, y, is_val, start)
    noisy = y.copy()
    noisy[1::7] = -1  # unknown labels, whatever the text holds: as if those rows were absent
    h_noisy = h.copy()
    h_noisy[1::7] = 50.0  # wild activations on the unknown rows change nothing
    unknown = refit_column(h_noisy, noisy, is_val, start)
    absent = np.ones(len(y), bool)
    absent[1::7] = False
    same = refit_column(h[absent], y[absent], is_val[absent], start)
    assert np.array_equal(unknown.weights, same.weights) and unknown.l2 == same.l2
    assert known.l2 in L2_GRID and 0.9 < known.val_ap <= 1.0


def test_a_column_without_positives_on_either_side_is_refused() -> None:
    h, y = _separable()
    is_val = np.arange(len(y)) % 5 == 0
    y[is_val] = 0
    with pytest.raises(ValueError, match="known positives"):
        refit_column(h, y, is_val, (np.zeros(h.shape[1], np.float32), 0.0))


@pytest.mark.parametrize("extra", [["--keep-tuned"], ["--prepare-only"], ["--tuned", "x.npz"]])
def test_refit_crisis_retrains_a_part_alone(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build.main(["--refit-crisis", *extra])
    assert "--only and --refit-crisis retrain parts alone" in capsys.readouterr().err


def test_only_accepts_the_crisis_judge() -> None:
    from lastresort.assessors.heads import CRISIS_ARTEFACT
    from lastresort.core.categories import CRISIS

    assert build.RETRAINABLE[CRISIS_ARTEFACT] == (CRISIS, ())
    assert set(build.JUDGES) < set(build.RETRAINABLE)
