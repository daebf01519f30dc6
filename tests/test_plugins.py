from __future__ import annotations

import sys
import types

import pytest

from lastresort.config import Settings
from lastresort.errors import InvalidInput
from lastresort.hookspecs import hookimpl
from lastresort.plugins import get_assessor, get_responder, load_plugin_modules, pm, registered


def test_builtins_register_through_the_hooks() -> None:
    assert {"rules", "builtin"} <= set(registered("assessors")) and "offline" in registered("responders")
    assert get_assessor(Settings()).name == "builtin" and get_responder(Settings()).name == "offline"
    assert get_assessor(Settings(assessor="rules")).name == "rules"


def test_unknown_names_get_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="Unknown responder 'nope'; available: .*offline"):
        get_responder(Settings(responder="nope"))


def test_plugin_modules_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    module = types.ModuleType("lastresort_test_plugin")

    class Echo:
        name = "echo"

    @hookimpl
    def register_responders(register):  # type: ignore[no-untyped-def]
        register("echo", lambda settings: Echo())

    module.register_responders = register_responders  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "lastresort_test_plugin", module)
    monkeypatch.setenv("LASTRESORT_PLUGINS", "lastresort_test_plugin")
    try:
        assert get_responder(Settings(responder="echo")).name == "echo"
    finally:
        pm.unregister(name="lastresort_test_plugin")
    with pytest.raises(InvalidInput, match="cannot be imported"):
        load_plugin_modules("no_such_module_here")
