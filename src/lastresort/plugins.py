"""The plugin manager: entry points in the ``lastresort`` group, then the built-in plugins."""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable
from typing import Any

import pluggy

from lastresort import default_plugins, hookspecs
from lastresort.assessors.base import Assessor
from lastresort.config import Settings
from lastresort.errors import InvalidInput
from lastresort.responders.base import Responder

__all__ = ["get_assessor", "get_responder", "pm", "registered"]

pm = pluggy.PluginManager("lastresort")
pm.add_hookspecs(hookspecs)
if not getattr(sys, "_called_from_test", False):  # installed plugins stay out of the test suite
    pm.load_setuptools_entrypoints("lastresort")
pm.register(default_plugins, name="lastresort.default_plugins")


def load_plugin_modules(names: str | None = None) -> None:
    """Register plugin modules named in ``LASTRESORT_PLUGINS`` (comma-separated import paths).

    For plugins that are not installed as packages: a local module, or a test double in a server subprocess.
    """
    for name in (names if names is not None else os.environ.get("LASTRESORT_PLUGINS", "")).split(","):
        name = name.strip()
        if not name or pm.has_plugin(name):
            continue
        try:
            module = importlib.import_module(name)
        except ImportError as exc:
            raise InvalidInput(f"LASTRESORT_PLUGINS names {name!r}, which cannot be imported: {exc}") from None
        pm.register(module, name=name)


def registered(kind: str) -> dict[str, Callable[..., Any]]:
    """Factories by name for ``kind`` ("assessors" or "responders")."""
    found: dict[str, Callable[..., Any]] = {}

    def register(name: str, factory: Callable[..., Any]) -> None:
        found[name] = factory

    getattr(pm.hook, f"register_{kind}")(register=register)
    return found


def _build(kind: str, name: str, settings: Settings) -> Any:
    load_plugin_modules()
    factories = registered(kind)
    if name not in factories:
        raise InvalidInput(f"Unknown {kind[:-1]} {name!r}; available: {', '.join(sorted(factories))}.")
    return factories[name](settings)


def get_assessor(settings: Settings) -> Assessor:
    assessor: Assessor = _build("assessors", settings.assessor, settings)
    return assessor


def get_responder(settings: Settings) -> Responder:
    responder: Responder = _build("responders", settings.responder, settings)
    return responder
