"""``lastresort chat``: an interactive terminal chat against the local store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape
from rich.panel import Panel

from lastresort.cli.app import DatabaseUrl, PolicyFile, app, console, fail, load_settings, open_service
from lastresort.errors import ConversationEnded, LastResortError
from lastresort.responders.base import TextDelta
from lastresort.service import ConversationService, TurnResult, TurnStream
from lastresort.store.repo import UserRow

_ACTION_STYLE = {
    "answer": "green", "refuse": "yellow", "redirect": "yellow", "warn": "bold red",
    "crisis_support": "bold magenta", "check_in": "magenta", "confirm_end": "cyan", "end": "bold white on red",
}


@app.command()
def chat(
    user: Annotated[str, typer.Option(help="Local user name (created if missing).")] = "local",
    conversation: Annotated[str | None, typer.Option(help="Continue this conversation id.")] = None,
    locale: Annotated[str | None, typer.Option(help="Locale for crisis resources, e.g. en-GB.")] = None,
    provider: Annotated[str | None, typer.Option(
        "--provider", help="Who writes the replies: offline (default, no network), anthropic, openai (any "
        "OpenAI-compatible server), or a plugin's responder name. Default: LASTRESORT_RESPONDER.")] = None,
    model: Annotated[str | None, typer.Option(help="Model name for --provider anthropic or openai.")] = None,
    base_url: Annotated[str | None, typer.Option(
        "--base-url", help="Server for --provider anthropic or openai, e.g. http://127.0.0.1:11434/v1 (Ollama).",
    )] = None,
    database_url: DatabaseUrl = None,
    policy_file: PolicyFile = None,
) -> None:
    """Chat in the terminal against the local store, showing each policy action.

    Commands: /new, /edit N (edit your Nth message), /retry, /feedback up|down \\[comment], /dispute \\[comment],
    /why, /quit.

    Examples:

        lastresort chat

        lastresort chat --conversation 3f2a… --locale en-GB

        ANTHROPIC_API_KEY=… lastresort chat --provider anthropic

        lastresort chat --provider openai --base-url http://127.0.0.1:11434/v1 --model llama3.2
    """
    overrides: dict[str, object] = {"responder": provider, "policy_file": policy_file}
    if provider in ("anthropic", "openai"):
        overrides |= {f"{provider}_model": model, f"{provider}_base_url": base_url}
    elif model or base_url:
        raise fail("--model and --base-url go with --provider anthropic or --provider openai.")
    service = open_service(load_settings(database_url, **overrides))
    try:
        _loop(service, user, conversation, locale)
    finally:
        service.close()


def _loop(service: ConversationService, user: str, conversation: str | None, locale: str | None) -> None:
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
                _play(service.stream_retry(me, conv_id, view.active_path[-1].id, locale=locale))
                continue
            if stripped.startswith(("/feedback", "/dispute")):
                _feedback(service, me, conv_id, stripped)
                continue
            stream = service.stream_message(me, conv_id, text, edit_of=edit_of, locale=locale)
            edit_of = None
            _play(stream)
        except ConversationEnded as exc:
            console.print(Panel("This chat was ended by the assistant, so new messages can't be sent.\n"
                                "/new starts a new chat · /edit N branches from an earlier message · "
                                "/feedback or /dispute tells us what you think.",
                                title="chat ended", style="red"))
            ending = exc.details.get("ending") or {}
            if ending:
                console.print(f"[dim]why: {escape(str(ending.get('explanation', '')))}[/dim]")
        except LastResortError as exc:
            console.print(f"[red]{exc.code}:[/red] {escape(exc.message)}")  # text, not Rich markup


def _play(stream: TurnStream) -> None:
    """Print the reply as it arrives, under its policy action; box the ending."""
    decision = stream.reply_to.state.decision
    action = decision.action.value if decision else "answer"
    style = _ACTION_STYLE.get(action, "white")
    if action in ("warn", "crisis_support", "end"):  # the turns a user must not miss get a rule above them
        console.rule(f"[{style}]{action.replace('_', ' ')}[/{style}]", style=style)
    console.print(f"[{style}]\\[{action}][/{style}] ", end="")
    result: TurnResult | None = None
    try:
        for event in stream.events:
            if isinstance(event, TextDelta):
                console.print(event.text, end="", markup=False, highlight=False, soft_wrap=True)
                console.file.flush()
            else:
                result = event
    finally:
        console.print()
    if result is not None and result.state.ended:
        console.print(Panel("This chat has ended. /new starts a new chat; /edit N branches from an earlier "
                            "message; /feedback up|down \\[comment] or /dispute \\[comment] on the ending.",
                            title="chat ended", style="red"))


def _nth_user_message(service: ConversationService, me: UserRow, conv_id: str, command: str) -> str:
    _, _, arg = command.partition(" ")
    view = service.get_conversation(me, conv_id)
    users = [m for m in view.active_path if m.role == "user"]
    if not arg.strip().isdigit() or not 1 <= int(arg) <= len(users):
        raise LastResortError(f"Use /edit N with N from 1 to {len(users)}.")
    return str(users[int(arg) - 1].id)


def _feedback(service: ConversationService, me: UserRow, conv_id: str, command: str) -> None:
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
