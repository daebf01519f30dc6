"""The built-in assessor and responder, registered the same way a third-party plugin would be."""

from __future__ import annotations

from lastresort.config import Settings
from lastresort.errors import InvalidInput
from lastresort.hookspecs import Register, hookimpl


@hookimpl
def register_assessors(register: Register) -> None:
    def rules(settings: Settings) -> object:
        from lastresort.assessors.rules import RuleAssessor

        return RuleAssessor()

    register("rules", rules)


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
