"""The browser UI: chat pages and the operator console (Jinja2 templates, one small script, no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from starlette.staticfiles import StaticFiles

from lastresort.web.routes import SecurityHeaders, router
from lastresort.web.session import SessionSigner

__all__ = ["mount"]

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI) -> None:
    """Add the web UI to the API app (needs ``app.state.service``)."""
    app.state.signer = SessionSigner(app.state.service.settings.session_secret)
    app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    app.add_middleware(SecurityHeaders)
