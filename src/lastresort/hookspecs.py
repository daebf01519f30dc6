"""Plugin hooks. Built-in assessors and responders register through these too (``default_plugins.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pluggy

__all__ = ["hookimpl", "hookspec"]

hookspec = pluggy.HookspecMarker("lastresort")
hookimpl = pluggy.HookimplMarker("lastresort")

#: ``register(name, factory)``: ``factory(settings)`` builds the plugin when the name is configured.
Register = Callable[[str, Callable[..., Any]], None]


@hookspec
def register_assessors(register: Register) -> None:
    """Register assessors: ``register("name", factory)`` where ``factory(settings)`` returns an Assessor."""


@hookspec
def register_responders(register: Register) -> None:
    """Register responders: ``register("name", factory)`` where ``factory(settings)`` returns a Responder."""
