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
    assessor: str = "rules"
    responder: str = "offline"
    max_message_chars: int = 16_000  # longer messages are refused with 422, not truncated
    max_comment_chars: int = 2_000
    history_limit: int = 40  # messages of the path handed to a responder
    locale: str | None = None  # default locale for crisis resources, e.g. "en-GB"
    max_depth: int = 10_000  # messages on one branch
    max_siblings: int = 100  # edits or retries of one message
    rate_limit_user: str = "120/minute"  # per bearer token; "off" disables
    rate_limit_ip: str = "600/minute"  # per client address; "off" disables
    redis_url: str | None = None  # share rate limits across replicas, e.g. redis://127.0.0.1:6379/0

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
