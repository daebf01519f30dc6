"""Refit some output columns of the tuned heads on their hidden layer, every other weight kept as trained.

A full rebuild is a new draw of the whole recipe (README, "A rebuild is a new draw"): new rows for one category
would move every head. Here the tuned encoder layers, the heads' hidden layer and the other categories' columns stay
bit for bit; only the named columns (the crisis heads) are fitted again, as logistic regressions on the hidden
layer's activations, with the same masked, class-weighted loss as fine-tuning and an L2 penalty chosen on the
validation split. Newton's method in numpy: deterministic, no PyTorch, seconds.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from lastresort.training.metrics import average_precision

__all__ = ["L2_GRID", "Refit", "class_weights", "fit_logistic", "hidden", "refit_column"]

#: Penalties tried per column (on the weights, not the bias, of a sum over training rows); validation AP picks one.
L2_GRID = (0.1, 1.0, 10.0, 100.0)
_ITERATIONS = 50


@dataclass(frozen=True)
class Refit:
    weights: np.ndarray  # (hidden,)
    bias: float
    l2: float
    val_ap: float


def hidden(z: np.ndarray, w1: np.ndarray, b1: np.ndarray) -> np.ndarray:
    """The heads' hidden layer: the input of every output column (``heads.mlp`` up to its second dense)."""
    return np.maximum(z @ w1.astype(np.float32) + b1, 0.0)


def class_weights(y: np.ndarray) -> np.ndarray:
    """Per row, the weight fine-tuning gives it (``finetune.positive_weight``): a positive counts sqrt of the
    negative/positive ratio, clipped to [1, sqrt 20]; a negative counts 1."""
    positives, negatives = int((y == 1).sum()), int((y == 0).sum())
    up = float(np.clip(negatives / max(positives, 1), 1.0, 20.0) ** 0.5)
    return np.where(y == 1, up, 1.0)


def fit_logistic(h: np.ndarray, y: np.ndarray, sample_weight: np.ndarray, l2: float,
                 start: tuple[np.ndarray, float] | None = None) -> tuple[np.ndarray, float]:
    """Weighted, L2-penalised logistic regression by Newton's method (weights and bias; the bias is not penalised)."""
    x = np.hstack([h.astype(np.float64), np.ones((len(h), 1))])
    theta = np.zeros(x.shape[1]) if start is None else np.r_[start[0], start[1]].astype(np.float64)
    penalty = np.full(x.shape[1], l2)
    penalty[-1] = 0.0
    for _ in range(_ITERATIONS):
        p = 1.0 / (1.0 + np.exp(-np.clip(x @ theta, -30.0, 30.0)))
        gradient = x.T @ (sample_weight * (p - y)) + penalty * theta
        curvature = (x * (sample_weight * p * (1.0 - p))[:, None]).T @ x + np.diag(penalty + 1e-8)
        step = np.linalg.solve(curvature, gradient)
        theta -= step
        if np.abs(step).max() < 1e-7:
            break
    return theta[:-1].astype(np.float32), float(theta[-1])


def refit_column(h: np.ndarray, y: np.ndarray, is_val: np.ndarray, start: tuple[np.ndarray, float]) -> Refit:
    """One column fitted on the training rows whose label is known (``y`` 0 or 1; -1 is unknown and left out),
    for each penalty of ``L2_GRID``, starting from the column as trained; the best validation AP wins (ties: the
    stronger penalty)."""
    train = (~is_val) & (y >= 0)
    val = is_val & (y >= 0)
    if int((y[train] == 1).sum()) == 0 or int((y[val] == 1).sum()) == 0:
        raise ValueError("a column needs known positives in both the training and the validation rows")
    best: Refit | None = None
    for l2 in L2_GRID:
        w, b = fit_logistic(h[train], y[train].astype(np.float64), class_weights(y[train]), l2, start)
        ap = average_precision(y[val], h[val] @ w + b)
        if best is None or ap >= best.val_ap:
            best = Refit(weights=w, bias=b, l2=l2, val_ap=round(ap, 4))
    assert best is not None
    return best
