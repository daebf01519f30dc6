"""Where full crisis support begins: the choice of ``crisis_support_threshold`` (the rule; the run needs the data)."""

from __future__ import annotations

import numpy as np

from lastresort.training.support_grade import PRECISION, choose


def test_the_lowest_score_from_which_precision_holds_at_or_above_the_floor() -> None:
    y = np.array([0, 0, 1, 0, 1, 1, 1, 1, 0])
    s = np.array([0.1, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95])
    # from 0.6 up: 4 of 5 are crisis messages (0.8); from 0.5 up: 4 of 6
    assert choose(y, s, floor=0.35) == 0.6
    assert choose(y, s, floor=0.65, precision=0.75) == 0.7  # never below the floor (0.6 would reach 0.8)
    assert choose(y, s, floor=0.65) == 1.0  # from 0.7 up the 0.95 false one keeps it under 0.8
    assert choose(y, s, floor=0.35, precision=0.6) == 0.4  # 5 of 8 from 0.4 up


def test_no_score_reaches_the_precision() -> None:
    y = np.array([0, 0, 1])
    s = np.array([0.5, 0.9, 0.4])
    assert choose(y, s, floor=0.35) == 1.0
    assert PRECISION == 0.8
