"""``python -m lastresort``: the same as the ``lastresort`` command."""

from lastresort.cli import app

app()
