"""The ``lastresort`` command line. Docs: README.md and docs/cli.md."""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.panel import Panel

from lastresort._version import __version__
from lastresort.config import Settings
from lastresort.errors import ConversationEnded, LastResortError

app = typer.Typer(help="lastresort: a chat service that ends a conversation only as a last resort.",
                  no_args_is_help=True, add_completion=False)
users_app = typer.Typer(help="Manage API users.", no_args_is_help=True)
app.add_typer(users_app, name="users")

console = Console()
err = Console(stderr=True)

DatabaseUrl = Annotated[str | None, typer.Option("--database-url", envvar="LASTRESORT_DATABASE_URL",
                                                  help="SQLite file (sqlite:///FILE) or postgresql+psycopg://…")]

_ACTION_STYLE = {
    "answer": "green", "refuse": "yellow", "redirect": "yellow", "warn": "bold red",
    "crisis_support": "bold magenta", "confirm_end": "cyan", "end": "bold white on red",
}


def _settings(database_url: str | None, **overrides: object) -> Settings:
    try:
        return Settings.from_env(database_url=database_url, **overrides)
    except LastResortError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from None


def _open(settings: Settings, *, durable: bool = True):  # type: ignore[no-untyped-def]
    from lastresort.bootstrap import open_service

    try:
        return open_service(settings, durable=durable)
    except LastResortError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from None


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseUrl = None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs).

    Examples:

        lastresort serve

        LASTRESORT_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test lastresort serve --port 9000
    """
    import uvicorn

    from lastresort.api.app import create_app

    settings = _settings(database_url)
    api = create_app(service=_open(settings))
    err.print(f"lastresort {__version__} on http://{host}:{port} (docs at /docs), database {settings.database_url}")
    uvicorn.run(api, host=host, port=port, log_level="info")


@users_app.command("add")
def users_add(
    name: Annotated[str, typer.Argument(help="The user's unique name.")],
    role: Annotated[str, typer.Option(help="user or operator.")] = "user",
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user and print their bearer token (shown once).

    Examples:

        lastresort users add alice
    """
    service = _open(_settings(database_url))
    try:
        user, token = service.add_user(name, role)
    except LastResortError as exc:
        err.print(f"[red]error:[/red] {exc.message}")
        raise typer.Exit(2) from None
    err.print(f"Created {user.role} {user.name!r}. Their bearer token (shown once):")
    print(token)


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Local user name (created if missing).")] = "local",
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation id.")] = None,
    locale: Annotated[str | None, typer.Option(help="Locale for crisis resources, e.g. en-GB.")] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Chat in the terminal against the local store, showing each policy action.

    Commands: /new, /edit N (edit your Nth message), /retry, /feedback up|down [comment], /dispute [comment],
    /why, /quit.

    Examples:

        lastresort chat

        lastresort chat --conversation 3f2a… --locale en-GB
    """
    service = _open(_settings(database_url))
    me = service.local_user(user)
    conv_id = conversation or service.create_conversation(me, "terminal chat").id
    console.print(f"[dim]conversation {conv_id} · type /quit to leave, /new for a new chat[/dim]")
    edit_of: str | None = None
    while True:
        try:
            text = console.input("[bold]you> [/bold]")
        except (EOFError, KeyboardInterrupt):
            console.print()
            return
        stripped = text.strip()
        try:
            if stripped in ("/quit", "/exit"):
                return
            if stripped == "/new":
                conv_id = service.create_conversation(me, "terminal chat").id
                edit_of = None
                console.print(f"[dim]new conversation {conv_id}[/dim]")
                continue
            if stripped.startswith("/edit"):
                edit_of = _nth_user_message(service, me, conv_id, stripped)
                console.print("[dim]type the new text for that message:[/dim]")
                continue
            if stripped == "/why":
                view = service.get_conversation(me, conv_id)
                console.print_json(data=view.state.to_dict())
                continue
            if stripped == "/retry":
                view = service.get_conversation(me, conv_id)
                if not view.active_path:
                    console.print("[dim]nothing to retry[/dim]")
                    continue
                turn = service.retry(me, conv_id, view.active_path[-1].id, locale=locale)
                _show(turn.assistant_message.decision or {}, turn.assistant_message.content, turn.state.ended)
                continue
            if stripped.startswith(("/feedback", "/dispute")):
                _feedback(service, me, conv_id, stripped)
                continue
            turn = service.post_message(me, conv_id, text, edit_of=edit_of, locale=locale)
            edit_of = None
            _show(turn.assistant_message.decision or {}, turn.assistant_message.content, turn.state.ended)
        except ConversationEnded as exc:
            console.print(Panel("This chat was ended by the assistant, so new messages can't be sent.\n"
                                "/new starts a new chat · /edit N branches from an earlier message · "
                                "/feedback or /dispute tells us what you think.",
                                title="chat ended", style="red"))
            ending = exc.details.get("ending") or {}
            if ending:
                console.print(f"[dim]why: {ending.get('explanation', '')}[/dim]")
        except LastResortError as exc:
            console.print(f"[red]{exc.code}:[/red] {exc.message}")


def _show(decision: dict[str, object], content: str, ended: bool) -> None:
    action = str(decision.get("action", "answer"))
    style = _ACTION_STYLE.get(action, "white")
    if action in ("warn", "crisis_support", "end"):
        console.print(Panel(content, title=action.replace("_", " "), style=style))
    else:
        console.print(f"[{style}]\\[{action}][/{style}] {content}")
    if ended:
        console.print(Panel("This chat has ended. /new starts a new chat; /edit N branches from an earlier "
                            "message; /feedback up|down [comment] or /dispute [comment] on the ending.",
                            title="chat ended", style="red"))


def _nth_user_message(service, me, conv_id: str, command: str) -> str:  # type: ignore[no-untyped-def]
    _, _, arg = command.partition(" ")
    view = service.get_conversation(me, conv_id)
    users = [m for m in view.active_path if m.role == "user"]
    if not arg.strip().isdigit() or not 1 <= int(arg) <= len(users):
        raise LastResortError(f"Use /edit N with N from 1 to {len(users)}.")
    return str(users[int(arg) - 1].id)


def _feedback(service, me, conv_id: str, command: str) -> None:  # type: ignore[no-untyped-def]
    word, _, rest = command.partition(" ")
    view = service.get_conversation(me, conv_id)
    replies = [m for m in view.active_path if m.role == "assistant"]
    if not replies:
        raise LastResortError("There is no assistant message to give feedback on yet.")
    rating, _, comment = rest.partition(" ")
    if word == "/dispute":
        rating, comment = "down", rest
    elif rating not in ("up", "down"):
        raise LastResortError("Use /feedback up|down [comment].")
    service.add_feedback(me, conv_id, replies[-1].id, rating=rating, comment=comment,
                         dispute=word == "/dispute")
    console.print("[dim]thanks, feedback saved[/dim]")


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
        err.print(f"[red]error:[/red] no such file: {input_path}")
        raise typer.Exit(2)
    errors = 0
    with tempfile.TemporaryDirectory(prefix="lastresort-replay-") as tmp:
        settings = Settings.from_env(database_url=f"sqlite:///{tmp}/replay.db")
        service = _open(settings, durable=False)
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
                        err.print(f"[red]error:[/red] {result['error']}")
                    sink.write(json.dumps(result, ensure_ascii=False) + "\n")
                    progress.advance(task)
        except UnicodeDecodeError as exc:
            err.print(f"[red]error:[/red] {input_path} is not valid UTF-8 ({exc.reason} at byte {exc.start})")
            raise typer.Exit(2) from None
        finally:
            if source is not sys.stdin:
                source.close()
            if output:
                sink.close()
            service.store.close()
    if errors:
        err.print(f"{errors} line(s) could not be replayed")
        raise typer.Exit(1)


if __name__ == "__main__":  # pragma: no cover
    app()
