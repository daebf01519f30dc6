"""The training data mapping: test sets never read as training rows; written examples and splits are stable."""

from __future__ import annotations

from pathlib import Path

import pytest

from lastresort.core.categories import Category
from lastresort.training.data import CATEGORIES, EXCLUDED, MAPPING, cssrs_split, load_rows
from lastresort.training.examples import WRITTEN
from lastresort.training.examples_extra import EXTRA

DATA = Path(__file__).resolve().parents[1].parent / "shared" / "datasets"


def test_written_examples_use_known_categories_and_are_unique() -> None:
    names = {c.value for c in Category}
    assert all(set(labels) <= names for _, labels in (*WRITTEN, *EXTRA))
    texts = [t for t, _ in (*WRITTEN, *EXTRA)]
    assert len(texts) == len(set(texts))


def test_the_reddit_split_is_stable_and_holds_out_most_users() -> None:
    split = [cssrs_split(f"user-{i}") for i in range(500)]
    assert split == [cssrs_split(f"user-{i}") for i in range(500)]
    assert 0.3 < split.count("train") / 500 < 0.5


@pytest.mark.skipif(not DATA.is_dir(), reason="training data (../shared/datasets) not present: training-only test")
def test_rows_come_only_from_mapped_sources() -> None:
    rows = load_rows(DATA, seed=1)
    assert {r.source for r in rows} <= set(MAPPING)
    assert not {r.source for r in rows} & set(EXCLUDED)
    assert all(len(r.labels) == len(CATEGORIES) and set(r.labels) <= {-1, 0, 1} for r in rows)
    assert len({r.text for r in rows}) == len(rows)
