"""Settings, read from ``LASTRESORT_*`` environment variables. Every setting is listed in ``SETTINGS``.

The policy (escalation, end categories, recovery) and the crisis-resources table come from an optional TOML
file (``LASTRESORT_POLICY_FILE``) and ``LASTRESORT_POLICY_<SETTING>`` variables, which win over the file.
Parsing happens here, in the shell; the pure core only ever sees a finished :class:`PolicyConfig`.
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

from lastresort.core.policy import PolicyConfig
from lastresort.errors import InvalidInput
from lastresort.responders.crisis_lines import DEFAULT_TABLE, CrisisTable

__all__ = ["POLICY_ENV_PREFIX", "SETTINGS", "PolicySetup", "Settings", "load_policy"]

DEFAULT_DATABASE_URL = "sqlite:///./lastresort.db"
POLICY_ENV_PREFIX = "LASTRESORT_POLICY_"


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    assessor: str = "builtin"
    assessor_url: str | None = None  # external assessors: base URL of the OpenAI-compatible API
    assessor_model: str | None = None  # e.g. llama-guard3:8b (Ollama), omni-moderation-latest (OpenAI)
    assessor_api_key: str | None = None
    assessor_timeout_ms: int = 5_000
    assessor_fail: str = "closed"  # external assessor fault: "closed" answers 503, "open" uses the rule assessor
    assessor_data: str | None = None  # builtin: a directory of rebuilt artefacts (the build's --out) to load first
    responder: str = "offline"  # "offline", "anthropic", "openai" or a plugin's name
    max_message_chars: int = 16_000  # longer messages are refused with 422, not truncated
    max_comment_chars: int = 2_000
    history_limit: int = 40  # messages of the path handed to a responder
    locale: str | None = None  # default locale for crisis resources, e.g. "en-GB"
    max_depth: int = 10_000  # messages on one branch
    max_siblings: int = 100  # edits or retries of one message
    rate_limit_user: str = "120/minute"  # per bearer token; "off" disables
    rate_limit_ip: str = "600/minute"  # per client address; "off" disables
    redis_url: str | None = None  # share rate limits across replicas, e.g. redis://127.0.0.1:6379/0
    policy_file: str | None = None  # TOML file with [policy] and [crisis_resources] tables
    session_secret: str | None = None  # signs web UI session cookies; default: random per process (set it for replicas)
    # Model-backed responders. The API key is read from the environment variable named here, never stored.
    anthropic_model: str = "claude-sonnet-4-5"
    anthropic_base_url: str | None = None  # default: the SDK's (https://api.anthropic.com)
    anthropic_api_key_env: str = "ANTHROPIC_API_KEY"
    openai_model: str = "gpt-4o-mini"
    openai_base_url: str | None = None  # e.g. http://127.0.0.1:11434/v1 (Ollama), http://127.0.0.1:8080/v1
    openai_api_key_env: str = "OPENAI_API_KEY"
    responder_timeout: float = 60.0  # seconds per model request (connect, read)
    responder_max_retries: int = 2  # the SDK's retries on connection errors, 408/409/429 and 5xx
    responder_max_tokens: int = 1024
    malloc_arenas: int = 2  # serve and proxy: glibc malloc arenas at most (0: glibc's default); see arenas.py

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, /, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            name = f"LASTRESORT_{f.name.upper()}"
            raw = env.get(name)
            if raw is None:
                continue
            values[f.name] = parse_setting(name, raw, str(f.type))
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


def parse_setting(name: str, raw: str, kind: str) -> object:
    """A setting's text (an environment variable, ``eval --set``) as the type ``kind`` names."""
    if kind == "int":
        try:
            return int(raw)
        except ValueError:
            raise InvalidInput(f"{name} must be an integer, got {raw!r}") from None
    if kind == "float":
        try:
            return float(raw)
        except ValueError:
            raise InvalidInput(f"{name} must be a number, got {raw!r}") from None
    if kind == "bool":
        if raw.strip().lower() in ("1", "true", "yes", "on"):
            return True
        if raw.strip().lower() in ("0", "false", "no", "off"):
            return False
        raise InvalidInput(f"{name} must be true or false, got {raw!r}")
    if kind.startswith("frozenset"):
        return [part.strip() for part in raw.split(",") if part.strip()]
    return raw if raw or "None" not in kind else None


#: Name, environment variable and help of every setting (``tests/test_docs.py`` checks they are documented).
SETTINGS: tuple[tuple[str, str], ...] = tuple((f.name, f"LASTRESORT_{f.name.upper()}") for f in fields(Settings))


@dataclass(frozen=True, kw_only=True)
class PolicySetup:
    """What the policy file and environment configure: the policy and the crisis-resources table."""

    config: PolicyConfig
    crisis: CrisisTable
    source: str | None = None  # the file read, if any


def load_policy(settings: Settings, environ: Mapping[str, str] | None = None) -> PolicySetup:
    """The policy config from ``settings.policy_file`` (if set) and ``LASTRESORT_POLICY_*`` (which win).

    Raises :class:`InvalidInput` naming the file, key or variable that is wrong; nothing falls back silently.
    """
    env = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    if settings.policy_file:
        data = _read_toml(settings.policy_file)
        unknown = sorted(set(data) - {"policy", "crisis_resources"})
        if unknown:
            raise InvalidInput(f"{settings.policy_file}: unknown table(s) {', '.join(unknown)}; "
                               "expected [policy] and [crisis_resources].")
    policy_values = dict(data.get("policy", {}))
    kinds = {f.name: str(f.type) for f in fields(PolicyConfig)}
    for key, raw in env.items():
        if not key.startswith(POLICY_ENV_PREFIX) or key == "LASTRESORT_POLICY_FILE":
            continue
        name = key[len(POLICY_ENV_PREFIX):].lower()
        if name not in kinds:
            raise InvalidInput(f"{key} is not a policy setting; known: "
                               + ", ".join(POLICY_ENV_PREFIX + k.upper() for k in sorted(kinds)))
        policy_values[name] = parse_setting(key, raw, kinds[name])
    where = settings.policy_file or "environment"
    try:
        config = PolicyConfig.from_mapping(policy_values)
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where}: invalid policy: {exc}") from None
    try:
        crisis = CrisisTable.from_mapping(data["crisis_resources"]) if "crisis_resources" in data else DEFAULT_TABLE
    except (TypeError, ValueError) as exc:
        raise InvalidInput(f"{where}: {exc}") from None
    return PolicySetup(config=config, crisis=crisis, source=settings.policy_file)


def _read_toml(path: str) -> dict[str, Any]:
    try:
        with Path(path).open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise InvalidInput(f"Policy file {path} does not exist (LASTRESORT_POLICY_FILE).") from None
    except OSError as exc:
        raise InvalidInput(f"Policy file {path} cannot be read: {exc.strerror}.") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise InvalidInput(f"Policy file {path} is not valid TOML: {exc}") from None
