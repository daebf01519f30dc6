"""Test-only plugins, loaded into server subprocesses with ``LASTRESORT_PLUGINS``."""
