"""Assessors: score one message, in the context of its path, per harm category."""
