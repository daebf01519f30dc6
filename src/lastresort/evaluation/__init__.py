"""``lastresort eval``: suites of scripted conversations, a parallel runner, reports and comparisons."""

from lastresort.evaluation.suite import EXPECTED, Conversation, SuiteError, read_suite, write_suite

__all__ = ["EXPECTED", "Conversation", "SuiteError", "read_suite", "write_suite"]
