"""The one seam every assessor implements."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from lastresort.core.assessment import AssessContext, Assessment

__all__ = ["Assessor"]


@runtime_checkable
class Assessor(Protocol):
    """Scores a user message per :class:`~lastresort.core.categories.Category`.

    ``name`` identifies the assessor in stored assessments and configuration. An assessor must not raise on
    any text a user can send; an external one raises :class:`lastresort.errors.AssessorError` on a fault so
    the service can apply its fail-open/fail-closed rule.
    """

    name: str

    def assess(self, text: str, context: AssessContext) -> Assessment: ...
