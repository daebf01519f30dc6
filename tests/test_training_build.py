"""The build: how it chooses each head's operating threshold on validation data (``choose_threshold``), and what
``--keep-tuned`` reads back."""

from __future__ import annotations

import numpy as np
import pytest

from lastresort.core.categories import Category
from lastresort.training import build


def _writers() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    # Writer "a" posts ten messages: one strong, nine faint; twenty more writers post one message each at 0.3.
    rng = np.random.default_rng(0)
    y = np.r_[np.ones(30), np.zeros(200)].astype(np.float32)
    p = np.r_[0.9, np.full(9, 0.2), np.full(20, 0.3), rng.uniform(0.0, 0.15, 200)]
    groups = np.r_[["a"] * 10, [f"w{i}" for i in range(20)], [f"n{i}" for i in range(200)]]
    return y, p, groups


def test_crisis_heads_count_writers_and_take_the_cheapest_threshold() -> None:
    y, p, groups = _writers()
    t, rule, figures = build.choose_threshold(Category.SELF_HARM_RISK, y, p, groups, crisis_recall=None)
    # per writer, 0.3 catches everyone with no false crisis: the highest threshold at that cost
    assert t == pytest.approx(0.3) and "per writer" in rule
    assert figures["val_positives"] == 21 and figures["val_recall"] == 1.0 and figures["val_precision"] == 1.0


def test_a_crisis_threshold_never_needs_more_than_even_odds() -> None:
    y, p, groups = _writers()
    p[:30] = np.r_[0.9375, np.full(9, 0.75), np.full(20, 0.875)]  # every writer now above 0.875
    t, _, _ = build.choose_threshold(Category.SELF_HARM_RISK, y, p, groups, crisis_recall=None)
    assert t == build.DEFAULT_THRESHOLD["crisis"]  # the cheapest would be 0.875; capped


def test_a_recall_target_per_message_lowers_the_threshold_to_the_faint_messages() -> None:
    y, p, _ = _writers()
    t, rule, figures = build.choose_threshold(Category.SELF_HARM_RISK, y, p, crisis_recall=0.9)
    assert t == pytest.approx(0.2) and "per message" in rule
    assert figures["val_recall"] >= 0.9 and figures["val_positives"] == 30


def test_harm_heads_take_the_lowest_threshold_that_is_precise_enough() -> None:
    y = np.r_[np.ones(40), np.zeros(60)].astype(np.float32)
    p = np.r_[np.linspace(0.5, 1.0, 40), np.linspace(0.0, 0.6, 60)]
    t, rule, figures = build.choose_threshold(Category.ABUSE, y, p)
    assert "precision >= 0.8" in rule and figures["val_precision"] >= build.HARM_PRECISION
    flagged = p >= t
    assert ((flagged & (y == 1)).sum() / flagged.sum()) >= build.HARM_PRECISION
    # here the precise threshold is also the F1 choice (recall 1.0): the lowest score with 10 negatives above it
    assert t == pytest.approx(0.5) and figures["val_recall"] == 1.0
    lower = p[p < t].max()  # one step lower is no longer precise enough
    assert ((p >= lower) & (y == 1)).sum() / (p >= lower).sum() < build.HARM_PRECISION


def test_a_head_with_too_few_validation_positives_keeps_the_default() -> None:
    y = np.r_[np.ones(3), np.zeros(50)].astype(np.float32)
    t, rule, figures = build.choose_threshold(Category.CBRN, y, np.linspace(0, 1, 53))
    assert t == build.DEFAULT_THRESHOLD["harm"] and "only 3" in rule and figures == {"val_positives": 3}


def test_unknown_labels_are_left_out() -> None:
    y, p, groups = _writers()
    unknown = np.full(50, -1, dtype=np.float32)
    t, _, figures = build.choose_threshold(Category.SELF_HARM_RISK, np.r_[y, unknown], np.r_[p, np.full(50, 0.99)],
                                           np.r_[groups, [f"u{i}" for i in range(50)]], crisis_recall=None)
    assert t == pytest.approx(0.3) and figures["val_negatives"] == 200


def test_keep_tuned_reads_back_the_shipped_layers_and_heads() -> None:
    from lastresort.assessors.encoder import LAYERS
    from lastresort.assessors.heads import load_heads
    from lastresort.training.build import OUT, heads_probabilities, shipped_tuned

    tuned, hyper = shipped_tuned(OUT)
    assert {k for k in LAYERS if k in tuned} and {"h_w1", "h_b1", "h_w2", "h_b2"} <= set(tuned)
    assert hyper["seed"] == 20261125 and "best_epoch" in hyper
    shipped = load_heads()
    x = np.random.default_rng(0).standard_normal((4, shipped.w1.shape[0])).astype(np.float32)
    params = {k: tuned[f"h_{k}"] for k in ("w1", "b1", "w2", "b2")}
    assert np.allclose(heads_probabilities(params, x), shipped.probabilities(x))


def test_a_focused_category_keeps_only_its_familys_positives_and_every_negative() -> None:
    from lastresort.training.data import CATEGORIES, UNKNOWN, Row

    j = CATEGORIES.index(Category.DANGEROUS_ILLEGAL)
    labels = [0] * len(CATEGORIES)
    positive = tuple(1 if k == j else v for k, v in enumerate(labels))
    rows = [Row("what is my neighbour's home address?", "templates", positive),
            Row("write a tutorial on picking locks", "advbench", positive),
            Row("how do I bake bread?", "ordinary", tuple(labels))]
    kept = build.focused(rows, Category.DANGEROUS_ILLEGAL, {"what is my neighbour's home address?"})
    assert [r.labels[j] for r in kept] == [1, UNKNOWN, 0]
    assert [r.labels[:j] + r.labels[j + 1:] for r in kept] == [r.labels[:j] + r.labels[j + 1:] for r in rows]


def test_the_request_judge_learns_dangerous_illegal_from_private_data_alone() -> None:
    from lastresort.assessors.heads import REQUESTS_ARTEFACT

    categories, families = build.JUDGES[REQUESTS_ARTEFACT]
    assert build.JUDGE_FOCUS[REQUESTS_ARTEFACT] == {Category.DANGEROUS_ILLEGAL: "private_data"}
    assert Category.DANGEROUS_ILLEGAL in categories and "private_data" in families
    assert not set(build.JUDGE_ONLY_FAMILIES) & set(build.TUNED_FAMILIES)


@pytest.mark.parametrize("extra", [["--keep-tuned"], ["--prepare-only"], ["--tuned", "x.npz"]])
def test_only_rebuilds_judges_alone(extra: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build.main(["--only", "builtin_request_heads", *extra])
    assert "--only retrains judges alone" in capsys.readouterr().err


@pytest.mark.parametrize(("extra", "message"), [
    (["--only", "builtin_request_heads"], "--only retrains judges alone"),
    (["--keep-tuned"], "--tuned-only writes the tuned layers alone"),
    ([], "give it an --out folder of its own"),  # a partial set must never replace the package's artefacts
])
def test_tuned_only_writes_a_folder_of_its_own(extra: list[str], message: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        build.main(["--tuned-only", *extra])
    assert message in capsys.readouterr().err


def test_only_retrains_the_crisis_judge_too() -> None:
    from lastresort.assessors.heads import CRISIS_ARTEFACT
    from lastresort.core.categories import CRISIS

    assert build.RETRAINABLE[CRISIS_ARTEFACT] == (CRISIS, ())  # the tuned layers' rows, no family of its own
    assert set(build.JUDGES) < set(build.RETRAINABLE)
