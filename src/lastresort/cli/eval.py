"""``lastresort eval``: run the evaluation suites through the service and write a report, or compare two runs."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.markup import escape

from lastresort.cli.app import app, console, err, fail

if TYPE_CHECKING:  # the harness is imported only when the command runs
    from lastresort.evaluation.report import Target
    from lastresort.evaluation.runner import EvalSetup

DEFAULT_DATASETS = Path("../shared/datasets")


@app.command(name="eval")
def eval_command(
    out: Annotated[Path, typer.Option("-o", "--out", help="Folder for results.jsonl, run.json, report.md and "
                                      "charts.")] = Path("eval-report"),
    suite: Annotated[list[str] | None, typer.Option(
        "--suite", help="simulated, datasets, or a JSONL file of {id, category, expected, turns}; repeatable "
        "(default: simulated and datasets).")] = None,
    datasets: Annotated[Path, typer.Option("--datasets", envvar="LASTRESORT_DATASETS",
                                           help="Folder of the public datasets (convabuse/, xstest/, …).")]
    = DEFAULT_DATASETS,
    name: Annotated[str | None, typer.Option("--name", help="Name of the run in reports.")] = None,
    workers: Annotated[int | None, typer.Option("--workers", min=1, help="Worker processes (default: cores, "
                                                "at most 8).")] = None,
    policy_set: Annotated[list[str] | None, typer.Option("--set", help="Policy setting NAME=VALUE, e.g. "
                                                         "warnings_before_end=2; repeatable.")] = None,
    assessor: Annotated[str | None, typer.Option("--assessor", help="Assessor plugin (default: settings).")] = None,
    responder: Annotated[str | None, typer.Option("--responder", help="Responder plugin (default: settings).")]
    = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the simulated-user generator.")] = 7,
    per_category: Annotated[int | None, typer.Option("--per-category", min=1, help="Run at most N conversations "
                                                     "per category (a quick look).")] = None,
    compare: Annotated[tuple[Path, Path] | None, typer.Option("--compare", help="Compare two run folders side "
                                                              "by side instead of running.")] = None,
    write_suites: Annotated[bool, typer.Option("--write-suites", help="Write the suites as JSONL into --out "
                                               "and stop.")] = False,
    simulated_by: Annotated[str | None, typer.Option(
        "--simulated-by", help="Live study: this responder (e.g. an LLM provider) plays the users, each "
        "conversation opening with its suite's first turn.")] = None,
    live_turns: Annotated[int, typer.Option("--live-turns", min=1, help="User turns per live conversation.")] = 8,
    check: Annotated[bool, typer.Option("--check", help="Exit 1 if a target fails.")] = False,
    check_safety: Annotated[bool, typer.Option(
        "--check-safety", help="Exit 1 if a safety target fails: an ending on a crisis path, on a benign suite or "
        "without a warning, or a conversation that failed to run (the check for rebuilt assessor artefacts, "
        "with LASTRESORT_ASSESSOR_DATA).")] = False,
) -> None:
    """Run simulated users and public dialogue suites through the service; write a Markdown report with charts.

    Every conversation takes the service code path of `lastresort replay` on throw-away SQLite stores, one per
    worker process. Targets (0 endings on crisis paths, 0 on benign suites, ≥ 95% of persistent abuse/harm
    ended before turn 7, no end without a warning unless asked) are printed with pass/fail.

    Examples:

        lastresort eval --out eval-report
        lastresort eval --suite simulated --set warnings_before_end=2 --out strict --name strict
        lastresort eval --compare eval-report strict --out compare
    """
    if compare is not None:
        _compare(compare, out)
        return
    from lastresort.evaluation import runner

    try:
        setup = runner.EvalSetup(assessor=assessor, responder=responder,
                                 policy=runner.parse_policy_overrides(policy_set or []),
                                 simulated_by=simulated_by, live_turns=live_turns)
    except (ValueError, TypeError) as exc:
        raise fail(escape(str(exc))) from None
    conversations, names, notes = _load_suites(suite, datasets, seed)
    if per_category:
        conversations = _sample(conversations, per_category)
        notes.append(f"a sample: at most {per_category} conversation(s) per category (--per-category)")
    if not conversations:
        raise fail("no conversations to run")
    out.mkdir(parents=True, exist_ok=True)
    if write_suites:
        _write_suites(conversations, out)
        return
    _check_plugins(setup)
    n_workers = workers or runner.default_workers()
    started = datetime.now(UTC)
    clock = time.perf_counter()
    results = _run(conversations, setup, n_workers)
    seconds = time.perf_counter() - clock
    meta: dict[str, Any] = {"name": name or out.name, "started": started.strftime("%Y-%m-%d %H:%M UTC"),
                            "seconds": round(seconds, 1), "workers": n_workers, "suites": names, "seed": seed,
                            "notes": notes, **_version(), **setup.describe()}
    targets = _write_run(out, meta, results)
    if (check and not all(t.passed for t in targets)) or (
            check_safety and not all(t.passed for t in targets if t.safety)):
        raise typer.Exit(1)


def _load_suites(requested: list[str] | None, datasets: Path, seed: int) -> tuple[list[Any], list[str], list[str]]:
    from lastresort.evaluation import datasets as ds
    from lastresort.evaluation import simulated
    from lastresort.evaluation.suite import SuiteError, read_suite

    conversations: list[Any] = []
    names: list[str] = []
    notes: list[str] = []
    for item in requested or ["simulated", "datasets"]:
        if item == "simulated":
            conversations.extend(simulated.generate(seed))
            names.append(f"simulated (seed {seed})")
        elif item == "datasets":
            try:
                built, missing = ds.build(datasets)
            except ds.DatasetsMissing as exc:
                if requested:  # asked for by name: a missing folder is an error
                    raise fail(escape(str(exc))) from None
                notes.append(f"dataset suites skipped: {exc}")
                err.print(f"[yellow]warning:[/yellow] {escape(str(exc))}")
                continue
            for message in missing:
                notes.append(f"dataset suite skipped: {message}")
                err.print(f"[yellow]warning:[/yellow] dataset suite skipped: {escape(message)}")
            conversations.extend(built)
            names.append("datasets")
        else:
            path = Path(item)
            if not path.is_file():
                raise fail(escape(f"--suite {item!r}: not 'simulated', 'datasets' or an existing JSONL file"))
            try:
                conversations.extend(read_suite(path, suite=path.stem))
            except (SuiteError, UnicodeDecodeError) as exc:
                raise fail(escape(str(exc))) from None
            names.append(path.name)
    ids = [c.id for c in conversations]
    if len(set(ids)) != len(ids):
        dupes = sorted({i for i in ids if ids.count(i) > 1})[:5]
        raise fail(escape(f"conversation ids must be unique across suites; repeated: {', '.join(dupes)}"))
    return conversations, names, notes


def _write_suites(conversations: list[Any], out: Path) -> None:
    from collections import defaultdict

    from lastresort.evaluation.suite import write_suite

    by_suite: dict[str, list[Any]] = defaultdict(list)
    for c in conversations:
        by_suite[c.suite].append(c)
    for suite_name, items in by_suite.items():
        path = out / f"{suite_name}.jsonl"
        console.print(f"{write_suite(path, items)} conversations -> {path}")


def _sample(conversations: list[Any], n: int) -> list[Any]:
    seen: dict[tuple[str, str], int] = {}
    kept = []
    for c in conversations:
        key = (c.suite, c.category)
        if seen.get(key, 0) < n:
            seen[key] = seen.get(key, 0) + 1
            kept.append(c)
    return kept


def _check_plugins(setup: EvalSetup) -> None:
    from lastresort.errors import LastResortError
    from lastresort.plugins import get_assessor, get_responder

    settings = setup.settings("sqlite://")
    try:
        get_assessor(settings)
        get_responder(settings)
        setup.simulated_user()
    except LastResortError as exc:
        raise fail(escape(exc.message)) from None


def _run(conversations: list[Any], setup: EvalSetup, workers: int) -> list[dict[str, Any]]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    from lastresort.evaluation import runner

    by_id: dict[str, dict[str, Any]] = {}
    progress = Progress(TextColumn("eval"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                        TimeRemainingColumn(), console=err, disable=not err.is_terminal)
    with progress:
        task = progress.add_task("eval", total=len(conversations))
        for result in runner.run(conversations, setup, workers=workers,
                                 on_done=lambda n: progress.advance(task, n)):
            by_id[result["id"]] = result
    return [by_id[c.id] for c in conversations]  # input order, whatever order the workers finished in


def _version() -> dict[str, str]:
    from lastresort._version import __version__

    return {"version": __version__}


def _write_run(out: Path, meta: dict[str, Any], results: list[dict[str, Any]]) -> list[Target]:
    """Write the run's files and print its targets; the targets (``report.Target``)."""
    from lastresort.evaluation import report
    from lastresort.evaluation.charts import ChartsUnavailable, run_charts

    with (out / "results.jsonl").open("w", encoding="utf-8") as f:
        for r in results:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")
    figs = report.figures(results)
    try:
        charts = run_charts(figs, results, out)
    except ChartsUnavailable as exc:
        charts = []
        meta["notes"] = [*meta.get("notes", []), f"no charts: {exc}"]
        err.print(f"[yellow]warning:[/yellow] {escape(str(exc))}")
    (out / "run.json").write_text(json.dumps({**meta, "figures": figs.to_dict()}, indent=1, ensure_ascii=False)
                                  + "\n", encoding="utf-8")
    (out / "report.md").write_text(report.render_markdown(figs, results, meta, charts=charts), encoding="utf-8")
    _print_targets(figs)
    console.print(f"{figs.totals['conversations']} conversations, {figs.totals['turns']} turns in "
                  f"{meta['seconds']:.0f} s; report: {out / 'report.md'}")
    return list(figs.targets)


