"""``lastresort proxy``: last-resort ending in front of an existing OpenAI-compatible chat app."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from lastresort._version import __version__
from lastresort.cli.app import (
    DatabaseUrl,
    PolicyFile,
    app,
    bound_malloc_arenas,
    err,
    fail,
    load_settings,
    open_service,
)


class Mode(StrEnum):
    answer = "answer"
    steer = "steer"


class Identity(StrEnum):
    shared = "shared"
    token = "token"


@app.command()
def proxy(
    upstream: Annotated[str, typer.Option(envvar="LASTRESORT_PROXY_UPSTREAM",
                                          help="Base URL of the OpenAI-compatible API, e.g. http://127.0.0.1:11434/v1")],
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8100,
    mode: Annotated[Mode, typer.Option(envvar="LASTRESORT_PROXY_MODE",
                                       help="answer: refusals, warnings and crisis support are written by the "
                                            "proxy without calling the upstream; steer: the upstream writes them, "
                                            "steered by a system message.")] = Mode.answer,
    identity: Annotated[Identity, typer.Option(envvar="LASTRESORT_PROXY_IDENTITY",
                                               help="shared: one configured user, split by the request's `user` "
                                                    "field or X-Lastresort-User; token: X-Lastresort-Token "
                                                    "names a lastresort user.")] = Identity.shared,
    user: Annotated[str, typer.Option(envvar="LASTRESORT_PROXY_USER",
                                      help="The lastresort user of shared mode.")] = "proxy",
    timeout: Annotated[float, typer.Option(envvar="LASTRESORT_PROXY_TIMEOUT",
                                           help="Seconds per upstream request.")] = 600.0,
    database_url: DatabaseUrl = None,
    policy_file: PolicyFile = None,
) -> None:
    """Run an OpenAI-compatible proxy: point an app's base URL at it instead of its model server.

    Examples:

        lastresort proxy --upstream http://127.0.0.1:11434/v1

        lastresort proxy --upstream https://api.openai.com/v1 --port 8100 --mode steer
    """
    import uvicorn

    from lastresort.core.assessment import AssessContext
    from lastresort.proxy.app import ProxyConfig, create_proxy_app

    if not upstream.startswith(("http://", "https://")):
        raise fail(f"--upstream must be an http:// or https:// URL, got {upstream!r}.")
    settings = load_settings(database_url, policy_file=policy_file)
    bound_malloc_arenas(settings)
    service = open_service(settings)
    service.assessor.assess("warm-up", AssessContext())  # load the assessor's weights before the first request
    config = ProxyConfig(upstream=upstream, mode=mode.value, identity=identity.value, user=user, timeout=timeout)
    api = create_proxy_app(service, config)
    err.print(f"lastresort {__version__} proxy on http://{host}:{port}/v1 -> {upstream} "
              f"(mode {mode.value}, identity {identity.value}), database {settings.database_url}")
    uvicorn.run(api, host=host, port=port, log_level="info")
