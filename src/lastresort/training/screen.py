"""Train the built-in assessor's screen: ``python -m lastresort.training.screen [--data ../shared/datasets]``.

The screen (``assessors/screen.py``) decides which messages the encoder may skip. Its teacher is the shipped
learned layer itself: every training row is scored by ``BuiltinAssessor``'s encoder and heads, and the screen
learns to pass on the rows the learned layer flags or comes near flagging (half the policy threshold or more),
and every row a dataset labels harmful or in crisis. Same rows, decontamination and validation split as
``training.build``; nothing from openai-moderation, XSTest, SimpleSafetyTests or ToxicChat.

Each gate is chosen on the validation split for the screen alone (the rule layer's own escalation comes on top):
the highest gate at which the screen passes on at least ``RECALL`` of the rows whose learned score crosses the
policy's threshold (per output: crisis, any other category). Writes ``assessors/data/builtin_screen.{npz,json}``
with the gates, the measured pass-through and the data mapping. Needs PyTorch (the ``train`` extra).
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from lastresort.assessors.builtin import BuiltinAssessor
from lastresort.assessors.encoder import Encoder
from lastresort.assessors.normalize import clip, normalize
from lastresort.assessors.screen import ARTEFACT, BITS, OUTPUTS, features
from lastresort.core.categories import CRISIS, Category
from lastresort.core.policy import PolicyConfig
from lastresort.training.build import OUT, _validation, decontaminated
from lastresort.training.data import CATEGORIES, load_rows

__all__ = ["main"]

#: The screen passes on at least this share of validation rows whose learned score crosses the policy threshold.
RECALL = {"crisis": 1.0, "harm": 0.995}
#: Training targets: a learned score at this fraction of the policy threshold already counts, so the screen
#: learns a margin around the line rather than the line itself.
NEAR = 0.5
EPOCHS, LR, L2, BATCH = 12, 0.05, 1e-6, 256
_CFG = PolicyConfig()


def flag_at(c: Category) -> float:
    if c in CRISIS:
        return _CFG.crisis_threshold
    return _CFG.end_request_ambiguous if c is Category.END_REQUEST else _CFG.harm_threshold


def teacher_scores(texts: list[str], cache: Path) -> np.ndarray:
    """The shipped learned layer's calibrated scores of ``texts`` (screen off), cached by artefact and texts."""
    data = Path(__file__).resolve().parent.parent / "assessors" / "data"
    digest = hashlib.sha256()
    for name in ("builtin_encoder.npz", "builtin_heads.npz", "builtin_crisis_heads.npz"):
        digest.update((data / name).read_bytes())
    for t in texts:
        digest.update(t.encode())
    path = cache / f"teacher-{digest.hexdigest()[:16]}.npy"
    if path.exists():
        return np.load(path)
    assessor = BuiltinAssessor(Encoder(), screen=None)
    out = np.concatenate([assessor.learned_scores(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    cache.mkdir(parents=True, exist_ok=True)
    np.save(path, out)
    return out


def targets(scores: np.ndarray, labels: np.ndarray, categories: tuple[Category, ...], level: float) -> np.ndarray:
    """``(n, 2)``: whether the learned layer reaches ``level`` x the policy threshold (crisis; any other), or a
    dataset labels the row positive there."""
    line = np.array([flag_at(c) * level for c in categories])
    over = scores >= line
    crisis = np.array([c in CRISIS for c in categories])
    labelled = labels == 1
    gold_crisis = np.array([c in CRISIS for c in CATEGORIES])
    return np.stack([over[:, crisis].any(1) | labelled[:, gold_crisis].any(1),
                     over[:, ~crisis].any(1) | labelled[:, ~gold_crisis].any(1)], axis=1)


def train(idx: list[np.ndarray], y: np.ndarray, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """Logistic regression over hashed n-grams (sum of bucket weights / sqrt(count)), one logit per output."""
    import torch

    torch.manual_seed(seed)
    rng = np.random.default_rng(seed)
    bag = torch.nn.EmbeddingBag(1 << BITS, len(OUTPUTS), mode="sum")
    torch.nn.init.zeros_(bag.weight)
    bias = torch.nn.Parameter(torch.zeros(len(OUTPUTS)))
    opt = torch.optim.Adam([bag.weight, bias], lr=LR)
    pos = torch.tensor(y.mean(0), dtype=torch.float32).clamp(1e-3, 1 - 1e-3)
    loss_fn = torch.nn.BCEWithLogitsLoss(pos_weight=(1 - pos) / pos)  # both classes weigh the same in total
    yt = torch.tensor(y, dtype=torch.float32)
    for _ in range(EPOCHS):
        perm = rng.permutation(len(idx))
        for start in range(0, len(idx), BATCH):
            b = perm[start:start + BATCH]
            flat = torch.tensor(np.concatenate([idx[i] for i in b]))
            offsets = torch.tensor(np.r_[0, np.cumsum([len(idx[i]) for i in b])[:-1]])
            scale = torch.tensor(np.concatenate([np.full(len(idx[i]), 1 / np.sqrt(max(len(idx[i]), 1)))
                                                 for i in b]), dtype=torch.float32)
            logits = bag(flat, offsets, per_sample_weights=scale) + bias
            loss = loss_fn(logits, yt[b]) + L2 * bag.weight.pow(2).sum()
            opt.zero_grad()
            loss.backward()
            opt.step()
    return bag.weight.detach().numpy().copy(), bias.detach().numpy().copy()


def logits_of(idx: list[np.ndarray], weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    return np.stack([bias + weights[i].sum(0) / np.sqrt(max(len(i), 1)) for i in idx])


def choose_gate(logit: np.ndarray, must: np.ndarray, recall: float) -> float:
    """The highest gate that keeps at least ``recall`` of the ``must`` rows at or above it."""
    kept = np.sort(logit[must])[::-1]
    if kept.size == 0:
        return float(logit.min())
    k = int(np.ceil(recall * kept.size)) - 1
    return float(kept[min(max(k, 0), kept.size - 1)])


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3].parent / "shared/datasets")
    parser.add_argument("--seed", type=int, default=20261128)
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cache", type=Path, default=Path(".cache"))
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"no datasets folder at {args.data}; pass --data")
    build_meta = json.loads((OUT / "builtin_heads.json").read_text(encoding="utf-8"))
    rows, dropped, _ = decontaminated(load_rows(args.data, build_meta["seed"]), args.data, Encoder(tuned=False),
                                      args.cache / "embeddings")
    is_val = np.array([_validation(r, build_meta["val_fraction"]) for r in rows])
    texts = [r.text for r in rows]
    scores = teacher_scores(texts, args.cache / "screen")
    categories = tuple(Category(c) for c in build_meta["categories"])
    labels = np.array([r.labels for r in rows], dtype=np.int8)
    y = targets(scores, labels, categories, NEAR)
    must = targets(scores, np.zeros_like(labels), categories, 1.0)  # the learned layer's own flags
    idx = [features(normalize(clip(t))) for t in texts]
    weights, bias = train([i for i, v in zip(idx, is_val, strict=True) if not v], y[~is_val], args.seed)
    val_idx = [i for i, v in zip(idx, is_val, strict=True) if v]
    lv = logits_of(val_idx, weights, bias)
    gates: dict[str, Any] = {}
    passing = np.zeros(len(val_idx), dtype=bool)
    for k, name in enumerate(OUTPUTS):
        gate = choose_gate(lv[:, k], must[is_val][:, k], RECALL[name])
        passes = lv[:, k] >= gate
        passing |= passes
        gates[name] = {"logit": round(gate, 4), "recall_target": RECALL[name],
                       "validation_flags": int(must[is_val][:, k].sum()),
                       "validation_flags_passed": int((passes & must[is_val][:, k]).sum())}
    quiet = ~must[is_val].any(1)
    sources = np.array([r.source for r in rows])[is_val]
    per_source = {s: round(float(passing[quiet & (sources == s)].mean()), 3)
                  for s in sorted(set(sources)) if (quiet & (sources == s)).sum() >= 20}
    args.out.mkdir(parents=True, exist_ok=True)
    weights_file = args.out / f"{ARTEFACT}.npz"
    np.savez_compressed(weights_file, weights=weights.astype(np.float16), bias=bias.astype(np.float32))
    meta = {
        "bits": BITS, "outputs": list(OUTPUTS),
        "features": "normalize(clip(text)): byte 3- and 5-grams (FNV-1a) and word uni-/bigrams (CRC-32), "
                    "Knuth-mixed into 2**bits buckets; logit = bias + sum(weights) / sqrt(count)",
        "teacher": {"what": "the shipped learned layer (builtin_encoder, builtin_heads, builtin_crisis_heads)",
                    "weights_sha256": build_meta["weights_sha256"],
                    "target": f"learned score >= {NEAR} x the policy threshold, or a dataset label 1 "
                              "(crisis: self_harm_risk, harm_to_others_risk; harm: every other category)"},
        "training": {"seed": args.seed, "epochs": EPOCHS, "lr": LR, "l2": L2, "batch": BATCH,
                     "rows": int((~is_val).sum()), "positives": {o: int(y[~is_val][:, k].sum())
                                                                for k, o in enumerate(OUTPUTS)}},
        "gates": gates,
        "validation": {"rows": int(is_val.sum()),
                       "passed_when_learned_layer_is_quiet": round(float(passing[quiet].mean()), 4),
                       "passed_when_quiet_by_source": per_source},
        "data": "as builtin_heads.json (same rows, same split, same decontamination: "
                f"{len(dropped)} rows dropped)",
        "sources": dict(Counter(r.source for r in rows)),
        "weights_sha256": hashlib.sha256(weights_file.read_bytes()).hexdigest(),
    }
    (args.out / f"{ARTEFACT}.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(json.dumps({k: meta[k] for k in ("gates", "validation")}, indent=2))
    print(f"wrote {weights_file} ({weights_file.stat().st_size // 1024} KiB) and {ARTEFACT}.json")


if __name__ == "__main__":
    main()
