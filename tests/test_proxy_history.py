"""Turning a chat-completions history into stored turns and their hash chain."""

from __future__ import annotations

import pytest

from lastresort.errors import InvalidInput
from lastresort.proxy.history import Turn, chain, message_text, seed, turns


def test_system_messages_and_leading_greetings_are_left_out_and_runs_merge() -> None:
    messages = [{"role": "system", "content": "be kind"}, {"role": "assistant", "content": "Hi! How can I help?"},
                {"role": "user", "content": "one"}, {"role": "user", "content": "two"},
                {"role": "developer", "content": "x"}, {"role": "assistant", "content": "reply"}]
    assert turns(messages) == [Turn("user", "one\n\ntwo"), Turn("assistant", "reply")]


def test_a_tool_exchange_is_one_assistant_turn_written_as_text() -> None:
    messages = [{"role": "user", "content": "weather?"},
                {"role": "assistant", "content": None, "tool_calls": [
                    {"id": "c", "type": "function", "function": {"name": "w", "arguments": '{"b": 1, "a": 2}'}}]},
                {"role": "tool", "tool_call_id": "c", "content": "sunny"},
                {"role": "assistant", "content": "It is sunny."}]
    assert turns(messages) == [Turn("user", "weather?"), Turn("assistant", '[tool call w({"a":2,"b":1})]')]


def test_content_parts_and_whitespace_are_normalised() -> None:
    parts = {"role": "user", "content": [{"type": "text", "text": "  look   at  "},
                                         {"type": "image_url", "image_url": {"url": "data:"}}]}
    assert message_text(parts) == "look at\n[image_url]"
    assert message_text({"role": "user", "content": "caf\u0065\u0301"}) == "caf\u00e9"


def test_bad_messages_are_refused_with_a_clear_error() -> None:
    with pytest.raises(InvalidInput, match="role"):
        turns([{"role": "robot", "content": "x"}])
    with pytest.raises(InvalidInput, match="object with a role"):
        turns(["hello"])
    with pytest.raises(InvalidInput, match="content"):
        turns([{"role": "user", "content": 5}])


def test_the_chain_depends_on_the_user_the_key_and_every_earlier_turn() -> None:
    path = [Turn("user", "a"), Turn("assistant", "b"), Turn("user", "c")]
    base = chain(seed("u1", None), path)
    assert chain(seed("u1", None), path) == base
    assert chain(seed("u2", None), path)[0] != base[0]
    assert chain(seed("u1", "k"), path)[0] != base[0]
    edited = chain(seed("u1", None), [Turn("user", "a"), Turn("assistant", "B"), Turn("user", "c")])
    assert edited[0] == base[0] and edited[1] != base[1] and edited[2] != base[2]
