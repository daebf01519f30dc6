"""``lastresort replay``: scripted conversations through the service on a throw-away store."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.markup import escape

from lastresort.cli.app import app, err, fail, open_service
from lastresort.config import Settings


@app.command()
def replay(
    input_path: Annotated[Path, typer.Argument(metavar="IN.jsonl", allow_dash=True,
                                               help='Input: {"id", "turns"} per line; - for stdin.')],
    output: Annotated[Path | None, typer.Option("-o", "--output",
                                                help="Write results here (default: stdout).")] = None,
) -> None:
    """Replay scripted conversations through the service on a throw-away store.

    Each output line: {"id", "ended", "ended_at", "end_reason", "actions"}; turns after an end are "locked".

    Examples:

        lastresort replay conversations.jsonl -o results.jsonl
    """
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    from lastresort.replay import replay_lines

    if str(input_path) != "-" and not input_path.is_file():
        raise fail(f"no such file: {input_path}")
    errors = 0
    with tempfile.TemporaryDirectory(prefix="lastresort-replay-") as tmp:
        settings = Settings.from_env(database_url=f"sqlite:///{tmp}/replay.db")
        service = open_service(settings, durable=False)
        source = sys.stdin if str(input_path) == "-" else input_path.open(encoding="utf-8", errors="strict")
        sink = output.open("w", encoding="utf-8") if output else sys.stdout
        total = None
        if source is not sys.stdin and err.is_terminal:
            with input_path.open("rb") as f:
                total = sum(1 for line in f if line.strip())
        progress = Progress(TextColumn("replay"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                            console=err, disable=not err.is_terminal)
        try:
            with progress:
                task = progress.add_task("replay", total=total)
                for result in replay_lines(service, source):
                    if "error" in result:
                        errors += 1
                        err.print(f"[red]error:[/red] {escape(str(result['error']))}")
                    sink.write(json.dumps(result, ensure_ascii=False) + "\n")
                    progress.advance(task)
        except UnicodeDecodeError as exc:
            raise fail(f"{input_path} is not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
        finally:
            if source is not sys.stdin:
                source.close()
            if output:
                sink.close()
            service.store.close()
    if errors:
        err.print(f"{errors} line(s) could not be replayed")
        raise typer.Exit(1)
