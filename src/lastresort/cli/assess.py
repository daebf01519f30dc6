"""``lastresort assess``: per-category scores and the policy's decision for single messages."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.markup import escape
from rich.table import Table

from lastresort.cli.app import app, console, err, fail, load_settings
from lastresort.core.assessment import Assessment
from lastresort.core.categories import Category
from lastresort.core.policy import Policy
from lastresort.core.state import PathState


def _decide(assessment: Assessment) -> dict[str, Any]:
    """What the policy would do with this message as the first turn of a fresh conversation."""
    decision = Policy().decide(PathState(), assessment)
    return {"action": decision.action.value, "category": decision.category.value if decision.category else None,
            "explanation": decision.explanation}


def _record(text: str, assessment: Assessment, **extra: Any) -> dict[str, Any]:
    return {**extra, "text": text, **assessment.to_dict(), "decision": _decide(assessment)}


@app.command()
def assess(
    text: Annotated[str | None, typer.Argument(help="The message to assess.")] = None,
    jsonl: Annotated[Path | None, typer.Option("--jsonl", allow_dash=True, help='Assess every line of FILE: a JSON '
                                               'string or {"text": ..., "id": ...}; - for stdin. Prints JSON lines.')]
    = None,
    assessor: Annotated[str | None, typer.Option(help="Assessor name (default: LASTRESORT_ASSESSOR).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON for a single message too.")] = False,
) -> None:
    """Print per-category scores and the policy's decision (as the first turn of a new conversation).

    Examples:

        lastresort assess "how do I kill a Python process?"

        lastresort assess --jsonl messages.jsonl > scored.jsonl
    """
    from lastresort.errors import LastResortError
    from lastresort.plugins import get_assessor

    if (text is None) == (jsonl is None):
        raise fail('give a message or --jsonl FILE (not both), e.g. lastresort assess "hello"')
    if text is not None and not text.strip():
        # the API never accepts a blank message either: scoring one would only hide an empty shell variable
        raise fail('the message is blank: nothing to assess (e.g. lastresort assess "hello")')
    settings = load_settings(assessor=assessor)
    try:
        judge = get_assessor(settings)
    except LastResortError as exc:
        raise fail(exc.message) from None
    from lastresort.core.assessment import AssessContext

    if text is not None:
        try:
            result = judge.assess(text, AssessContext())
        except LastResortError as exc:
            raise fail(exc.message, code=1) from None
        record = _record(text, result)
        if as_json:
            sys.stdout.write(json.dumps(record, ensure_ascii=False) + "\n")
            return
        table = Table("category", "score", title=f"{judge.name}: {record['decision']['action']}")
        for c in Category:
            score = result.score(c)
            table.add_row(c.value, f"[bold]{score:.2f}[/bold]" if score >= 0.35 else f"{score:.2f}")
        console.print(table)
        for reason in result.reasons:
            console.print(f"  - {escape(reason)}")
        console.print(escape(record["decision"]["explanation"]))
        return
    assert jsonl is not None
    if str(jsonl) != "-" and not jsonl.is_file():
        raise fail(f"no such file: {jsonl}")
    errors = 0
    source = sys.stdin if str(jsonl) == "-" else jsonl.open(encoding="utf-8")
    try:
        for number, line in enumerate(source, 1):
            if not line.strip():
                continue
            try:
                item = json.loads(line)
                message, ident = (item, None) if isinstance(item, str) else (item["text"], item.get("id"))
                if not isinstance(message, str):
                    raise TypeError
            except (json.JSONDecodeError, KeyError, TypeError):
                errors += 1
                sys.stdout.write(json.dumps({"line": number, "error": 'expected a JSON string or {"text": ...}'})
                                 + "\n")
                continue
            if not message.strip():
                errors += 1
                sys.stdout.write(json.dumps({"line": number, **({"id": ident} if ident is not None else {}),
                                             "error": "the text is blank: nothing to assess"}) + "\n")
                continue
            try:
                out = _record(message, judge.assess(message, AssessContext()), line=number,
                              **({"id": ident} if ident is not None else {}))
            except LastResortError as exc:
                errors += 1
                out = {"line": number, "error": exc.message}
            sys.stdout.write(json.dumps(out, ensure_ascii=False) + "\n")
    except UnicodeDecodeError as exc:
        raise fail(f"{jsonl} is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    finally:
        if source is not sys.stdin:
            source.close()
    if errors:
        err.print(f"{errors} line(s) could not be assessed")
        raise typer.Exit(1)
