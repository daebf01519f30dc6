"""Bound glibc's malloc arenas in a long-running, threaded process (``lastresort serve`` and ``proxy``).

glibc gives a thread that finds the allocator busy an arena of its own (up to eight per core), and an arena keeps
the memory it once held. The built-in assessor's batches allocate arrays of a few MB in whichever request thread
leads them, so a server's memory grew with the number of threads that had ever led one: under the benchmark's
load, 287-294 MB at peak with glibc's default against 254 MB with two arenas (docs/benchmarks.md). The
``MALLOC_ARENA_MAX`` environment variable does the same, but only if it is set before the process starts; this
asks glibc at startup, before the server's threads exist, and leaves a ``MALLOC_ARENA_MAX`` that is set alone.
"""

from __future__ import annotations

import ctypes
import os
import sys

__all__ = ["glibc", "limit_malloc_arenas"]

_M_ARENA_MAX = -8  # mallopt's parameter number, from glibc's <malloc.h>


def glibc() -> ctypes.CDLL | None:
    """The process's C library where it is glibc (Linux), else None: musl has a ``mallopt`` that ignores the
    arena limit, so the test is ``gnu_get_libc_version``, which only glibc has."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        libc = ctypes.CDLL(None)
        libc.gnu_get_libc_version  # noqa: B018
    except (OSError, AttributeError):
        return None
    return libc


def limit_malloc_arenas(count: int) -> bool:
    """Ask glibc for at most ``count`` malloc arenas; 0 leaves its default. True if glibc took it; False where
    the C library is not glibc (musl, macOS, Windows), or ``MALLOC_ARENA_MAX`` already says what to do."""
    if count < 0:
        raise ValueError(f"malloc arenas must be 0 (glibc's default) or more, got {count}")
    libc = glibc() if count and "MALLOC_ARENA_MAX" not in os.environ else None
    if libc is None:
        return False
    mallopt = libc.mallopt
    mallopt.argtypes = (ctypes.c_int, ctypes.c_int)
    mallopt.restype = ctypes.c_int
    return bool(mallopt(_M_ARENA_MAX, count) == 1)
