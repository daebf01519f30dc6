from __future__ import annotations

import pytest

from lastresort.core.tree import children_of, leaves, path_to, siblings_of

TREE = {"a": None, "b": "a", "c": "b", "c2": "b", "d": "c", "r2": None}


def test_path_to_leaf_goes_root_first() -> None:
    assert path_to("d", TREE) == ["a", "b", "c", "d"]
    assert path_to(None, TREE) == []
    assert path_to("r2", TREE.get) == ["r2"]


def test_siblings_children_and_leaves() -> None:
    assert siblings_of("c2", TREE) == ["c", "c2"]
    assert children_of(None, TREE) == ["a", "r2"]
    assert sorted(leaves(TREE)) == ["c2", "d", "r2"]


def test_cycle_is_an_error_not_a_hang() -> None:
    with pytest.raises(ValueError, match="cycle"):
        path_to("x", {"x": "y", "y": "x"})
