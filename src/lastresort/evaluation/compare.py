"""Two runs side by side (e.g. two policy configurations, or before and after a new assessor)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from lastresort.evaluation.report import CategoryFigures, Figures, figures

__all__ = ["RunMissing", "load_run", "render_comparison"]


class RunMissing(Exception):
    """A run folder has no readable results."""


def load_run(folder: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """A run's metadata and results, from the folder ``lastresort eval --out`` wrote."""
    results_file, meta_file = folder / "results.jsonl", folder / "run.json"
    if not results_file.is_file():
        raise RunMissing(f"{folder} holds no results.jsonl: give a folder written by 'lastresort eval --out'")
    try:
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        with results_file.open(encoding="utf-8") as f:
            results = [json.loads(line) for line in f if line.strip()]
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise RunMissing(f"{folder}: unreadable run files ({exc})") from None
    return meta, results


def _cell(c: CategoryFigures | None) -> str:
    if c is None:
        return "– | – | –"
    wrong = c.false_endings + (c.crisis_endings if c.expected == "end" else 0)  # counted once each
    return f"{c.share_ended:.0%} | {c.share_before_7:.0%} | {wrong}"


def _delta(a: CategoryFigures | None, b: CategoryFigures | None) -> str:
    if a is None or b is None:
        return "–"
    d = (b.share_ended - a.share_ended) * 100
    return f"{d:+.1f} pp" if d else "0"


def render_comparison(a: tuple[Mapping[str, Any], list[dict[str, Any]]],
                      b: tuple[Mapping[str, Any], list[dict[str, Any]]], *, chart: str | None = None) -> str:
    (meta_a, res_a), (meta_b, res_b) = a, b
    fa, fb = figures(res_a), figures(res_b)
    name_a, name_b = str(meta_a.get("name", "A")), str(meta_b.get("name", "B"))
    lines = [f"# lastresort evaluation: {name_a} vs {name_b}", ""]
    for name, meta in ((name_a, meta_a), (name_b, meta_b)):
        lines.append(f"- **{name}**: assessor `{meta.get('assessor')}`, responder `{meta.get('responder')}`, "
                     f"policy `{meta.get('policy')}`")
    lines += ["", "## Targets", "", f"| target | {name_a} | {name_b} |", "| --- | ---: | ---: |"]
    tb = {t.name: t for t in fb.targets}
    for t in fa.targets:
        other = tb.get(t.name)
        right = f"{other.value} {'PASS' if other.passed else '**FAIL**'}" if other else "–"
        lines.append(f"| {t.name} | {t.value} {'PASS' if t.passed else '**FAIL**'} | {right} |")
    lines += ["", "## Per category", "",
              f"| suite | category | expected | {name_a}: ended | < turn 7 | wrong ends | {name_b}: ended | < turn 7 | "
              "wrong ends | Δ ended |", "| --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |"]
    by_a = _index(fa)
    by_b = _index(fb)
    for key in sorted(by_a.keys() | by_b.keys(), key=lambda k: (k[0] != "simulated", k)):
        ca, cb = by_a.get(key), by_b.get(key)
        lines.append(f"| {key[0]} | {key[1]} | {key[2]} | {_cell(ca)} | {_cell(cb)} | {_delta(ca, cb)} |")
    lines.append("")
    lines.append("_wrong ends_ = false endings + endings on crisis paths.")
    if chart:
        lines += ["", f"![{chart}]({chart})"]
    return "\n".join(lines) + "\n"


def _index(f: Figures) -> dict[tuple[str, str, str], CategoryFigures]:
    return {(c.suite, c.category, c.expected): c for c in f.categories}
