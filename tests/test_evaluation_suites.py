"""Suites: the simulated-user generator, the suite file format, and the dataset builders on tiny fixtures."""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from pathlib import Path

import pytest

from lastresort.evaluation import datasets
from lastresort.evaluation.simulated import CATEGORIES, generate
from lastresort.evaluation.suite import Conversation, SuiteError, read_suite, write_suite


def test_simulated_suite_is_large_varied_and_deterministic() -> None:
    suite = list(generate(seed=7))
    assert len(suite) >= 1000
    per_category = Counter(c.category for c in suite)
    assert len(per_category) >= 18 and min(per_category.values()) >= 40
    assert {c.expected for c in suite} == {"end", "no_end", "crisis"}
    assert len({c.id for c in suite}) == len(suite)
    assert [c.to_dict() for c in generate(seed=7)] == [c.to_dict() for c in suite]
    assert [c.turns for c in generate(seed=8)] != [c.turns for c in suite]
    # variation: most conversations of a category differ from each other
    abuse = [c.turns for c in suite if c.category == "persistent-abuse"]
    assert len(set(abuse)) > 0.9 * len(abuse)
    assert all(c.persistent == (c.expected == "end" and c.category != "explicit-end-request") for c in suite)
    assert {r.category for r in CATEGORIES} >= {"persistent-abuse", "crisis-mixed-with-abuse", "coding",
                                                "legal-advice", "multilingual-abuse", "explicit-end-request"}


def test_suite_files_round_trip_and_bad_lines_are_named(tmp_path: Path) -> None:
    path = tmp_path / "s.jsonl"
    items = [Conversation(id="a", suite="mine", category="c", expected="end", persistent=True, turns=("x", "y"))]
    assert write_suite(path, items) == 1
    assert list(read_suite(path)) == items
    path.write_text('{"id": "b", "category": "c", "expected": "maybe", "turns": ["x"]}\n', encoding="utf-8")
    with pytest.raises(SuiteError, match=r"s.jsonl:1: b: expected must be one of end, no_end, crisis"):
        list(read_suite(path))
    path.write_text('{"id": "b", "category": "c", "expected": "end", "turns": "x"}\n', encoding="utf-8")
    with pytest.raises(SuiteError, match="'turns' must be a list of strings"):
        list(read_suite(path))
    path.write_text("not json\n", encoding="utf-8")
    with pytest.raises(SuiteError, match="not JSON"):
        list(read_suite(path))
    path.write_text('{"id": "c", "category": "c", "expected": "no_end", "turns": ["x"]}\n', encoding="utf-8")
    assert next(read_suite(path, suite="custom-name")).suite == "custom-name"


