"""Welfare signals of a stored path, through the service: model end requests come from the stored replies."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lastresort.responders.base import EndRequest, ReplyEvent, ReplyRequest, TextDelta
from lastresort.service import ConversationService
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store
from lastresort.welfare import path_welfare
from tests.conftest import TaggedAssessor


class AsksToEndOnAbuse:
    name = "asks-to-end"

    def respond(self, request: ReplyRequest) -> Iterator[ReplyEvent]:
        yield TextDelta("Noted.")
        if request.decision.category is not None:
            yield EndRequest("abuse")


def test_service_welfare_reads_decisions_and_end_requests(tmp_path: Path) -> None:
    engine = create_store_engine(f"sqlite:///{tmp_path}/w.db")
    upgrade(engine)
    service = ConversationService(Store(engine), assessor=TaggedAssessor(), responder=AsksToEndOnAbuse())
    user = service.local_user("w")
    conv = service.create_conversation(user)
    for text in ["hello", "idiot [abuse]", "thanks", "idiot [abuse]", "idiot [abuse]"]:
        service.post_message(user, conv.id, text)
    signals = service.welfare(user, conv.id)
    assert (signals.model_end_requests, signals.model_end_allowed, signals.ended_by) == (3, False, None)
    assert (signals.redirections, signals.warnings, signals.harmful_turns, signals.longest_harmful_run) == (2, 1, 3, 2)
    assert path_welfare([]).user_turns == 0
    service.store.close()
