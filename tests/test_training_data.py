"""The training data mapping: test sets never read as training rows; written examples and splits are stable."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from lastresort.core.categories import Category
from lastresort.training.data import CATEGORIES, EXCLUDED, MAPPING, ORDINARY, _ordinary, cssrs_split, load_rows
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


def test_ordinary_prompts_are_negatives_for_every_category() -> None:
    rows = list(_ordinary())
    assert len(rows) > 1000
    assert all(r.source == "ordinary" and set(r.labels) == {0} for r in rows)
    assert len({r.text.lower() for r in rows}) == len(rows)  # no repeats, not even by case
    assert all(r.text == r.text.strip() and r.text for r in rows)


def test_ordinary_prompts_record_their_language_and_kind() -> None:
    with ORDINARY.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    assert all({"text", "lang", "kind", "set"} == set(r) for r in records)
    langs = Counter(r["lang"] for r in records)
    assert all(langs[lang] >= 50 for lang in ("es", "fr", "de"))  # the languages the product promises
    assert langs["en"] < 0.8 * len(records)


def test_a_post_of_an_at_risk_writer_is_a_positive_only_where_it_shows_the_risk(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lastresort.training import data

    posts = {"u1": ("Ideation", ["I don't want to be here anymore", "anyone played the new zelda?"]),
             "u2": ("Supportive", ["you are not alone, reach out"])}
    monkeypatch.setattr(data, "cssrs_users", lambda root: [(u, lab, ps) for u, (lab, ps) in posts.items()])
    monkeypatch.setattr(data, "cssrs_split", lambda user: "train")
    labels = tmp_path / "labels.jsonl"
    given = (("I don't want to be here anymore", "risk"), ("anyone played the new zelda?", "no_risk"))
    labels.write_text("".join(json.dumps({"id": data._label_key(t), "label": lab}) + "\n" for t, lab in given))
    monkeypatch.setattr(data, "CSSRS_POST_LABELS", labels)
    sh = CATEGORIES.index(Category.SELF_HARM_RISK)
    rows = {r.text: r for r in data._cssrs(tmp_path)}
    assert rows["I don't want to be here anymore"].labels[sh] == 1
    assert rows["anyone played the new zelda?"].labels[sh] == -1  # its writer is at risk; the post says nothing
    assert rows["you are not alone, reach out"].labels[sh] == 0
    assert {r.group for r in rows.values()} == {"u1", "u2"}


def test_the_post_labels_name_each_post_once_with_a_known_label() -> None:
    from lastresort.training.data import CSSRS_POST_LABELS

    with CSSRS_POST_LABELS.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    assert len({r["id"] for r in records}) == len(records) > 700
    assert {r["label"] for r in records} == {"risk", "no_risk"}


def test_our_crisis_labels_override_a_sources_unknown_crisis_labels(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from lastresort.training import data

    texts = {"what dose of melatonin is safe for sleep?": "drugs",  # labelled no_risk by us
             "i took all my pills last night on purpose": "medical",  # labelled self-harm risk by us
             "is coffee bad for your heart?": "medical"}  # not labelled: the mapping's unknown stays
    (tmp_path / "sensitive-topics").mkdir()
    (tmp_path / "sensitive-topics/sensitivetopics.jsonl").write_text(
        "".join(json.dumps({"text": t, "labels": lab}) + "\n" for t, lab in texts.items()))
    labels = tmp_path / "crisis.jsonl"
    given = (("what dose of melatonin is safe for sleep?", "no_risk", "no_risk"),
             ("i took all my pills last night on purpose", "risk", "no_risk"))
    labels.write_text("".join(json.dumps({"id": data._label_key(t), "self_harm": s, "others": o}) + "\n"
                              for t, s, o in given))
    monkeypatch.setattr(data, "CRISIS_LABELS", labels)
    data._crisis_labels.cache_clear()
    try:
        rows = {r.text: r for r in data._sensitive(tmp_path)}
    finally:
        data._crisis_labels.cache_clear()
    sh, ho = CATEGORIES.index(Category.SELF_HARM_RISK), CATEGORIES.index(Category.HARM_TO_OTHERS_RISK)
    assert (rows["what dose of melatonin is safe for sleep?"].labels[sh],
            rows["what dose of melatonin is safe for sleep?"].labels[ho]) == (0, 0)
    assert rows["i took all my pills last night on purpose"].labels[sh] == 1
    assert rows["i took all my pills last night on purpose"].labels[ho] == 0
    assert rows["is coffee bad for your heart?"].labels[sh] == -1
    assert all(r.labels[CATEGORIES.index(Category.ABUSE)] == 0 for r in rows.values())


def test_our_crisis_labels_name_each_text_once_with_known_labels() -> None:
    from lastresort.training.data import CRISIS_LABELS

    with CRISIS_LABELS.open(encoding="utf-8") as f:
        records = [json.loads(line) for line in f if line.strip()]
    assert len({r["id"] for r in records}) == len(records) > 2000
    assert {r["self_harm"] for r in records} == {r["others"] for r in records} == {"risk", "no_risk"}
    assert {r["source"] for r in records} == {"counsel-chat", "diasafety", "sensitive-topics"}
