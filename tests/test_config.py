"""Settings and the policy file: TOML + LASTRESORT_POLICY_* environment, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lastresort.config import Settings, load_policy
from lastresort.core.categories import END_ELIGIBLE, Category
from lastresort.core.policy import PolicyConfig
from lastresort.errors import InvalidInput
from lastresort.responders.crisis_lines import DEFAULT_TABLE

EXAMPLE = Path(__file__).parent.parent / "examples" / "policy.toml"


def write(tmp_path: Path, text: str) -> Settings:
    path = tmp_path / "policy.toml"
    path.write_text(text, encoding="utf-8")
    return Settings(policy_file=str(path))


def test_no_file_and_no_environment_gives_the_defaults() -> None:
    setup = load_policy(Settings(), {})
    assert setup.config == PolicyConfig() and setup.crisis is DEFAULT_TABLE and setup.source is None


def test_the_shipped_example_loads_and_matches_the_defaults_plus_two_countries() -> None:
    setup = load_policy(Settings(policy_file=str(EXAMPLE)), {})
    assert setup.config == PolicyConfig()
    assert setup.crisis.resources_for("en-NZ")[0].contact == "call or text 1737"
    assert setup.crisis.resources_for("it")[0].name == "Telefono Amico Italia"
    assert setup.crisis.resources_for("en-GB") == DEFAULT_TABLE.resources_for("en-GB")  # merged, not replaced


def test_file_values_and_environment_overrides(tmp_path: Path) -> None:
    settings = write(tmp_path, '[policy]\npushbacks_before_warning = 3\nend_categories = ["abuse", "cbrn"]\n'
                                'recovery_turns = 4\n')
    setup = load_policy(settings, {"LASTRESORT_POLICY_RECOVERY_TURNS": "0",
                                   "LASTRESORT_POLICY_CRISIS_ELSEWHERE_DISABLES_END": "false",
                                   "LASTRESORT_POLICY_HARM_THRESHOLD": "0.6"})
    cfg = setup.config
    assert cfg.pushbacks_before_warning == 3 and cfg.recovery_turns == 0 and cfg.harm_threshold == 0.6
    assert cfg.end_categories == frozenset({Category.ABUSE, Category.CBRN})
    assert cfg.crisis_elsewhere_disables_end is False
    env_only = load_policy(Settings(), {"LASTRESORT_POLICY_END_CATEGORIES": "abuse, harassment_threat"})
    assert env_only.config.end_categories == frozenset({Category.ABUSE, Category.HARASSMENT_THREAT})


@pytest.mark.parametrize(("text", "env", "match"), [
    ("[policy]\nwarnings_before_end = 0\n", {}, "at least one warning"),
    ("[policy]\nend_categories = [\"self_harm_risk\"]\n", {}, "crisis signals never end"),
    ("[policy]\npushbacks = 2\n", {}, "unknown policy setting"),
    ("[polciy]\n", {}, "unknown table"),
    ("[policy\n", {}, "not valid TOML"),
    ("", {"LASTRESORT_POLICY_RECOVERY_TURNS": "soon"}, "must be an integer"),
    ("", {"LASTRESORT_POLICY_CRISIS_ELSEWHERE_DISABLES_END": "maybe"}, "true or false"),
    ("", {"LASTRESORT_POLICY_WARNINGS": "1"}, "is not a policy setting"),
    ("[crisis_resources.regions.NZ]\nname = \"x\"\n", {}, "must be a list"),
    ("[[crisis_resources.regions.NZ]]\nname = \"x\"\n", {}, "contact must be non-empty"),
    ("[[crisis_resources.regions.NZL]]\nname = \"x\"\ncontact = \"y\"\n", {}, "two-letter country code"),
    ("[crisis_resources]\nreplace = true\n", {}, "unknown_locale must list"),
])
def test_bad_policy_config_names_what_is_wrong(tmp_path: Path, text: str, env: dict[str, str], match: str) -> None:
    with pytest.raises(InvalidInput, match=match):
        load_policy(write(tmp_path, text), env)


def test_a_missing_policy_file_is_an_error_not_a_silent_default(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="does not exist"):
        load_policy(Settings(policy_file=str(tmp_path / "nope.toml")), {})


def test_a_replaced_crisis_table_keeps_only_what_the_file_lists(tmp_path: Path) -> None:
    settings = write(tmp_path, """
[crisis_resources]
replace = true
unknown_locale = [{name = "Find A Helpline", contact = "findahelpline.com", note = "directory"}]
[[crisis_resources.regions.NZ]]
name = "1737"
contact = "call or text 1737"
""")
    table = load_policy(settings, {}).crisis
    assert [line.name for line in table.resources_for("en-US")] == ["Find A Helpline"]  # US no longer listed
    assert table.resources_for("en-NZ")[0].name == "1737"


def test_settings_parse_numbers_and_optional_values() -> None:
    s = Settings.from_env({"LASTRESORT_RESPONDER_TIMEOUT": "2.5", "LASTRESORT_OPENAI_BASE_URL": "",
                           "LASTRESORT_RESPONDER_MAX_RETRIES": "0"})
    assert s.responder_timeout == 2.5 and s.openai_base_url is None and s.responder_max_retries == 0
    with pytest.raises(InvalidInput, match="must be a number"):
        Settings.from_env({"LASTRESORT_RESPONDER_TIMEOUT": "fast"})


def test_end_eligible_is_the_default_end_set() -> None:
    assert PolicyConfig().end_categories == END_ELIGIBLE
