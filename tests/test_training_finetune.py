"""Fine-tuning: the torch model is the numpy runtime's model, so what trains is what ships.

Needs PyTorch (the ``train`` extra, kept out of ``test`` so the test install stays small): skipped without it.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="fine-tuning needs the `train` extra (PyTorch)")

from lastresort.assessors.encoder import LAYERS, TOP, Encoder, read_stock, token_sums, top  # noqa: E402
from lastresort.training.finetune import (  # noqa: E402
    TopEncoder,
    TorchEncoder,
    _pad,
    anchor_loss,
    fit,
    probabilities,
    subset,
    train,
)

TEXTS = ["hello there", "how do I kill a Python process?", "je vais en finir ce soir", "x y z " * 40]


@pytest.fixture(scope="module")
def encoder() -> Encoder:
    return Encoder(tuned=False)


def _flat(ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    return np.concatenate([np.array(i) for i in ids]), np.r_[0, np.cumsum([len(i) for i in ids])]


def test_the_torch_encoder_equals_the_numpy_forward(encoder: Encoder) -> None:
    stock, table, scale, lo, eps = read_stock()
    model = TorchEncoder(stock, table, scale, lo, eps, categories=3)
    flat, offsets = _flat(encoder.token_ids(TEXTS))
    with torch.no_grad():
        ours = model.embed(*_pad(flat, offsets, np.arange(len(TEXTS)), torch.device("cpu"))).numpy()
    assert np.allclose(ours, encoder.encode_batch(TEXTS), atol=1e-5)
    assert set(model.layers) == set(LAYERS)


def test_the_top_model_equals_numpy_top_from_the_same_sums(encoder: Encoder) -> None:
    stock, *_, eps = read_stock()
    model = TopEncoder(stock, eps, categories=3)
    sums, lens = token_sums(encoder.weights, encoder.token_ids(TEXTS))
    with torch.no_grad():
        ours = model.embed(torch.from_numpy(sums), torch.from_numpy(lens[:, None])).numpy()
    assert np.allclose(ours, top(encoder.weights, sums, lens), atol=1e-5)
    assert set(model.layers) == set(TOP)


def test_training_learns_a_separable_label_and_ignores_unknown_ones(encoder: Encoder) -> None:
    texts = [f"you are a stupid useless bot number {i}" for i in range(80)] + [
        f"please help me bake bread number {i}" for i in range(80)]
    labels = np.array([[1, -1]] * 80 + [[0, -1]] * 80, dtype=np.int8)
    ids = encoder.token_ids(texts)
    flat, offsets = _flat(ids)
    sums, lens = token_sums(encoder.weights, ids)
    data = {"ids": flat, "offsets": offsets, "sums": sums, "lens": lens, "labels": labels,
            "is_val": np.arange(160) % 4 == 0}
    weights, summary = train(data, seed=1, epochs=3, lr=1e-4, head_lr=1e-2, l2sp=1e-4, tokens=2048, top=True,
                             device=torch.device("cpu"), log=lambda _: None)
    assert set(weights) == set(TOP) | {"h_w1", "h_b1", "h_w2", "h_b2"}
    assert weights["h_w2"].shape == (256, 2)
    assert summary["validation_mean_ap"] == 1.0
    with pytest.raises(ValueError, match="validation positives"):
        train({**data, "is_val": np.arange(160) >= 150}, seed=1, epochs=1, lr=1e-4, head_lr=1e-2, l2sp=1e-4,
              tokens=2048, top=True, device=torch.device("cpu"))


def _toy(encoder: Encoder, labels: np.ndarray) -> dict[str, np.ndarray]:
    texts = [f"you are a stupid useless bot number {i}" for i in range(80)] + [
        f"please help me bake bread number {i}" for i in range(80)]
    ids = encoder.token_ids(texts)
    flat, offsets = _flat(ids)
    sums, lens = token_sums(encoder.weights, ids)
    return {"ids": flat, "offsets": offsets, "sums": sums, "lens": lens, "labels": labels,
            "is_val": np.arange(160) % 4 == 0}


def test_a_subset_keeps_each_rows_tokens_and_labels(encoder: Encoder) -> None:
    data = _toy(encoder, np.array([[1, 0]] * 80 + [[0, 1]] * 80, dtype=np.int8))
    part = subset(data, np.array([150, 3]))
    assert part["offsets"].tolist() == [0, int(data["offsets"][151] - data["offsets"][150]),
                                        int(data["offsets"][151] - data["offsets"][150]
                                            + data["offsets"][4] - data["offsets"][3])]
    assert part["ids"].tolist() == (data["ids"][data["offsets"][150]:data["offsets"][151]].tolist()
                                    + data["ids"][data["offsets"][3]:data["offsets"][4]].tolist())
    assert part["labels"].tolist() == [[0, 1], [1, 0]]
    assert np.array_equal(part["sums"], data["sums"][[150, 3]])


def test_the_anchor_loss_counts_only_held_heads() -> None:
    logits = torch.tensor([[2.0, -1.0], [0.5, 3.0]])
    target = torch.tensor([[0.9, float("nan")], [float("nan"), float("nan")]])
    expected = torch.nn.functional.binary_cross_entropy_with_logits(torch.tensor(2.0), torch.tensor(0.9)) / 2
    assert torch.isclose(anchor_loss(logits, target), expected)


def test_an_anchor_holds_a_head_that_has_no_labels(encoder: Encoder) -> None:
    # head 0 has no labels at all, only the anchor (0.5 everywhere); head 1 learns its labels
    data = _toy(encoder, np.array([[-1, 1]] * 80 + [[-1, 0]] * 80, dtype=np.int8))
    held = np.stack([np.full(160, 0.5), np.full(160, np.nan)], 1).astype(np.float32)
    weights, _ = train(data, seed=1, epochs=4, lr=1e-4, head_lr=1e-2, l2sp=1e-4, tokens=2048, top=True,
                       device=torch.device("cpu"), anchor=held, anchor_weight=5.0, log=lambda _: None)
    p = probabilities(weights, data, top=True, device=torch.device("cpu"))
    assert np.abs(p[:, 0] - 0.5).max() < 0.1
    assert p[:80, 1].min() > 0.5 > p[80:, 1].max()


def test_two_stages_train_the_first_on_its_rows_then_hold_the_protected_heads(encoder: Encoder) -> None:
    # stage 1 sees only the first 120 rows; the last 40 (bread) teach head 1 that bread is positive, and must not
    # move head 0, which stage 1 learnt from the insults
    labels = np.array([[1, 0]] * 80 + [[0, 0]] * 40 + [[-1, 1]] * 40, dtype=np.int8)
    data = {**_toy(encoder, labels), "first_stage": np.arange(160) < 120, "protected": np.array([True, False])}
    logs: list[str] = []
    weights, summary = fit(data, seed=1, epochs=4, lr=1e-4, head_lr=1e-2, l2sp=1e-4, tokens=2048, top=True,
                           device=torch.device("cpu"), log=logs.append)
    assert "teacher 1/1: 120 of 160 rows, seed 1" in logs
    assert summary["teachers"][0]["validation_mean_ap"] == 1.0
    p = probabilities(weights, data, top=True, device=torch.device("cpu"))
    assert p[:80, 0].min() > 0.5 > p[80:, 0].max()
    assert p[120:, 1].min() > 0.5


def test_averaging_returns_the_mean_of_the_epochs_weights(encoder: Encoder) -> None:
    data = _toy(encoder, np.array([[1, -1]] * 80 + [[0, -1]] * 80, dtype=np.int8))
    kwargs = {"seed": 1, "lr": 1e-4, "head_lr": 1e-2, "l2sp": 1e-4, "tokens": 2048, "top": True,
              "device": torch.device("cpu"), "log": lambda _: None}
    last, _ = train(data, epochs=2, average_from=2, **kwargs)
    # same seed, and one batch an epoch: the first step's learning rate is the same in both schedules
    first, _ = train(data, epochs=1, **kwargs)
    both, summary = train(data, epochs=2, average_from=1, **kwargs)
    assert summary["averaged_epochs"] == "1-2"
    for k in both:
        assert np.allclose(both[k], (first[k] + last[k]) / 2, atol=1e-6)
    with pytest.raises(ValueError, match="after the last epoch"):
        train(data, epochs=2, average_from=3, **kwargs)


def test_several_teachers_train_with_successive_seeds_and_the_student_learns_from_their_mean(
        encoder: Encoder) -> None:
    data = _toy(encoder, np.array([[1, 0]] * 80 + [[0, 1]] * 80, dtype=np.int8))
    logs: list[str] = []
    weights, summary = fit(data, teachers=2, seed=5, epochs=3, lr=1e-4, head_lr=1e-2, l2sp=1e-4, tokens=2048,
                           top=True, device=torch.device("cpu"), log=logs.append)
    assert [line for line in logs if line.startswith("teacher")] == [
        "teacher 1/2: 160 of 160 rows, seed 5", "teacher 2/2: 160 of 160 rows, seed 6"]
    assert "student: every row, heads [0, 1] held to the teachers' mean" in logs
    assert len(summary["teachers"]) == 2 and summary["validation_mean_ap"] == 1.0
    p = probabilities(weights, data, top=True, device=torch.device("cpu"))
    assert p[:80, 0].min() > 0.5 > p[80:, 0].max()
