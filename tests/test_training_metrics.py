"""Average precision and PR curves in numpy, checked against values worked out by hand."""

from __future__ import annotations

import math

import numpy as np

from lastresort.training.metrics import average_precision, pr_curve


def test_perfect_and_worst_rankings() -> None:
    assert average_precision(np.array([1, 1, 0, 0]), np.array([0.9, 0.8, 0.2, 0.1])) == 1.0
    assert average_precision(np.array([0, 0, 1, 1]), np.array([0.9, 0.8, 0.2, 0.1])) == (1 / 3 + 2 / 4) / 2


def test_a_worked_example() -> None:
    # Ranked: 1 0 1 0 -> precision at each positive: 1/1, 2/3 -> AP = (1 + 2/3) / 2
    y, p = np.array([1, 0, 1, 0]), np.array([0.9, 0.7, 0.5, 0.1])
    assert math.isclose(average_precision(y, p), (1 + 2 / 3) / 2)
    precision, recall, thresholds = pr_curve(y, p)
    assert list(thresholds) == [0.9, 0.7, 0.5, 0.1] and list(recall) == [0.5, 0.5, 1.0, 1.0]


def test_ties_count_as_one_threshold() -> None:
    y, p = np.array([1, 0, 1]), np.array([0.5, 0.5, 0.1])
    precision, recall, thresholds = pr_curve(y, p)
    assert list(thresholds) == [0.5, 0.1] and precision[0] == 0.5
    assert math.isclose(average_precision(y, p), 0.5 * 0.5 + 0.5 * (2 / 3))


def test_no_positives_is_nan() -> None:
    assert math.isnan(average_precision(np.array([0, 0]), np.array([0.1, 0.2])))


def test_lowest_with_precision_is_the_first_threshold_reaching_it() -> None:
    from lastresort.training.metrics import lowest_with_precision

    y = np.array([0, 1, 0, 1, 1, 1])
    p = np.array([0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert lowest_with_precision(y, p, 0.75) == 0.2  # 4 of 5 from 0.2 up
    assert lowest_with_precision(y, p, 1.0) == 0.4
    assert lowest_with_precision(y, p, 0.75, floor=0.35) == 0.4
    assert lowest_with_precision(np.array([0, 0]), np.array([0.2, 0.9]), 0.5) is None
