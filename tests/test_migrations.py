"""Schema upgrades: from the previous revision, with data in it, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from lastresort.doctor import check
from lastresort.store.engine import create_store_engine, upgrade
from tests.test_service import ABUSE, make_service


def downgrade(engine: sa.Engine, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from lastresort.store.engine import MIGRATIONS

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, revision)


def test_upgrade_from_0001_keeps_the_data_and_state(database_url: str) -> None:
    # Today's service code cannot write to the old schema (it reads the newer columns), so the data is written at
    # the head, the schema taken down to 0001 (dropping what later revisions added) and brought back up.
    service = make_service(database_url)
    user = service.local_user("old")
    conv = service.create_conversation(user)
    for _ in range(4):
        service.post_message(user, conv.id, ABUSE)
    crisis_chat = service.create_conversation(user)
    service.post_message(user, crisis_chat.id, "I want to die [self_harm_risk]")
    before = service.get_conversation(user, conv.id)
    service.store.close()

    engine = create_store_engine(database_url)
    downgrade(engine, "0001_initial")
    inspector = sa.inspect(engine)
    assert "audit_log" not in inspector.get_table_names()
    assert "ended_branches" not in {c["name"] for c in inspector.get_columns("conversations")}

    upgrade(engine)
    assert "audit_log" in sa.inspect(engine).get_table_names()
    new = make_service(database_url)
    after = new.get_conversation(user, conv.id)
    assert [(m.id, m.state) for m in after.messages] == [(m.id, m.state) for m in before.messages]
    assert after.state.ended and check(new.store).ok
    # 0003 counts the branches that ended or became crisis paths before it existed.
    assert after.conversation.ended_branches == 1 and after.conversation.crisis_branches == 0
    assert new.get_conversation(user, crisis_chat.id).conversation.crisis_branches == 1
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
