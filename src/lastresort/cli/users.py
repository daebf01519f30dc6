"""``lastresort users``: API users and their tokens."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from lastresort.cli.app import DatabaseUrl, err, fail, load_settings, open_service, users_app
from lastresort.errors import LastResortError


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
    service = open_service(load_settings(database_url))
    try:
        user, token = service.add_user(name, role)
    except LastResortError as exc:
        raise fail(exc.message) from None
    # The name is the caller's text, not Rich markup: "[/x]" would raise before the token is shown.
    err.print(f"Created {user.role} {escape(repr(user.name))}. Their bearer token (shown once):")
    print(token)
