"""Where full crisis support begins: the policy's ``crisis_support_threshold``, chosen on the build's validation split.

Crisis scores from the policy's ``crisis_threshold`` (0.35) up get a reply about risk. Below
``crisis_support_threshold`` the first such signal on a path gets a check-in instead: the message is answered, with one
line offering support and resources. This picks that threshold the way the build picks a harm head's: the lowest
crisis score at which the validation messages that reach it are crisis messages at least ``PRECISION`` of the time,
rounded down to a multiple of 0.05 (towards full support). Check-ins are for risk to self alone, so a message with a
sign of risk to others gets full support at any score.
It runs the shipped built-in assessor, one message at a time as a conversation's first turn, on the validation rows
of the tuned layers' build (decontaminated the same way), and prints the choice and what it does there::

    python -m lastresort.training.support_grade [--data ../shared/datasets] [--out docs/support-grade.md]

Test sets (openai-moderation, XSTest, SimpleSafetyTests, ToxicChat, our written benchmark sets) are never read here,
except to drop training rows near them.
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path

import numpy as np

from lastresort.assessors.builtin import BuiltinAssessor
from lastresort.assessors.encoder import Encoder
from lastresort.core.actions import Action
from lastresort.core.assessment import AssessContext
from lastresort.core.categories import CRISIS
from lastresort.core.policy import Policy, PolicyConfig
from lastresort.core.state import PathState
from lastresort.training.build import HARM_PRECISION, OURS, TUNED_FAMILIES, _validation, decontaminated
from lastresort.training.data import CATEGORIES, load_rows
from lastresort.training.metrics import lowest_with_precision

__all__ = ["PRECISION", "choose", "main"]

#: Full support where at least this share of validation messages scoring as high are crisis messages: the rule of
#: the build's harm heads, for the same reason: a wrong one bothers an ordinary user.
PRECISION = HARM_PRECISION
_CRISIS_COLUMNS = [i for i, c in enumerate(CATEGORIES) if c in CRISIS]


def choose(y: np.ndarray, score: np.ndarray, floor: float, precision: float = PRECISION) -> float:
    """The lowest score at or above ``floor`` where the messages scoring at least as high are positives at least
    ``precision`` of the time (1.0 if none is: nothing is checked in on)."""
    t = lowest_with_precision(y, score, precision, floor)
    return 1.0 if t is None else t


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[3].parent / "shared/datasets")
    parser.add_argument("--seed", type=int, default=20261125, help="the build's seed (template rows, row order)")
    parser.add_argument("--val-fraction", type=float, default=0.15)
    parser.add_argument("--cache", type=Path, default=Path(".cache"))
    parser.add_argument("--out", type=Path, default=None, help="also write the summary here (Markdown)")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"no datasets folder at {args.data}; pass --data")
    rows, _, _ = decontaminated(load_rows(args.data, args.seed, TUNED_FAMILIES), args.data, Encoder(tuned=False),
                                args.cache / "embeddings")
    held = [r for r in rows if _validation(r, args.val_fraction)]
    labels = np.array([[r.labels[i] for i in _CRISIS_COLUMNS] for r in held])
    y = np.where((labels == 1).any(1), 1, np.where((labels == 0).all(1), 0, -1))  # -1: crisis unknown
    known = [r for r, v in zip(held, y, strict=True) if v >= 0]
    y = y[y >= 0]
    assessor = BuiltinAssessor()
    started = time.perf_counter()
    assessments = [assessor.assess(r.text, AssessContext()) for r in known]
    seconds = time.perf_counter() - started
    score = np.array([max(a.score(c) for c in CRISIS) for a in assessments])
    floor = PolicyConfig().crisis_threshold
    chosen = choose(y, score, floor)
    firm = max(floor, math.floor(chosen * 20 + 1e-9) / 20)  # a round setting, towards full support
    # What a chat's first message gets with that threshold (beside abuse, harm or an end request: full support).
    policy = Policy(PolicyConfig(crisis_support_threshold=firm))
    actions = [policy.decide(PathState(), a).action for a in assessments]
    lines = [
        "# Where full crisis support begins",
        "",
        f"`python -m lastresort.training.support_grade`: the shipped built-in assessor on {len(known):,} validation "
        f"rows of the tuned layers' build whose crisis labels are known ({int(y.sum()):,} crisis, "
        f"{int((y == 0).sum()):,} not; {seconds:.0f} s), each as a conversation's first message.",
        "",
        f"Lowest crisis score with precision ≥ {PRECISION} among the messages scoring at least as high: "
        f"{chosen:.4f}; rounded down to a multiple of 0.05, the setting: **{firm:.2f}** (the policy's default "
        f"`crisis_support_threshold` is {PolicyConfig().crisis_support_threshold}).",
        "",
        "| crisis score | crisis messages | other messages |",
        "| --- | --- | --- |",
    ]
    for lo, hi, name in ((floor, firm, f"{floor} to {firm:.2f}"), (firm, 1.01, f"≥ {firm:.2f}"),
                         (0.0, floor, f"< {floor}")):
        band = (score >= lo) & (score < hi)
        lines.append(f"| {name} | {int((band & (y == 1)).sum())} | {int((band & (y == 0)).sum())} |")
    lines += ["", "What each gets as a chat's first message:", "",
              "| decision | crisis messages | other messages |", "| --- | --- | --- |"]
    for action in (Action.CRISIS_SUPPORT, Action.CHECK_IN):
        got = np.array([x is action for x in actions])
        lines.append(f"| `{action.value}` | {int((got & (y == 1)).sum())} | {int((got & (y == 0)).sum())} |")
    checked = [(r, s) for r, s, v, x in zip(known, score, y, actions, strict=True) if v == 1 and x is Action.CHECK_IN]
    lines += ["", "Crisis messages that get a check-in (our own rows quoted; public rows by source only):", ""]
    lines += [f"- {s:.3f} {r.source}" + (f": {r.text}" if r.source in OURS else "") for r, s in checked]
    text = "\n".join(lines) + "\n"
    print(text)
    if args.out is not None:
        args.out.write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
