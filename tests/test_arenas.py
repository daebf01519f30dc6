"""Bounding glibc's malloc arenas: what it does to a threaded process, and how the server commands take it."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lastresort.arenas import glibc, limit_malloc_arenas
from lastresort.cli import app

# Counts the heaps (arenas) glibc reports after eight threads have each allocated, with the limit given.
_PROBE = textwrap.dedent("""
    import ctypes, sys, tempfile, threading
    from lastresort.arenas import limit_malloc_arenas
    applied = limit_malloc_arenas(int(sys.argv[1]))
    start = threading.Barrier(8)
    def work():
        start.wait()
        blocks = [bytearray(64 * 1024) for _ in range(50)]
        start_done.wait()
    start_done = threading.Barrier(9)
    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads: t.start()
    start_done.wait()
    for t in threads: t.join()
    libc = ctypes.CDLL(None)
    libc.fopen.restype = ctypes.c_void_p
    libc.fopen.argtypes = (ctypes.c_char_p, ctypes.c_char_p)
    libc.malloc_info.argtypes = (ctypes.c_int, ctypes.c_void_p)
    libc.fclose.argtypes = (ctypes.c_void_p,)
    with tempfile.NamedTemporaryFile(suffix=".xml") as f:
        fp = libc.fopen(f.name.encode(), b"w")
        libc.malloc_info(0, fp)
        libc.fclose(fp)
        print(applied, open(f.name).read().count("<heap nr="))
""")


def _probe(limit: int, **env: str) -> tuple[str, int]:
    environ = {k: v for k, v in os.environ.items() if k != "MALLOC_ARENA_MAX"} | env
    out = subprocess.run([sys.executable, "-c", _PROBE, str(limit)], env=environ, capture_output=True, text=True,
                         check=True, timeout=60).stdout.split()
    return out[0], int(out[1])


@pytest.mark.skipif(glibc() is None, reason="glibc's malloc only")
def test_the_limit_bounds_the_arenas_of_a_threaded_process() -> None:
    applied, heaps = _probe(2)
    assert applied == "True" and heaps <= 2
    applied, default_heaps = _probe(0)  # glibc's default: a new arena for each new thread, up to 8 per core
    assert applied == "False" and default_heaps > 2


@pytest.mark.skipif(glibc() is None, reason="glibc's malloc only")
def test_malloc_arena_max_in_the_environment_wins() -> None:
    applied, heaps = _probe(1, MALLOC_ARENA_MAX="3")
    assert applied == "False" and 1 < heaps <= 3


def test_zero_leaves_the_default_and_a_negative_count_is_refused() -> None:
    assert limit_malloc_arenas(0) is False
    with pytest.raises(ValueError, match="0 .* or more"):
        limit_malloc_arenas(-1)


@pytest.mark.parametrize("command", [["serve"], ["proxy", "--upstream", "http://127.0.0.1:9"]])
def test_the_server_commands_refuse_a_negative_count_before_starting(command: list[str], tmp_path: Path) -> None:
    result = CliRunner().invoke(app, command, env={"LASTRESORT_MALLOC_ARENAS": "-1",
                                                   "LASTRESORT_DATABASE_URL": f"sqlite:///{tmp_path}/a.db"})
    assert result.exit_code == 2
    said = " ".join(result.output.split())  # the console wraps long lines
    assert "LASTRESORT_MALLOC_ARENAS" in said and "must be 0 (glibc's default) or more, got -1" in said
    assert not (tmp_path / "a.db").exists()  # nothing opened
