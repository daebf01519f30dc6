"""PNG charts of a run (and of a comparison), drawn with matplotlib from the ``eval`` extra.

matplotlib is imported only here and only when a chart is drawn, so the service never needs it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from lastresort.evaluation.report import BEFORE_TURN, Figures

__all__ = ["ChartsUnavailable", "comparison_chart", "run_charts"]

_COLOURS = {"end": "#c0392b", "crisis": "#8e44ad", "no_end": "#2e86c1"}


class ChartsUnavailable(Exception):
    """matplotlib is not installed."""


def _pyplot() -> Any:
    try:
        import matplotlib

        matplotlib.use("Agg")  # files only, no display
        import matplotlib.pyplot as plt
    except ImportError:
        raise ChartsUnavailable("charts need matplotlib: pip install 'lastresort[eval]'") from None
    return plt


def run_charts(figs: Figures, results: Sequence[Mapping[str, Any]], folder: Path) -> list[str]:
    """Draw the run's charts into ``folder``; returns their file names."""
    plt = _pyplot()
    folder.mkdir(parents=True, exist_ok=True)
    cats = figs.categories
    labels = [f"{c.category} ({c.expected})" for c in cats]
    fig, ax = plt.subplots(figsize=(10, 0.28 * len(cats) + 1.5))
    y = range(len(cats))
    ax.barh([i + 0.2 for i in y], [c.share_ended * 100 for c in cats], height=0.4,
            color=[_COLOURS[c.expected] for c in cats], label="ended")
    ax.barh([i - 0.2 for i in y], [c.share_before_7 * 100 for c in cats], height=0.4, color="#7f8c8d",
            label=f"ended before turn {BEFORE_TURN}")
    ax.set_yticks(list(y), labels, fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of conversations")
    ax.set_title("Conversations ended, per category (colour: expected outcome)")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "ended-by-category.png", dpi=110)
    plt.close(fig)

    turns = [r["ended_at"] for r in results if "error" not in r and r["ended"] and r["expected"] == "end"]
    fig, ax = plt.subplots(figsize=(6, 3.5))
    if turns:
        ax.hist(turns, bins=range(1, max(turns) + 2), align="left", color=_COLOURS["end"], rwidth=0.85)
    ax.axvline(BEFORE_TURN - 0.5, color="#7f8c8d", linestyle="--", label=f"turn {BEFORE_TURN}")
    ax.set_xlabel("user turn of the end")
    ax.set_ylabel("conversations")
    ax.set_title("When expected endings happened")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "end-turns.png", dpi=110)
    plt.close(fig)
    return ["ended-by-category.png", "end-turns.png"]


def comparison_chart(a: Figures, b: Figures, names: tuple[str, str], folder: Path) -> str:
    plt = _pyplot()
    folder.mkdir(parents=True, exist_ok=True)
    keys = sorted({(c.suite, c.category, c.expected) for f in (a, b) for c in f.categories})
    share = [{(c.suite, c.category, c.expected): c.share_ended * 100 for c in f.categories} for f in (a, b)]
    fig, ax = plt.subplots(figsize=(10, 0.28 * len(keys) + 1.5))
    y = range(len(keys))
    for offset, values, name, colour in ((0.2, share[0], names[0], "#2e86c1"), (-0.2, share[1], names[1], "#e67e22")):
        ax.barh([i + offset for i in y], [values.get(k, 0.0) for k in keys], height=0.4, color=colour, label=name)
    ax.set_yticks(list(y), [f"{k[1]} ({k[2]})" for k in keys], fontsize=7)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of conversations ended")
    ax.set_title("Conversations ended, per category")
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(folder / "compare-ended.png", dpi=110)
    plt.close(fig)
    return "compare-ended.png"
