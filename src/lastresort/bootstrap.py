"""Wiring: settings → database → migrations → policy → plugins → service. Shared by the API, ``chat`` and
``replay``."""

from __future__ import annotations

from lastresort.config import Settings, load_policy
from lastresort.core.policy import Policy
from lastresort.plugins import get_assessor, get_responder
from lastresort.service import ConversationService
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store

__all__ = ["open_service"]


def open_service(settings: Settings, *, durable: bool = True) -> ConversationService:
    setup = load_policy(settings)  # first: a bad policy file fails before anything is opened
    responder = get_responder(settings)
    engine = create_store_engine(settings.database_url, durable=durable)
    upgrade(engine)
    return ConversationService(
        Store(engine), assessor=get_assessor(settings), responder=responder, settings=settings,
        policy=Policy(setup.config), crisis=setup.crisis,
    )
