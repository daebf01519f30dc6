"""The built-in assessor and responder, registered the same way a third-party plugin would be."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from lastresort.config import Settings
from lastresort.errors import InvalidInput
from lastresort.hookspecs import Register, hookimpl

if TYPE_CHECKING:
    from lastresort.assessors.external import ExternalConfig


@hookimpl
def register_assessors(register: Register) -> None:
    def rules(settings: Settings) -> object:
        from lastresort.assessors.rules import RuleAssessor

        return RuleAssessor()

    def builtin(settings: Settings) -> object:
        from lastresort.assessors.builtin import BuiltinAssessor

        try:
            return BuiltinAssessor(directory=Path(settings.assessor_data) if settings.assessor_data else None)
        except ValueError as exc:  # the folder is missing, or holds a head set's weights without its metadata
            raise InvalidInput(f"LASTRESORT_ASSESSOR_DATA: {exc} (the build's --out, holding builtin_heads.npz "
                               "and the other artefacts)") from None

    def llama_guard(settings: Settings) -> object:
        from lastresort.assessors.external import LlamaGuardAssessor

        return LlamaGuardAssessor(_external_config(settings, default_model="llama-guard3"))

    def openai_moderation(settings: Settings) -> object:
        from lastresort.assessors.external import OpenAIModerationAssessor

        return OpenAIModerationAssessor(_external_config(settings, default_model="omni-moderation-latest",
                                                         default_url="https://api.openai.com/v1"))

    register("rules", rules)
    register("builtin", builtin)
    register("llama-guard", llama_guard)
    register("openai-moderation", openai_moderation)


def _external_config(settings: Settings, *, default_model: str, default_url: str | None = None) -> ExternalConfig:
    from lastresort.assessors.external import ExternalConfig

    url = settings.assessor_url or default_url
    if not url:
        raise InvalidInput(f"The {settings.assessor} assessor needs LASTRESORT_ASSESSOR_URL, "
                           "e.g. http://localhost:11434/v1")
    try:
        return ExternalConfig(base_url=url, model=settings.assessor_model or default_model,
                              api_key=settings.assessor_api_key, timeout_s=settings.assessor_timeout_ms / 1000,
                              fail=settings.assessor_fail)  # type: ignore[arg-type]
    except ValueError as exc:
        raise InvalidInput(f"Invalid settings for the {settings.assessor} assessor: {exc}") from None


@hookimpl
def register_responders(register: Register) -> None:
    def offline(settings: Settings) -> object:
        from lastresort.responders.offline import OfflineResponder

        return OfflineResponder()

    register("offline", offline)

    # The SDKs are optional extras, imported only when their responder is configured.
    def anthropic(settings: Settings) -> object:
        try:
            from lastresort.responders.anthropic_messages import AnthropicResponder
        except ImportError as exc:
            raise _missing("anthropic", exc) from None
        return AnthropicResponder.from_settings(settings)

    def openai(settings: Settings) -> object:
        try:
            from lastresort.responders.openai_chat import OpenAIResponder
        except ImportError as exc:
            raise _missing("openai", exc) from None
        return OpenAIResponder.from_settings(settings)

    register("anthropic", anthropic)
    register("openai", openai)


def _missing(extra: str, exc: ImportError) -> InvalidInput:
    return InvalidInput(f"The {extra} responder needs the {extra} SDK ({exc.name} is not installed): "
                        f"pip install 'lastresort[{extra}]'")
