"""External assessors behind the same seam: Llama Guard on an OpenAI-compatible chat endpoint, and the OpenAI
moderation endpoint.

Both speak HTTP through ``httpx``. A timeout, a transport error, an error status or an answer that cannot be
parsed is a *fault*; the configured rule decides what happens then, and the fault is always logged:

- ``closed`` (the default): raise :class:`~lastresort.errors.AssessorError`; the API answers 503 and nothing
  is stored, so the user can resend.
- ``open``: fall back to the local rule assessor, so explicit crisis phrases and end requests still work while
  the external service is down. The assessment says so in its reasons.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import httpx

from lastresort.assessors.rules import RuleAssessor
from lastresort.core.assessment import AssessContext, Assessment
from lastresort.core.categories import Category
from lastresort.errors import AssessorError

__all__ = ["LLAMA_GUARD_CATEGORIES", "OPENAI_CATEGORIES", "ExternalConfig", "LlamaGuardAssessor",
           "OpenAIModerationAssessor", "parse_llama_guard"]

log = logging.getLogger("lastresort.assessors.external")

FailMode = Literal["open", "closed"]

#: Llama Guard 3/4 hazard taxonomy (MLCommons) -> our categories. Codes with no counterpart here (S5
#: defamation, S6 specialised advice, S7 privacy, S8 IP, S12 adult sexual content, S13 elections) are reported
#: in the reasons but score nothing: they are refusals for a responder, not grounds to end a chat.
LLAMA_GUARD_CATEGORIES: dict[str, tuple[Category, ...]] = {
    "S1": (Category.DANGEROUS_ILLEGAL,),  # violent crimes (murder, assault, terrorism)
    "S2": (Category.DANGEROUS_ILLEGAL,),  # non-violent crimes (fraud, theft, drugs, cyber crimes)
    "S3": (Category.HARASSMENT_THREAT,),  # sex-related crimes
    "S4": (Category.SEXUAL_MINORS,),  # child sexual exploitation
    "S9": (Category.CBRN,),  # indiscriminate weapons
    "S10": (Category.HARASSMENT_THREAT,),  # hate
    "S11": (Category.SELF_HARM_RISK,),  # suicide and self-harm
    "S14": (Category.CYBER_HARM,),  # code interpreter abuse
}
LLAMA_GUARD_SCORE = 0.9  # Llama Guard answers a verdict, not a probability

#: OpenAI moderation categories -> ours; the score is the endpoint's category score.
OPENAI_CATEGORIES: dict[str, tuple[Category, ...]] = {
    "harassment": (Category.ABUSE, Category.HARASSMENT_THREAT),
    "harassment/threatening": (Category.HARASSMENT_THREAT,),
    "hate": (Category.HARASSMENT_THREAT,),
    "hate/threatening": (Category.HARASSMENT_THREAT,),
    "self-harm": (Category.SELF_HARM_RISK,),
    "self-harm/intent": (Category.SELF_HARM_RISK,),
    "self-harm/instructions": (Category.SELF_HARM_RISK,),
    "sexual/minors": (Category.SEXUAL_MINORS,),
    "illicit": (Category.DANGEROUS_ILLEGAL,),
    "illicit/violent": (Category.DANGEROUS_ILLEGAL,),
}


@dataclass(frozen=True, kw_only=True)
class ExternalConfig:
    base_url: str  # e.g. http://localhost:8000/v1 (vLLM), http://localhost:11434/v1 (Ollama)
    model: str
    api_key: str | None = None
    timeout_s: float = 5.0
    fail: FailMode = "closed"

    def __post_init__(self) -> None:
        if self.fail not in ("open", "closed"):
            raise ValueError(f"fail must be 'open' or 'closed', got {self.fail!r}")
        if not self.base_url.startswith(("http://", "https://")):
            raise ValueError(f"base_url must be an http(s) URL, got {self.base_url!r}")
        if self.timeout_s <= 0:
            raise ValueError("timeout_s must be positive")


class _Malformed(Exception):
    """The service answered, but not in the wire format we expect."""


class _External:
    name = "external"

    def __init__(self, config: ExternalConfig, transport: httpx.BaseTransport | None = None) -> None:
        self.config = config
        headers = {"Authorization": f"Bearer {config.api_key}"} if config.api_key else {}
        self._client = httpx.Client(base_url=config.base_url.rstrip("/") + "/", headers=headers,
                                    timeout=config.timeout_s, transport=transport)
        self._fallback = RuleAssessor()

    def close(self) -> None:
        self._client.close()

    def _post(self, path: str, body: Mapping[str, Any]) -> Any:
        response = self._client.post(path, json=body)
        response.raise_for_status()
        return response.json()

    def _guarded(self, text: str, context: AssessContext, call: Callable[[], Assessment]) -> Assessment:
        try:
            return call()
        except (httpx.HTTPError, ValueError, _Malformed) as exc:
            fault = f"{type(exc).__name__}: {exc}"
            if self.config.fail == "closed":
                log.error("assessor %s failed (fail closed): %s", self.name, fault)
                raise AssessorError(f"The safety check ({self.name}) is unavailable; try again.") from exc
            log.warning("assessor %s failed (fail open, using the rule assessor): %s", self.name, fault)
            fallback = self._fallback.assess(text, context)
            return Assessment(scores=fallback.scores, assessor=self.name,
                              reasons=(f"{self.name} unavailable ({type(exc).__name__}); rule assessor used",
                                       *fallback.reasons))


_VERDICT = re.compile(r"^\s*(safe|unsafe)\b\s*(.*)$", re.IGNORECASE | re.DOTALL)
_CODE = re.compile(r"\bS(\d{1,2})\b")


def parse_llama_guard(content: str) -> tuple[bool, tuple[str, ...]]:
    """``"unsafe\\nS1,S10"`` -> ``(True, ("S1", "S10"))``; ``"safe"`` -> ``(False, ())``."""
    match = _VERDICT.match(content)
    if match is None:
        raise _Malformed(f"not a Llama Guard verdict: {content[:80]!r}")
    unsafe = match.group(1).lower() == "unsafe"
    codes = tuple(dict.fromkeys(f"S{int(n)}" for n in _CODE.findall(match.group(2)))) if unsafe else ()
    return unsafe, codes


class LlamaGuardAssessor(_External):
    """Llama Guard 3 or 4 served by an OpenAI-compatible ``/chat/completions`` endpoint.

    The served model's chat template builds the classification prompt (taxonomy and instructions) from the
    conversation, so the message is sent as the one user turn to classify.
    """

    name = "llama-guard"

    def assess(self, text: str, context: AssessContext) -> Assessment:
        return self._guarded(text, context, lambda: self._ask(text, context))

    def _ask(self, text: str, context: AssessContext) -> Assessment:
        body = {"model": self.config.model, "temperature": 0, "max_tokens": 20,
                "messages": [{"role": "user", "content": text}]}
        data = self._post("chat/completions", body)
        try:
            content = data["choices"][0]["message"]["content"]
        except (KeyError, IndexError, TypeError):
            raise _Malformed("no choices[0].message.content in the reply") from None
        if not isinstance(content, str):
            raise _Malformed("message content is not text")
        unsafe, codes = parse_llama_guard(content)
        scores: dict[Category, float] = {}
        reasons = [f"llama-guard: {'unsafe ' + ','.join(codes) if unsafe else 'safe'}"]
        for code in codes:
            for c in LLAMA_GUARD_CATEGORIES.get(code, ()):
                scores[c] = LLAMA_GUARD_SCORE
            if code not in LLAMA_GUARD_CATEGORIES:
                reasons.append(f"llama-guard: {code} has no category here; not scored")
        return Assessment(scores=scores, reasons=tuple(reasons), assessor=self.name)


class OpenAIModerationAssessor(_External):
    """The OpenAI moderation endpoint (``POST /moderations``), or any server speaking its wire format."""

    name = "openai-moderation"

    def assess(self, text: str, context: AssessContext) -> Assessment:
        return self._guarded(text, context, lambda: self._ask(text))

    def _ask(self, text: str) -> Assessment:
        data = self._post("moderations", {"model": self.config.model, "input": text})
        try:
            category_scores = data["results"][0]["category_scores"]
        except (KeyError, IndexError, TypeError):
            raise _Malformed("no results[0].category_scores in the reply") from None
        if not isinstance(category_scores, dict):
            raise _Malformed("category_scores is not an object")
        scores: dict[Category, float] = {}
        reasons = []
        for name, ours in OPENAI_CATEGORIES.items():
            value = category_scores.get(name)
            if value is None:
                continue
            if not isinstance(value, int | float) or not 0.0 <= value <= 1.0:
                raise _Malformed(f"score for {name!r} is not a number in [0, 1]")
            for c in ours:
                scores[c] = max(scores.get(c, 0.0), float(value))
            if value >= 0.5:
                reasons.append(f"openai-moderation: {name} {value:.2f}")
        return Assessment(scores=scores, reasons=tuple(reasons), assessor=self.name)
