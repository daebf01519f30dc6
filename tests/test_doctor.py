from __future__ import annotations

import json

from sqlalchemy import update
from typer.testing import CliRunner

from lastresort.cli import app
from lastresort.core.state import PathState
from lastresort.doctor import check
from lastresort.store.tables import messages
from tests.test_service import ABUSE, make_service


def test_a_healthy_database_passes_and_corruption_is_found(database_url: str) -> None:
    service = make_service(database_url)
    user = service.local_user("doc")
    conv = service.create_conversation(user)
    service.post_message(user, conv.id, "hello")
    for _ in range(4):
        service.post_message(user, conv.id, ABUSE)
    report = check(service.store)
    assert report.ok and report.conversations == 1 and report.messages == 10 and report.unanswered == 0

    view = service.get_conversation(user, conv.id)
    ended_leaf = view.active_path[-1]
    with service.store.write() as tx:
        # A message smuggled past the lock onto the ended path, and a cached state that lies.
        tx.insert_message(view.conversation, parent=ended_leaf, role="user", content="sneaky",
                          state=PathState(user_turns=6))
        tx.conn.execute(update(messages).where(messages.c.id == view.active_path[0].id)
                        .values(state=PathState(user_turns=99).to_dict()))
    kinds = sorted(p.kind for p in check(service.store).problems)
    assert "message_after_end" in kinds and "state_mismatch" in kinds
    service.store.close()


def test_doctor_command_exit_codes(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/d.db"
    service = make_service(url)
    user = service.local_user("doc")
    conv = service.create_conversation(user)
    turn = service.post_message(user, conv.id, "hello")
    runner = CliRunner()
    result = runner.invoke(app, ["doctor", "--database-url", url])
    assert result.exit_code == 0 and "ok" in result.output
    with service.store.write() as tx:
        tx.conn.execute(update(messages).where(messages.c.id == turn.assistant_message.id)
                        .values(state=json.loads(json.dumps(PathState(warnings=3).to_dict()))))
    result = runner.invoke(app, ["doctor", "--database-url", url])
    assert result.exit_code == 1 and "state_mismatch" in result.output


def test_branch_counts_are_checked_against_the_messages(database_url: str) -> None:
    from lastresort.store.tables import conversations

    service = make_service(database_url)
    user = service.local_user("doc")
    conv = service.create_conversation(user)
    first = service.post_message(user, conv.id, "hello")
    for _ in range(4):
        service.post_message(user, conv.id, ABUSE)
    service.post_message(user, conv.id, "again", parent_id=first.assistant_message.id)
    service.post_message(user, conv.id, "I want to die [self_harm_risk]")
    assert check(service.store).ok
    with service.store.write() as tx:
        tx.conn.execute(update(conversations).where(conversations.c.id == conv.id).values(ended_branches=0))
    problems = check(service.store).problems
    assert [p.kind for p in problems] == ["branch_count_mismatch"] and "(0, 1)" in problems[0].detail
    service.store.close()
