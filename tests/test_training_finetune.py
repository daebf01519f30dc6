"""Fine-tuning: the torch model is the numpy runtime's model, so what trains is what ships.

Needs PyTorch (the ``train`` extra, kept out of ``test`` so the test install stays small): skipped without it.
"""

from __future__ import annotations

import numpy as np
import pytest

torch = pytest.importorskip("torch", reason="fine-tuning needs the `train` extra (PyTorch)")

from lastresort.assessors.encoder import LAYERS, TOP, Encoder, read_stock, token_sums, top  # noqa: E402
from lastresort.training.finetune import TopEncoder, TorchEncoder, _pad, train  # noqa: E402

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
