"""Ranking metrics in numpy (no scikit-learn): average precision, precision-recall curves, and the lowest
threshold that reaches a precision."""

from __future__ import annotations

import numpy as np

__all__ = ["average_precision", "lowest_with_precision", "pr_curve"]


def pr_curve(y: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision, recall and thresholds at every distinct score, highest threshold first."""
    order = np.argsort(-p, kind="mergesort")
    y, p = np.asarray(y)[order] == 1, np.asarray(p)[order]
    tp = np.cumsum(y)
    fp = np.cumsum(~y)
    last = np.r_[np.nonzero(np.diff(p))[0], len(p) - 1]  # the last index of each distinct score
    precision = tp[last] / (tp[last] + fp[last])
    recall = tp[last] / max(int(y.sum()), 1)
    return precision, recall, p[last]


def average_precision(y: np.ndarray, p: np.ndarray) -> float:
    """Area under the precision-recall curve as a step sum (the definition scikit-learn uses)."""
    if not (np.asarray(y) == 1).any():
        return float("nan")
    precision, recall, _ = pr_curve(y, p)
    return float(np.sum(np.diff(np.r_[0.0, recall]) * precision))


def lowest_with_precision(y: np.ndarray, p: np.ndarray, precision: float, floor: float = -np.inf) -> float | None:
    """The lowest score (rounded to 4 places) at or above ``floor`` where the messages scoring at least as high are
    positives at least ``precision`` of the time; None if none is."""
    positive = np.asarray(y) == 1
    for t in np.unique(np.round(p[p >= floor], 4)):  # ascending
        if positive[p >= t].mean() >= precision:
            return float(t)
    return None
