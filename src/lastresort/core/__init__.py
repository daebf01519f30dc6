"""The pure core: values and functions with no I/O.

Nothing in this package may import from the store, the API, the CLI, providers or anything that touches the
network or the disk (``tests/test_core_purity.py`` enforces it). The shell feeds it values and stores what it
returns.
"""
