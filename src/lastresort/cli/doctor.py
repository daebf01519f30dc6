"""``lastresort doctor``: verify a database against a fresh fold of every path."""

from __future__ import annotations

import typer
from rich.markup import escape

from lastresort.cli.app import DatabaseUrl, app, console, load_settings, open_service


@app.command()
def doctor(database_url: DatabaseUrl = None) -> None:
    """Check that every cached path state equals a fresh fold, and that no message hangs off an ended path.

    Exits 1 if any problem is found.

    Examples:

        lastresort doctor

        lastresort doctor --database-url postgresql+psycopg://postgres@127.0.0.1/test
    """
    from lastresort.doctor import check

    service = open_service(load_settings(database_url))
    report = check(service.store, service.policy)
    for p in report.problems[:200]:
        console.print(f"[red]{p.kind}[/red] conversation {p.conversation_id} message {p.message_id}: "
                      f"{escape(p.detail)}")
    status = "[green]ok[/green]" if report.ok else f"[red]{len(report.problems)} problem(s)[/red]"
    console.print(f"{report.conversations} conversations, {report.messages} messages, "
                  f"{report.unanswered} awaiting a reply: {status}")
    if not report.ok:
        raise typer.Exit(1)
