"""A responder that takes its time, so a test can kill the server in the middle of a turn."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator

from lastresort.config import Settings
from lastresort.hookspecs import Register, hookimpl
from lastresort.responders.base import ReplyEvent, ReplyRequest, TextDelta


class SlowResponder:
    name = "slow"

    def __init__(self, delay: float) -> None:
        self.delay = delay

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        for word in ("This", "reply", "takes", "a", "while."):
            time.sleep(self.delay)
            yield TextDelta(word + " ")


@hookimpl
def register_responders(register: Register) -> None:
    def slow(settings: Settings) -> SlowResponder:
        return SlowResponder(float(os.environ.get("LASTRESORT_TEST_SLOW_DELAY", "0.2")))

    register("slow", slow)
