"""Our written benchmark sets (``benchmarks/*.jsonl``): well formed, so the assessor benchmark and the build's
decontamination read every line of them."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from lastresort.training.data import (
    HELD_OUT_EVERYDAY_LIFE,
    HELD_OUT_REQUESTS,
    HELD_OUT_SEXUAL_MINORS,
    HELD_OUT_WRITTEN,
)

KINDS = {**dict.fromkeys(HELD_OUT_SEXUAL_MINORS + HELD_OUT_REQUESTS, {"harmful", "benign"}),
         **dict.fromkeys(HELD_OUT_EVERYDAY_LIFE, {"everyday", "crisis"})}


def _lines(path: Path) -> list[dict[str, str]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def test_every_written_set_is_kept_out_of_training() -> None:
    # the build's decontamination reads HELD_OUT_WRITTEN; the benchmark reads the three groups
    assert set(HELD_OUT_WRITTEN) == set(KINDS)


@pytest.mark.parametrize("path", HELD_OUT_WRITTEN, ids=lambda p: p.name)
def test_a_written_set_has_one_example_per_line_with_its_kind_and_language(path: Path) -> None:
    examples = _lines(path)
    assert examples, path
    for x in examples:
        assert isinstance(x.get("text"), str) and x["text"].strip() == x["text"] and x["text"]
        assert x["kind"] in KINDS[path], x
        assert len(x["lang"]) == 2 and x["lang"].islower(), x
    texts = [x["text"] for x in examples]
    assert len(set(texts)) == len(texts), "a text written twice counts twice"
    assert {x["kind"] for x in examples} == KINDS[path], "both kinds, or the set measures one side only"


@pytest.mark.parametrize("path", HELD_OUT_EVERYDAY_LIFE, ids=lambda p: p.name)
def test_the_everyday_life_sets_cover_four_languages(path: Path) -> None:
    examples = _lines(path)
    for kind in ("everyday", "crisis"):
        assert {x["lang"] for x in examples if x["kind"] == kind} == {"en", "es", "fr", "de"}
