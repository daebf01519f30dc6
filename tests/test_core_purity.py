"""The core does no I/O: it may import only the standard library's pure modules and itself."""

from __future__ import annotations

import ast
from pathlib import Path

import lastresort.core

ALLOWED = {"__future__", "collections", "dataclasses", "enum", "typing", "math", "itertools", "functools"}


def test_core_imports_nothing_from_the_shell() -> None:
    core = Path(lastresort.core.__file__).parent
    offenders = []
    for path in core.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                if name.startswith("lastresort.core") or top in ALLOWED:
                    continue
                offenders.append(f"{path.name}: {name}")
    assert offenders == []
