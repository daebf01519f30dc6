"""Every setting and every command is documented in the README."""

from __future__ import annotations

from pathlib import Path

from lastresort.cli import app
from lastresort.config import SETTINGS

README = (Path(__file__).parents[1] / "README.md").read_text(encoding="utf-8")


def test_every_setting_is_in_the_readme() -> None:
    assert [env for _, env in SETTINGS if env not in README] == []


def test_every_command_is_in_the_readme() -> None:
    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    names += [g.name or "" for g in app.registered_groups]
    assert [n for n in names if f"lastresort {n}" not in README] == []
