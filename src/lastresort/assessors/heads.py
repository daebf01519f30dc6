"""The built-in assessor's per-category heads: a small MLP over sentence embeddings, plus score calibration.

Loaded from ``assessors/data/builtin_heads.npz`` (weights) and ``builtin_heads.json`` (categories, operating
thresholds, how they were chosen, the training data mapping, seed and validation scores). No pickle. A directory
of rebuilt artefacts (the build's ``--out``, setting ``assessor_data``) replaces the package's files it holds.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import numpy as np

from lastresort.core.categories import Category

__all__ = ["ARTEFACT", "CRISIS_ARTEFACT", "REQUESTS_ARTEFACT", "SEXUAL_MINORS_ARTEFACT", "Heads", "artefact_file",
           "calibrate", "heads_folder", "load_heads", "mlp"]

ARTEFACT = "builtin_heads"
#: Crisis heads over the *stock* embedding (see ``builtin``): a second judge of crisis only.
CRISIS_ARTEFACT = "builtin_crisis_heads"
#: A sexual-minors head over the stock embedding, trained with template families the tuned layers never see.
SEXUAL_MINORS_ARTEFACT = "builtin_sexual_minors_heads"
#: Violent-extremism, CBRN and dangerous-illegal heads over the stock embedding, trained with template families
#: (attacks and propaganda, CBRN weapons, private people's data) the tuned layers never see.
REQUESTS_ARTEFACT = "builtin_request_heads"


def artefact_file(name: str, directory: Path | None = None) -> Traversable:
    """The file ``name`` of the built-in assessor: from ``directory`` where it holds one, else the package's."""
    if directory is not None and (directory / name).is_file():
        return directory / name
    return resources.files("lastresort.assessors") / "data" / name


def heads_folder(artefact: str, directory: Path | None = None) -> Traversable:
    """Where a head set's two files come from, never mixed: ``directory`` where it holds the weights (then it must
    hold the metadata too: ``ValueError`` otherwise), else the package."""
    if directory is None or not (directory / f"{artefact}.npz").is_file():
        return resources.files("lastresort.assessors") / "data"
    if not (directory / f"{artefact}.json").is_file():
        raise ValueError(f"{directory} holds {artefact}.npz but not {artefact}.json, its thresholds and categories")
    return directory


def mlp(x: np.ndarray, w1: np.ndarray, b1: np.ndarray, w2: np.ndarray, b2: np.ndarray) -> np.ndarray:
    """The heads' forward pass: dense, ReLU, dense, sigmoid."""
    h = np.maximum(x @ w1 + b1, 0.0)
    return np.asarray(1.0 / (1.0 + np.exp(-np.clip(h @ w2 + b2, -30.0, 30.0))))


def calibrate(p: np.ndarray, threshold: np.ndarray | float, target: np.ndarray | float) -> np.ndarray:
    """Piecewise-linear map of probabilities so each head's operating ``threshold`` lands on ``target``.

    ``[0, threshold] -> [0, target]`` and ``[threshold, 1] -> [target, 1]``: monotone, so rankings (and AUPRC)
    are unchanged, while the policy's fixed thresholds become each head's chosen operating point.
    """
    low = p / np.maximum(threshold, 1e-6) * target
    high = target + (p - threshold) / np.maximum(1.0 - threshold, 1e-6) * (1.0 - target)
    return np.asarray(np.clip(np.where(p < threshold, low, high), 0.0, 1.0))


@dataclass(frozen=True)
class Heads:
    categories: tuple[Category, ...]
    w1: np.ndarray
    b1: np.ndarray
    w2: np.ndarray
    b2: np.ndarray
    threshold: np.ndarray  # per category, in probability
    target: np.ndarray  # per category, the policy score the threshold maps to
    meta: dict[str, Any]

    def probabilities(self, x: np.ndarray) -> np.ndarray:
        """``(n, dim)`` embeddings -> ``(n, categories)`` probabilities."""
        return mlp(x, self.w1, self.b1, self.w2, self.b2)

    def scores(self, x: np.ndarray) -> np.ndarray:
        return calibrate(self.probabilities(x), self.threshold, self.target)


def load_heads(artefact: str = ARTEFACT, directory: Path | None = None) -> Heads:
    """A head set by artefact name, its weights and metadata from one place (``heads_folder``)."""
    folder = heads_folder(artefact, directory)
    meta = json.loads((folder / f"{artefact}.json").read_text(encoding="utf-8"))
    with (folder / f"{artefact}.npz").open("rb") as f, np.load(f) as z:
        arrays = {k: z[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2")}
    cats = tuple(Category(c) for c in meta["categories"])
    heads = meta["heads"]
    return Heads(categories=cats, threshold=np.array([heads[c.value]["threshold"] for c in cats], np.float32),
                 target=np.array([heads[c.value]["policy_score"] for c in cats], np.float32), meta=meta, **arrays)