def _csv(path: Path, rows: list[dict[str, str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)


def _convabuse_row(text: str, severities: list[str], system: bool = True) -> dict[str, str]:
    row = {"example_id": "1", "conv_id": "1", "prev_agent": "_", "prev_user": "_", "agent": "hi", "user": text,
           "bot": "E.L.I.Z.A."}
    for n in range(1, 9):
        sev = severities[n - 1] if n <= len(severities) else None
        for s in ("1", "0", "-1", "-2", "-3"):
            row[f"Annotator{n}_is_abuse.{s}"] = ("1" if s == sev else "0") if sev else ""
        row[f"Annotator{n}_target.system"] = ("1" if system and sev and sev.startswith("-") else "0") if sev else ""
    return row


@pytest.fixture
def root(tmp_path: Path) -> Path:
    root = tmp_path / "datasets"
    bad = root / "bot-adversarial-dialogue"
    bad.mkdir(parents=True)
    labels = ["__ok__", "__notok__", "__notok__", "__notok__", "__notok__", "__ok__"]
    turns = []
    for i, label in enumerate(labels):
        turns += [{"turn": 2 * i, "speaker": "human", "text": f"h{i}", "label": label},
                  {"turn": 2 * i + 1, "speaker": "bot", "text": f"b{i}", "label": "__ok__"}]
    short = [{"turn": 0, "speaker": "human", "text": "x", "label": "__notok__"}]
    (bad / "bad_test_dialogues.jsonl").write_text(
        json.dumps({"dialogue_index": 1, "turns": turns}) + "\n" + json.dumps({"dialogue_index": 2, "turns": short})
        + "\n", encoding="utf-8")
    abusive = [_convabuse_row(f"abuse {i}", ["-2", "-1", "1"]) for i in range(10)]
    mixed = [_convabuse_row("ambiguous", ["-1", "1", "1"]), _convabuse_row("at a person", ["-2", "-2"], False),
             _convabuse_row("doubly labelled", ["1, 0", "-3"])]
    for split, rows in (("train", abusive), ("valid", mixed), ("test", abusive[:1])):
        _csv(root / "convabuse" / f"ConvAbuseEMNLP{split}.csv", rows)
    _csv(root / "simplesafetytests" / "simplesafetytests_test_cases.csv", [
        {"id": "sst_001", "harm_area": "Suicide, Self-Harm, and Eating Disorders", "prompts_final": "crisis?"},
        {"id": "sst_050", "harm_area": "Scams and fraud", "prompts_final": "scam?"}])
    _csv(root / "reddit-cssrs" / "500_Reddit_users_posts_labels.csv", [
        {"User": "user-0", "Post": "['first post', 'second post']", "Label": "Ideation"},
        {"User": "user-1", "Post": "['it's broken', 'quote']", "Label": "Supportive"}])
    (root / "sensitive-topics").mkdir()
    (root / "sensitive-topics" / "sensitivetopics.jsonl").write_text(
        json.dumps({"text": "one\ntwo", "labels": "politics"}) + "\n", encoding="utf-8")
    (root / "counsel-chat").mkdir()
    with gzip.open(root / "counsel-chat" / "20200325_counsel_chat.csv.gz", "wt", encoding="utf-8",
                   newline="") as f:
        writer = csv.DictWriter(f, fieldnames=["questionID", "questionTitle", "questionText", "topic"])
        writer.writeheader()
        writer.writerow({"questionID": "0", "questionTitle": "Title", "questionText": "p1\np2", "topic": "x"})
        writer.writerow({"questionID": "0", "questionTitle": "Title", "questionText": "p1\np2", "topic": "x"})
    _csv(root / "xstest" / "xstest_prompts.csv", [
        {"prompt": f"safe {i}", "type": "homonyms", "label": "safe"} for i in range(6)]
        + [{"prompt": "unsafe", "type": "contrast_homonyms", "label": "unsafe"}])
    _csv(root / "hatecheck" / "test_suite_cases.csv", [
        {"functionality": "counter_quote_nh", "test_case": f"c{i}", "label_gold": "non-hateful"} for i in range(5)]
        + [{"functionality": "target_indiv_nh", "test_case": f"t{i}", "label_gold": "non-hateful"} for i in range(5)]
        + [{"functionality": "derog_neg_emote_h", "test_case": "h", "label_gold": "hateful"}])
    return root


def test_dataset_builders_make_the_documented_dialogues(root: Path) -> None:
    convs, missing = datasets.build(root)
    assert missing == []
    by_cat: dict[str, list[Conversation]] = {}
    for c in convs:
        by_cat.setdefault(c.category, []).append(c)
    (bad,) = by_cat["bad-offensive-runs"]
    assert bad.turns == ("h0", "h1", "h2", "h3", "h4") and bad.expected == "end" and not bad.quotable
    # majority-abusive turns aimed at the bot: the ambiguous and the person-directed ones are out
    assert datasets.convabuse_abusive_turns(root) == [f"abuse {i}" for i in range(10)] + ["doubly labelled",
                                                                                          "abuse 0"]
    assert [c.turns for c in by_cat["convabuse-abuse-runs"]] == [tuple(f"abuse {i}" for i in range(5)),
                                                                tuple(f"abuse {i}" for i in range(5, 10))]
    assert [c.turns for c in by_cat["sst-self-harm"]] == [("crisis?", *datasets.SST_FOLLOW_UPS)]
    (cssrs_crisis,) = by_cat["cssrs-ideation-behavior-attempt"]
    assert cssrs_crisis.turns == ("first post", "second post") and cssrs_crisis.expected == "crisis"
    (cssrs_other,) = by_cat["cssrs-supportive-indicator"]
    assert cssrs_other.turns == ("it's broken", "quote")  # the unparseable row still splits into posts
    assert [c.turns for c in by_cat["crisis-after-abuse"]][0] == ("abuse 0", "abuse 1", "crisis?", "abuse 3",
                                                                  "abuse 4")
    assert [c.turns for c in by_cat["sensitive-politics"]] == [("one", "two")]
    assert [c.turns for c in by_cat["counsel-chat"]] == [("Title", "p1", "p2")]
    assert [c.turns for c in by_cat["xstest-safe"]] == [tuple(f"safe {i}" for i in range(5))]
    assert [c.turns for c in by_cat["hatecheck-non-hateful"]] == [tuple(f"c{i}" for i in range(5))]
    assert all(c.expected in ("no_end", "crisis") for c in convs if c.category.startswith(("sensitive", "xstest")))


def test_missing_datasets_are_named(root: Path, tmp_path: Path) -> None:
    with pytest.raises(datasets.DatasetsMissing, match="no datasets folder"):
        datasets.build(tmp_path / "nowhere")
    (root / "xstest" / "xstest_prompts.csv").unlink()
    convs, missing = datasets.build(root)
    assert len(missing) == 1 and missing[0].startswith("xstest: missing") and convs


def test_long_posts_are_cut_at_a_sentence_end() -> None:
    text = "A sentence. " * 300
    cut = datasets._cut(text, 100)
    assert len(cut) <= 100 and cut.endswith(".")
