"""The Typer application and what every command shares: consoles, the database option, opening the service."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from lastresort._version import __version__
from lastresort.config import Settings
from lastresort.errors import LastResortError
from lastresort.service import ConversationService

app = typer.Typer(help="lastresort: a chat service that ends a conversation only as a last resort.",
                  no_args_is_help=True, add_completion=False)
users_app = typer.Typer(help="Manage API users.", no_args_is_help=True)
app.add_typer(users_app, name="users")

console = Console()
err = Console(stderr=True)

DatabaseUrl = Annotated[str | None, typer.Option("--database-url", envvar="LASTRESORT_DATABASE_URL",
                                                  help="SQLite file (sqlite:///FILE) or postgresql+psycopg://…")]


PolicyFile = Annotated[str | None, typer.Option(
    "--policy-file", envvar="LASTRESORT_POLICY_FILE",
    help="TOML file with \\[policy] and \\[crisis_resources] tables (see docs/policy.md).")]


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print an error that names the fix and return the exit to raise."""
    err.print(f"[red]error:[/red] {escape(message)}")  # a message is text, not Rich markup
    return typer.Exit(code)


def load_settings(database_url: str | None = None, **overrides: object) -> Settings:
    try:
        return Settings.from_env(database_url=database_url, **overrides)
    except LastResortError as exc:
        raise fail(exc.message) from None


def bound_malloc_arenas(settings: Settings) -> None:
    """For a long-running server, before its threads start (see ``lastresort.arenas``)."""
    from lastresort.arenas import limit_malloc_arenas

    try:
        limit_malloc_arenas(settings.malloc_arenas)
    except ValueError as exc:
        raise fail(f"LASTRESORT_MALLOC_ARENAS: {exc}.") from None


def open_service(settings: Settings, *, durable: bool = True) -> ConversationService:
    from lastresort.bootstrap import open_service as _open

    try:
        return _open(settings, durable=durable)
    except LastResortError as exc:
        raise fail(exc.message) from None


@app.command()
def version() -> None:
    """Print the version."""
    console.print(__version__)
