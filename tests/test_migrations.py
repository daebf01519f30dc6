"""Schema upgrades: from the previous revision, with data in it, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lastresort.doctor import check
from lastresort.store.engine import create_store_engine, upgrade
from lastresort.store.repo import Store
from tests.test_service import ABUSE, make_service


def test_upgrade_from_0001_keeps_the_data_and_state(database_url: str) -> None:
    engine = create_store_engine(database_url)
    upgrade(engine, "0001_initial")
    assert "audit_log" not in sa.inspect(engine).get_table_names()
    # Write through today's service code but on the old schema's tables: users, conversations, messages.
    from lastresort.responders.offline import OfflineResponder
    from lastresort.service import ConversationService
    from tests.conftest import TaggedAssessor

    class OldSchemaService(ConversationService):
        @staticmethod
        def _audit_ending(*args: object) -> None:  # the audit log does not exist before 0002
            pass

    old = OldSchemaService(Store(engine), assessor=TaggedAssessor(), responder=OfflineResponder())
    user = old.local_user("old")
    conv = old.create_conversation(user)
    for _ in range(4):
        old.post_message(user, conv.id, ABUSE)
    before = old.get_conversation(user, conv.id)

    upgrade(engine)
    assert "audit_log" in sa.inspect(engine).get_table_names()
    new = make_service(database_url)
    after = new.get_conversation(user, conv.id)
    assert [(m.id, m.state) for m in after.messages] == [(m.id, m.state) for m in before.messages]
    assert after.state.ended and check(new.store).ok
    new.store.close()
    engine.dispose()


def test_the_audit_log_records_endings_and_refuses_changes(database_url: str) -> None:
    service = make_service(database_url)
    user = service.local_user("aud")
    conv = service.create_conversation(user)
    for _ in range(4):
        service.post_message(user, conv.id, ABUSE)
    ending = service.get_conversation(user, conv.id).active_path[-1]
    service.add_feedback(user, conv.id, ending.id, rating="down", comment="unfair", dispute=True)
    with service.store.read() as tx:
        entries = tx.audit_entries(conv.id)
    assert [(e.actor, e.action) for e in entries] == [("policy", "conversation_ended"), (user.id, "dispute")]
    assert entries[0].details["reason"] == "abuse"
    for statement in ("UPDATE audit_log SET action = 'nothing'", "DELETE FROM audit_log"):
        with pytest.raises(sa.exc.DBAPIError, match="append-only"), service.store.write() as tx:
            tx.conn.exec_driver_sql(statement)
    service.store.close()
