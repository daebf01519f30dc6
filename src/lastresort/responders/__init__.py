"""Responders: write the assistant message for the action the policy chose."""
