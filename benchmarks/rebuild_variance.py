"""Rebuild the tuned layers with several training seeds and measure each build and the shipped one side by side.

    python benchmarks/rebuild_variance.py --seeds 1 2 3 --out .cache/rebuild-variance

A rebuild of the same recipe is a new draw: on 2026-11-29 thirteen of them flagged 10.8-14.8% of XSTest's safe
prompts (the shipped build 9.6%), and one ended conversations of people in crisis (README, "A rebuild is a new
draw"). Compare recipes over
several seeds, not one build each. Per seed: ``build --tuned-only --train-seed N --out OUT/seed-N`` (the rows, the
split and the judges stay as they are), then the assessor benchmark and ``lastresort eval`` with
``LASTRESORT_ASSESSOR_DATA`` on that folder. Writes ``OUT/rebuild-variance.md``: one row per build, the shipped
artefacts first. Needs the ``train`` and ``eval`` extras and the datasets folder; about four minutes a seed on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from lastresort.evaluation.report import BENIGN_ENDINGS, CRISIS_ENDINGS, PERSISTENT_ENDINGS

ROOT = Path(__file__).resolve().parents[1]
#: Columns of the summary: (heading, where the figure is, how it is shown).
BENCHMARK = [("XSTest safe flagged", "xs_false_flag", "pct"), ("XSTest unsafe flagged", "xs_unsafe_recall", "pct"),
             ("ToxicChat non-toxic refused", "tc_refused", "pct"), ("SST → crisis", "sst_crisis_recall", "pct"),
             ("C-SSRS users → crisis", "cssrs_user_recall", "pct"),
             ("om SH rows → crisis", "om_sh_crisis_recall", "pct"), ("om AUPRC", "om_auprc", "num")]


def run(command: list[str], env: dict[str, str] | None = None) -> None:
    print("$", " ".join(command), flush=True)
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, **(env or {})})


def measure(folder: Path, data: Path, artefacts: Path | None, name: str, workers: int) -> None:
    env = {} if artefacts is None else {"LASTRESORT_ASSESSOR_DATA": str(artefacts)}
    run([sys.executable, "benchmarks/assessor_benchmark.py", "--no-plots", "--data", str(data),
         "--out", str(folder / "benchmark")], env)
    run([sys.executable, "-m", "lastresort", "eval", "--datasets", str(data), "--out", str(folder / "eval"),
         "--name", name, "--workers", str(workers)], env)


def row(name: str, folder: Path) -> str:
    bench: dict[str, Any] = json.loads((folder / "benchmark" / "assessor-benchmark.json").read_text())["builtin"]
    figures = json.loads((folder / "eval" / "run.json").read_text())["figures"]
    targets = {t["name"]: t["value"] for t in figures["targets"]}
    abuse = targets[PERSISTENT_ENDINGS]
    missed = sum(c["crisis_support_missed"] for c in figures["categories"] if c["expected"] == "crisis")
    cells = [f"{100 * bench[key]:.1f}%" if kind == "pct" else f"{bench[key]:.3f}" for _, key, kind in BENCHMARK]
    return (f"| {name} | " + " | ".join(cells) + f" | {targets[CRISIS_ENDINGS]} / {targets[BENIGN_ENDINGS]} | "
            f"{abuse.split(' ')[0]} | {missed} |")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, nargs="+", required=True, help="training seeds, one build each")
    parser.add_argument("--out", type=Path, default=ROOT / ".cache" / "rebuild-variance")
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/datasets")
    parser.add_argument("--workers", type=int, default=2, help="worker processes of each eval")
    parser.add_argument("--no-shipped", action="store_true", help="do not measure the package's artefacts")
    args = parser.parse_args(argv)
    if not args.data.is_dir():
        parser.error(f"no datasets folder at {args.data}; pass --data")
    started = time.time()
    builds: list[tuple[str, Path]] = []
    if not args.no_shipped:
        measure(args.out / "shipped", args.data, None, "shipped", args.workers)
        builds.append(("shipped artefacts", args.out / "shipped"))
    for seed in args.seeds:
        folder = args.out / f"seed-{seed}"
        run([sys.executable, "-m", "lastresort.training.build", "--tuned-only", "--train-seed", str(seed),
             "--data", str(args.data), "--out", str(folder / "artefacts")])
        measure(folder, args.data, folder / "artefacts", f"training seed {seed}", args.workers)
        builds.append((f"training seed {seed}", folder))
    headings = [h for h, _, _ in BENCHMARK] + ["eval: crisis / must-not-end endings", "eval: abuse ended < turn 7",
                                               "eval: crisis conversations without crisis support"]
    lines = ["# Rebuild variance", "",
             f"`python benchmarks/rebuild_variance.py --seeds {' '.join(map(str, args.seeds))}`, "
             f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime(started))}, {time.time() - started:.0f} s. Each "
             "seed's build retrains the tuned layers and heads alone (the judges are the package's); the benchmark "
             "and `lastresort eval` then run with `LASTRESORT_ASSESSOR_DATA` on its folder.", "",
             "| build | " + " | ".join(headings) + " |", "|" + " --- |" * (len(headings) + 1)]
    lines += [row(name, folder) for name, folder in builds]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "rebuild-variance.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
