"""Settings, read from ``LASTRESORT_*`` environment variables. Every setting is listed in ``SETTINGS``."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, fields

from lastresort.errors import InvalidInput

__all__ = ["SETTINGS", "Settings"]

DEFAULT_DATABASE_URL = "sqlite:///./lastresort.db"


@dataclass(frozen=True, kw_only=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    assessor: str = "builtin"
    assessor_url: str | None = None  # external assessors: base URL of the OpenAI-compatible API
    assessor_model: str | None = None  # e.g. llama-guard3:8b (Ollama), omni-moderation-latest (OpenAI)
    assessor_api_key: str | None = None
    assessor_timeout_ms: int = 5_000
    assessor_fail: str = "closed"  # external assessor fault: "closed" answers 503, "open" uses the rule assessor
    responder: str = "offline"
    max_message_chars: int = 16_000  # longer messages are refused with 422, not truncated
    max_comment_chars: int = 2_000
    history_limit: int = 40  # messages of the path handed to a responder
    locale: str | None = None  # default locale for crisis resources, e.g. "en-GB"

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, /, **overrides: object) -> Settings:
        env = os.environ if environ is None else environ
        values: dict[str, object] = {}
        for f in fields(cls):
            raw = env.get(f"LASTRESORT_{f.name.upper()}")
            if raw is None:
                continue
            if f.type == "int":
                try:
                    values[f.name] = int(raw)
                except ValueError:
                    raise InvalidInput(f"LASTRESORT_{f.name.upper()} must be an integer, got {raw!r}") from None
            else:
                values[f.name] = raw
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)  # type: ignore[arg-type]


#: Name, environment variable and help of every setting (``tests/test_docs.py`` checks they are documented).
SETTINGS: tuple[tuple[str, str], ...] = tuple((f.name, f"LASTRESORT_{f.name.upper()}") for f in fields(Settings))
