"""``lastresort proxy``: its options; the proxy itself is tested in test_proxy_app.py."""

from __future__ import annotations

from typer.testing import CliRunner

from lastresort.cli import app

runner = CliRunner()


def test_an_upstream_that_is_not_a_url_is_refused_before_anything_opens(tmp_path: object) -> None:
    result = runner.invoke(app, ["proxy", "--upstream", "localhost:11434", "--database-url",
                                 f"sqlite:///{tmp_path}/p.db"])
    assert result.exit_code == 2
    assert "--upstream must be an http:// or https:// URL" in result.output


def test_an_unknown_mode_is_refused() -> None:
    result = runner.invoke(app, ["proxy", "--upstream", "http://127.0.0.1:1/v1", "--mode", "shout"])
    assert result.exit_code == 2
