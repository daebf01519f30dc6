"""The command line, run in-process with Typer's runner on a temporary SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from lastresort.cli import app

runner = CliRunner()

ABUSIVE = ["you are a useless idiot", "shut up you stupid bot", "you worthless piece of junk, idiot",
           "you are a moron", "still there, idiot?", "answer me you stupid bot"]


@pytest.fixture
def db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    url = f"sqlite:///{tmp_path}/cli.db"
    monkeypatch.setenv("LASTRESORT_DATABASE_URL", url)
    return url


def write_jsonl(path: Path, records: list[object]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def test_replay_records_actions_end_and_locked_turns(tmp_path: Path) -> None:
    source = write_jsonl(tmp_path / "in.jsonl", [
        {"id": "abuse", "turns": ABUSIVE},
        {"id": "benign", "turns": ["how do I kill a Python process?", "thanks, that worked"]},
        {"id": "crisis", "turns": ["you stupid bot", "I want to kill myself", "you idiot", "you idiot",
                                   "you idiot", "you idiot"]},
        {"id": "asked", "turns": ["hi", "please end this conversation now"]},
    ])
    out = tmp_path / "out.jsonl"
    result = runner.invoke(app, ["replay", str(source), "-o", str(out)])
    assert result.exit_code == 0, result.output
    rows = {r["id"]: r for r in map(json.loads, out.read_text().splitlines())}
    assert rows["abuse"] == {"id": "abuse", "ended": True, "ended_at": 4, "end_reason": "abuse",
                             "actions": ["redirect", "redirect", "warn", "end", "locked", "locked"]}
    assert rows["benign"]["actions"] == ["answer", "answer"] and not rows["benign"]["ended"]
    assert not rows["crisis"]["ended"] and rows["crisis"]["actions"][1] == "crisis_support"
    assert "end" not in rows["crisis"]["actions"]
    assert rows["asked"]["ended_at"] == 2 and rows["asked"]["end_reason"] == "end_request"


def test_replay_reports_bad_lines_and_goes_on(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "ok", "turns": ["hello"]}\nnot json\n{"id": 3, "turns": []}\n\n'
                      '{"id": "ok2", "turns": ["", "hi"]}\n{"id": "none", "turns": []}\n', encoding="utf-8")
    result = runner.invoke(app, ["replay", str(source)])
    assert result.exit_code == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("id") for r in lines] == ["ok", None, None, "ok2", None]
    assert "line 2: not JSON" in lines[1]["error"] and "line 3" in lines[2]["error"]
    assert lines[3]["actions"] == ["error:invalid_request", "answer"]
    assert "line 6 (none): 'turns' is empty" in lines[4]["error"]


def test_replay_refuses_a_missing_file_or_bad_utf8(tmp_path: Path) -> None:
    assert runner.invoke(app, ["replay", str(tmp_path / "nope.jsonl")]).exit_code == 2
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'{"id": "x", "turns": ["\xff"]}\n')
    result = runner.invoke(app, ["replay", str(bad)])
    assert result.exit_code == 2 and "not valid UTF-8" in result.output


def test_users_add_prints_a_token_that_works(db: str) -> None:
    result = runner.invoke(app, ["users", "add", "alice"])
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[-1]
    assert token.startswith("lr_")
    assert runner.invoke(app, ["users", "add", "alice"]).exit_code == 2  # names are unique
    from lastresort.bootstrap import open_service
    from lastresort.config import Settings

    assert open_service(Settings(database_url=db)).authenticate(token).name == "alice"


def test_users_add_prints_a_name_with_brackets_as_written_and_still_shows_the_token(db: str) -> None:
    # Rich reads "[/x]" as a closing tag: printed as markup it raised after the user was stored, so the
    # token, shown only once, was lost.
    for name in ("[/x]bob", "[bold]ann[/bold]"):
        result = runner.invoke(app, ["users", "add", name])
        assert result.exit_code == 0, result.output
        assert repr(name) in result.stderr
        assert result.stdout.strip().splitlines()[-1].startswith("lr_")


def _flat(output: str) -> str:
    """The words of a Rich rendering, without panel borders or line wrapping."""
    return " ".join(output.replace("│", " ").split())


def test_help_and_messages_keep_their_bracketed_words() -> None:
    assert "[policy] and [crisis_resources] tables" in _flat(runner.invoke(app, ["serve", "--help"]).output)
    assert "/feedback up|down [comment], /dispute [comment]" in _flat(runner.invoke(app, ["chat", "--help"]).output)


def test_chat_prints_bracketed_text_from_errors_and_the_ended_panel(db: str) -> None:
    script = "\n".join(["hello", "/feedback sideways", *ABUSIVE[:4], "/quit"]) + "\n"
    result = runner.invoke(app, ["chat"], input=script)
    assert result.exit_code == 0, result.output
    out = _flat(result.output)
    assert "Use /feedback up|down [comment]." in out
    assert "/feedback up|down [comment] or /dispute [comment] on the ending" in out


def test_chat_shows_warning_and_ended_banner_and_new_chat_works(db: str) -> None:
    script = "\n".join(ABUSIVE[:5] + ["/new", "hello again", "/quit"]) + "\n"
    result = runner.invoke(app, ["chat"], input=script)
    assert result.exit_code == 0, result.output
    out = result.output
    assert "redirect" in out and "warn" in out and "chat ended" in out
    assert out.count("chat ended") >= 2  # once when it ends, once when the next message is refused
    assert "new conversation" in out and "[answer]" in out


def test_chat_edit_branches_off_an_ended_chat(db: str) -> None:
    script = "\n".join(ABUSIVE[:4] + ["/edit 1", "can you help me plan a picnic?", "/why", "/quit"]) + "\n"
    result = runner.invoke(app, ["chat"], input=script)
    assert result.exit_code == 0, result.output
    assert "chat ended" in result.output and '"status": "open"' in result.output


def test_chat_provider_offline_and_a_bad_policy_file(db: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    result = runner.invoke(app, ["chat", "--provider", "offline"], input="hello\n/quit\n")
    assert result.exit_code == 0 and "[answer]" in result.output
    result = runner.invoke(app, ["chat", "--model", "x"], input="/quit\n")
    assert result.exit_code == 2 and "--provider anthropic" in result.output
    result = runner.invoke(app, ["chat", "--provider", "nonesuch"], input="/quit\n")
    assert result.exit_code == 2 and "Unknown responder 'nonesuch'" in " ".join(result.output.split())
    bad = tmp_path / "policy.toml"
    bad.write_text("[policy]\nwarnings_before_end = 0\n")
    monkeypatch.setenv("LASTRESORT_POLICY_FILE", str(bad))
    result = runner.invoke(app, ["chat"], input="/quit\n")
    assert result.exit_code == 2 and "at least one warning" in " ".join(result.output.split())


def test_chat_with_a_policy_file_option(db: str, tmp_path: Path) -> None:
    strict = tmp_path / "strict.toml"
    strict.write_text("[policy]\npushbacks_before_warning = 0\n")
    result = runner.invoke(app, ["chat", "--policy-file", str(strict)], input="you are a useless idiot\n/quit\n")
    assert result.exit_code == 0 and "[warn]" in result.output  # no redirections first under this policy


def test_replay_in_chunks_keeps_order_and_results(tmp_path: Path, db: str) -> None:
    from lastresort.replay import CHUNK

    records: list[object] = [{"id": f"c{i}", "turns": ["hello", "you stupid bot"] if i % 2 else ["hi"]}
                             for i in range(CHUNK + 5)]
    lines = [json.dumps(r) for r in records]
    lines.insert(CHUNK, "not json")  # a bad line between chunks keeps its place
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = runner.invoke(app, ["replay", str(source)])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    ids = [r.get("id") for r in rows]
    assert ids == [f"c{i}" for i in range(CHUNK)] + [None] + [f"c{i}" for i in range(CHUNK, CHUNK + 5)]
    assert all(r["actions"] == ["answer"] for r in rows if r.get("id") in ("c0", "c64", "c68"))
    assert all(r["actions"][1] in ("redirect", "refuse") for r in rows if r.get("id") in ("c1", "c65"))
