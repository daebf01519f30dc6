"""Provider faults as clear errors. The Anthropic and OpenAI SDKs name their exception classes alike, so one
mapping serves both; the service keeps the user message and a retry works."""

from __future__ import annotations

from types import ModuleType

from lastresort.errors import ResponderError

__all__ = ["provider_fault"]

KEPT = "Your message was kept: retry the reply."


def provider_fault(exc: Exception, sdk: ModuleType, provider: str) -> ResponderError:
    """``exc`` raised by ``sdk`` (the ``anthropic`` or ``openai`` module) as a :class:`ResponderError`."""
    if isinstance(exc, sdk.APITimeoutError):
        return ResponderError(f"The model provider did not answer in time. {KEPT}", provider=provider,
                              reason="timeout")
    if isinstance(exc, sdk.APIConnectionError):
        return ResponderError(f"The model provider could not be reached. {KEPT}", provider=provider,
                              reason="connection")
    if isinstance(exc, sdk.RateLimitError):
        return ResponderError(f"The model provider is rate-limiting requests (429). {KEPT}", provider=provider,
                              reason="rate_limited", upstream_status=429)
    if isinstance(exc, sdk.APIStatusError) and exc.status_code >= 400:  # an error event mid-stream has 200
        status = exc.status_code
        reason = "provider_unavailable" if status >= 500 else "provider_rejected"
        return ResponderError(f"The model provider answered with an error ({status}). {KEPT}", provider=provider,
                              reason=reason, upstream_status=status)
    # e.g. an ``error`` event in the middle of a stream ("overloaded_error")
    return ResponderError(f"The model provider reported an error mid-reply. {KEPT}", provider=provider,
                          reason="provider_error")
