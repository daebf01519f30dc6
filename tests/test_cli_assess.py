"""``lastresort assess``: one message or a JSONL file, with the default (built-in) assessor."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from lastresort.cli import app

runner = CliRunner()


def test_one_message_prints_scores_and_the_decision() -> None:
    result = runner.invoke(app, ["assess", "I want to kill myself"])
    assert result.exit_code == 0, result.output
    assert "self_harm_risk" in result.stdout and "crisis_support" in result.stdout


def test_json_output_for_one_message() -> None:
    result = runner.invoke(app, ["assess", "--json", "how do I kill a Python process?"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["assessor"] == "builtin" and record["decision"]["action"] == "answer"
    assert set(record) == {"text", "scores", "reasons", "assessor", "decision"}


def test_another_assessor_can_be_chosen() -> None:
    result = runner.invoke(app, ["assess", "--json", "--assessor", "rules", "you stupid bot"])
    record = json.loads(result.stdout)
    assert record["assessor"] == "rules" and record["scores"]["abuse"] >= 0.5
    bad = runner.invoke(app, ["assess", "--assessor", "nope", "hi"])
    assert bad.exit_code == 2 and "Unknown assessor 'nope'" in bad.output


def test_jsonl_scores_every_line_and_reports_bad_ones(tmp_path: Path) -> None:
    source = tmp_path / "in.jsonl"
    source.write_text('"hello there"\n{"id": "a", "text": "please end this conversation now"}\n\nnot json\n'
                      '{"id": "b"}\n{"text": "eres un bot inútil y estúpido"}\n', encoding="utf-8")
    result = runner.invoke(app, ["assess", "--jsonl", str(source)])
    assert result.exit_code == 1  # some lines could not be assessed
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r.get("line") for r in rows] == [1, 2, 4, 5, 6]
    assert rows[0]["decision"]["action"] == "answer"
    assert rows[1]["id"] == "a" and rows[1]["decision"]["action"] == "end"
    assert "error" in rows[2] and "error" in rows[3]
    # an insult is never passed through as a plain answer (pushed back on, or read as distress: see the xfail in
    # test_assessors_builtin)
    assert rows[4]["scores"]["abuse"] >= 0.5 and rows[4]["decision"]["action"] != "answer"


def test_jsonl_from_stdin() -> None:
    result = runner.invoke(app, ["assess", "--jsonl", "-"], input='"I want to die"\n')
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["decision"]["action"] == "crisis_support"


def test_bad_invocations_name_the_fix(tmp_path: Path) -> None:
    assert runner.invoke(app, ["assess"]).exit_code == 2
    assert runner.invoke(app, ["assess", "hi", "--jsonl", "x"]).exit_code == 2
    missing = runner.invoke(app, ["assess", "--jsonl", str(tmp_path / "nope.jsonl")])
    assert missing.exit_code == 2 and "no such file" in missing.output
    bad = tmp_path / "bad.jsonl"
    bad.write_bytes(b'"\xff"\n')
    result = runner.invoke(app, ["assess", "--jsonl", str(bad)])
    assert result.exit_code == 2 and "not valid UTF-8" in result.output


def test_blank_text_is_refused_with_a_reason_not_scored(tmp_path: Path) -> None:
    for blank in ("", "   ", "\n\t"):
        result = runner.invoke(app, ["assess", blank])
        assert result.exit_code == 2 and "blank" in result.output, result.output
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": "x", "text": "  "}\n"hello"\n""\n', encoding="utf-8")
    result = runner.invoke(app, ["assess", "--jsonl", str(source)])
    assert result.exit_code == 1
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(r["line"], "error" in r) for r in rows] == [(1, True), (2, False), (3, True)]
    assert rows[0]["id"] == "x" and "blank" in rows[0]["error"]
