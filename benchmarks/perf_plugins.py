"""The "safety off" side of the performance benchmark: an assessor that returns no scores.

Registered only inside the benchmark (``LASTRESORT_PLUGINS=perf_plugins`` with ``benchmarks/`` on the path), so
a turn through it costs everything a real turn costs except the assessment itself.
"""

from __future__ import annotations

from lastresort.config import Settings
from lastresort.core.assessment import AssessContext, Assessment
from lastresort.hookspecs import Register, hookimpl


class PassThroughAssessor:
    name = "passthrough"

    def assess(self, text: str, context: AssessContext) -> Assessment:
        return Assessment(assessor=self.name)


@hookimpl
def register_assessors(register: Register) -> None:
    def passthrough(settings: Settings) -> object:
        return PassThroughAssessor()

    register("passthrough", passthrough)
