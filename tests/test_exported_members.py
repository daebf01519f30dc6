from __future__ import annotations

import re
from pathlib import Path

import lastresort


def test_all_is_sorted_and_importable() -> None:
    names = [n for n in lastresort.__all__ if n != "__version__"]
    assert names == sorted(names)
    for name in lastresort.__all__:
        assert hasattr(lastresort, name), name


def test_version_matches_the_changelog() -> None:
    changelog = (Path(__file__).parents[1] / "CHANGELOG.md").read_text()
    released = re.findall(r"^## \[(\d+\.\d+\.\d+)\]", changelog, flags=re.M)
    assert released and released[0] == lastresort.__version__