def _print_targets(figs: Any) -> None:
    from rich.table import Table

    table = Table(title="targets")
    table.add_column("target")
    table.add_column("measured", justify="right")
    table.add_column("result")
    for t in figs.targets:
        table.add_row(t.name, t.value, "[green]PASS[/green]" if t.passed else "[red]FAIL[/red]")
    console.print(table)


def _compare(folders: tuple[Path, Path], out: Path) -> None:
    from lastresort.evaluation.charts import ChartsUnavailable, comparison_chart
    from lastresort.evaluation.compare import RunMissing, load_run, render_comparison
    from lastresort.evaluation.report import figures

    try:
        a, b = load_run(folders[0]), load_run(folders[1])
    except RunMissing as exc:
        raise fail(escape(str(exc))) from None
    for folder, (meta, _) in zip(folders, (a, b), strict=True):
        meta.setdefault("name", folder.name)
    if a[0]["name"] == b[0]["name"]:
        a[0]["name"], b[0]["name"] = str(folders[0]), str(folders[1])
    out.mkdir(parents=True, exist_ok=True)
    try:
        chart: str | None = comparison_chart(figures(a[1]), figures(b[1]), (a[0]["name"], b[0]["name"]), out)
    except ChartsUnavailable as exc:
        chart = None
        err.print(f"[yellow]warning:[/yellow] {escape(str(exc))}")
    (out / "compare.md").write_text(render_comparison(a, b, chart=chart), encoding="utf-8")
    console.print(f"comparison: {out / 'compare.md'}")


__all__ = ["eval_command"]
