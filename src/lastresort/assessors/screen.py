"""A cheap first look that lets the built-in assessor skip its encoder for plainly ordinary messages.

Most chat turns are ordinary ("plan a trip to Lisbon"), and for them the encoder's 3-15 ms only confirm that
nothing is there. The screen is a linear model over hashed character and word n-grams of the normalised text
(no vocabulary, any language; about 0.05 ms for a chat message), trained by ``lastresort.training.screen`` to
tell which messages the full learned layer flags, or comes near flagging, in any category.

It only ever lets the encoder be skipped; it never flags anything itself. The built-in assessor still runs the
rule layer on every message and sends a message to the encoder whenever any of these holds:

- the screen's crisis or harm score reaches its gate (gates chosen on validation so that the screen passes on
  at least 99.5% of what the learned layer flags, every crisis flag included where the data allow: see
  ``assessors/data/builtin_screen.json``);
- the rule layer scores anything, or the text is obfuscated (it has more than one normalised form);
- the conversation is not calm: the previous action was anything but a plain answer (a crisis, a refusal, a
  warning, a question to confirm an end).

Loaded from ``assessors/data/builtin_screen.npz`` (weights, float16) and ``builtin_screen.json`` (gates, how they
were chosen, the training data and the measured pass-through). No pickle.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np

__all__ = ["ARTEFACT", "OUTPUTS", "Screen", "features", "load_screen"]

ARTEFACT = "builtin_screen"
#: The screen's two scores: one for the crisis categories, one for everything else the learned layer flags.
OUTPUTS = ("crisis", "harm")
BITS = 17
_SHIFT = np.uint32(32 - BITS)
_FNV_PRIME = np.uint32(16777619)
_MIX = np.uint32(2654435761)  # Knuth's multiplicative hash: spreads FNV's low-entropy high bits over the buckets
_CHAR_SEEDS = {3: np.uint32(2166136261), 5: np.uint32(3735928559)}
_WORD_SEED, _PAIR_SEED = 0x9E3779B9, 0x85EBCA6B


def features(base: str) -> np.ndarray:
    """Bucket ids of the normalised text's byte 3- and 5-grams and its word unigrams and bigrams.

    Stable across processes and machines (FNV-1a and CRC-32, not Python's salted ``hash``), so weights trained
    once apply everywhere. Byte n-grams of UTF-8 cover every script without a vocabulary.
    """
    padded = np.frombuffer(f" {base} ".encode(), dtype=np.uint8).astype(np.uint32)
    parts = []
    for n, seed in _CHAR_SEEDS.items():
        m = len(padded) - n + 1
        if m <= 0:
            continue
        h = np.full(m, seed, dtype=np.uint32)
        for k in range(n):
            h = (h ^ padded[k:k + m]) * _FNV_PRIME
        parts.append(h)
    words = base.split()
    if words:
        hashed = [zlib.crc32(w.encode(), _WORD_SEED) for w in words]
        hashed += [zlib.crc32(f"{a} {b}".encode(), _PAIR_SEED) for a, b in zip(words, words[1:], strict=False)]
        parts.append(np.array(hashed, dtype=np.uint32))
    if not parts:
        return np.zeros(0, dtype=np.int64)
    return ((np.concatenate(parts) * _MIX) >> _SHIFT).astype(np.int64)


@dataclass(frozen=True)
class Screen:
    weights: np.ndarray  # (2 ** BITS, len(OUTPUTS))
    bias: np.ndarray  # (len(OUTPUTS),)
    gate: np.ndarray  # per output, in logits: at or above, the message goes to the encoder
    meta: dict[str, Any]

    def logits(self, base: str) -> np.ndarray:
        """The screen's scores of one normalised text, ``(len(OUTPUTS),)`` logits."""
        idx = features(base)
        if idx.size == 0:
            return self.bias.copy()
        return np.asarray(self.bias + self.weights[idx].sum(0) / np.sqrt(idx.size), dtype=np.float32)

    def passes(self, base: str) -> bool:
        """Whether the learned layer must look at this normalised text (the screen alone cannot clear it)."""
        return bool((self.logits(base) >= self.gate).any())


def load_screen(artefact: str = ARTEFACT) -> Screen:
    base = resources.files("lastresort.assessors") / "data"
    meta = json.loads((base / f"{artefact}.json").read_text(encoding="utf-8"))
    with (base / f"{artefact}.npz").open("rb") as f, np.load(f) as z:
        weights, bias = z["weights"].astype(np.float32), z["bias"].astype(np.float32)
    if weights.shape != (1 << BITS, len(OUTPUTS)) or meta.get("bits") != BITS:
        raise ValueError(f"{artefact}: weights of shape {weights.shape} do not match this code's {BITS}-bit buckets")
    gate = np.array([meta["gates"][o]["logit"] for o in OUTPUTS], dtype=np.float32)
    return Screen(weights=weights, bias=bias, gate=gate, meta=meta)
