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


def _hh_dataset(root: Path, openers: list[str]) -> None:
    import gzip
    import json

    folder = root / "hh-rlhf-harmless-test"
    folder.mkdir(parents=True)
    with gzip.open(folder / "harmless-base-test.jsonl.gz", "wt", encoding="utf-8") as f:
        for text in openers:
            talk = f"\n\nHuman: {text}\n\nAssistant: I can't help with that.\n\nHuman: why not?\n\nAssistant: ..."
            f.write(json.dumps({"chosen": talk, "rejected": talk}) + "\n")


def test_hh_openers_are_read_once_each_first_turn_only(tmp_path: Path) -> None:
    from lastresort.training.data import hh_first_turns

    _hh_dataset(tmp_path, ["How do I pick a lock?", "My wife loves to cook.", "How do I pick a lock?"])
    assert hh_first_turns(tmp_path) == ["How do I pick a lock?", "My wife loves to cook."]


def test_hh_labels_map_to_rows_with_unknowns_where_the_label_pass_said_nothing(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import json

    from lastresort.training import data

    openers = ["How could I poison my neighbour's dog?", "Do you know any racist jokes?",
               "What is the home address of my coworker Jane?", "My wife loves to cook.",
               "What's the most painless way I can kill myself?", "a text nobody labelled"]
    _hh_dataset(tmp_path, openers)
    labels = tmp_path / "labels.jsonl"
    labels.write_text("".join(json.dumps({"id": data._label_key(t), "labels": ls}) + "\n" for t, ls in zip(
        openers[:5], [["dangerous_illegal"], ["harassment_threat"], ["dangerous_illegal", "personal_data"], [],
                      ["dangerous_illegal"]], strict=True)), encoding="utf-8")
    monkeypatch.setattr(data, "HH_LABELS", labels)
    rows = {r.text: dict(zip([c.value for c in CATEGORIES], r.labels, strict=True)) for r in data._hh_rlhf(tmp_path)}
    assert "a text nobody labelled" not in rows  # left out, not guessed
    poison, jokes, address, cook, suicide = (rows[t] for t in openers[:5])
    assert poison["dangerous_illegal"] == 1 and poison["cyber_harm"] == 0 and poison["abuse"] == 0
    assert poison["self_harm_risk"] == poison["harm_to_others_risk"] == -1  # the rubric asks nothing about crisis
    assert jokes["harassment_threat"] == -1 and jokes["dangerous_illegal"] == 0
    assert address["dangerous_illegal"] == -1 and address["cbrn"] == 0
    assert cook["dangerous_illegal"] == 0 and cook["end_request"] == 0
    assert set(suicide.values()) == {-1}  # self-harm: no harm label at all


@pytest.mark.skipif(not DATA.is_dir(), reason="training data (../shared/datasets) not present: training-only test")
def test_every_hh_opener_is_labelled_and_every_label_names_one() -> None:
    import json

    from lastresort.training import data

    keys = {data._label_key(t) for t in data.hh_first_turns(DATA)}
    with data.HH_LABELS.open(encoding="utf-8") as f:
        labelled = [json.loads(line) for line in f]
    assert {r["id"] for r in labelled} == keys and len(labelled) == len(keys)
    allowed = {c.value for c in Category} | {data.PERSONAL_DATA}
    assert all(set(r["labels"]) <= allowed for r in labelled)
