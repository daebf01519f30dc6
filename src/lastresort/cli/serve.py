"""``lastresort serve``: the HTTP API."""

from __future__ import annotations

from typing import Annotated

import typer

from lastresort._version import __version__
from lastresort.cli.app import DatabaseUrl, PolicyFile, app, bound_malloc_arenas, err, load_settings, open_service


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    database_url: DatabaseUrl = None,
    policy_file: PolicyFile = None,
) -> None:
    """Run the HTTP API (OpenAPI docs at /docs).

    Examples:

        lastresort serve

        LASTRESORT_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1/test lastresort serve --port 9000

        LASTRESORT_RESPONDER=anthropic lastresort serve --policy-file examples/policy.toml
    """
    import uvicorn

    from lastresort.api.app import create_app
    from lastresort.core.assessment import AssessContext

    settings = load_settings(database_url, policy_file=policy_file)
    bound_malloc_arenas(settings)
    service = open_service(settings)
    # Load the assessor's weights now, so the first user does not wait for them (about 1.5 s for `builtin`).
    service.assessor.assess("warm-up", AssessContext())
    api = create_app(service=service)
    err.print(f"lastresort {__version__} on http://{host}:{port} (docs at /docs), database {settings.database_url}")
    uvicorn.run(api, host=host, port=port, log_level="info")
