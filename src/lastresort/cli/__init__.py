"""The ``lastresort`` command line: one module per command group, all on one Typer app."""

from lastresort.cli import assess, chat, doctor, eval, proxy, replay, serve, users  # noqa: F401  (each registers its commands)
from lastresort.cli.app import app

__all__ = ["app"]
