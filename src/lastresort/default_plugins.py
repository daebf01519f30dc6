"""The built-in assessor and responder, registered the same way a third-party plugin would be."""

from __future__ import annotations

from lastresort.config import Settings
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
