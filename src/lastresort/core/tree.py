"""Conversation trees as pure values.

A conversation is a tree of messages; a branch is the path from a root to a leaf. Identity belongs to the
store, so the helpers here are generic over whatever key the caller uses for a node.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Iterable, Mapping
from dataclasses import dataclass
from typing import Literal, TypeVar

from lastresort.core.assessment import Assessment
from lastresort.core.signals import ConversationSignals

__all__ = ["AssistantTurn", "Role", "Turn", "UserTurn", "children_of", "path_to", "siblings_of"]

K = TypeVar("K", bound=Hashable)
Role = Literal["user", "assistant"]


@dataclass(frozen=True, kw_only=True)
class UserTurn:
    content: str
    assessment: Assessment
    signals: ConversationSignals = ConversationSignals()  # what the shell saw on sibling branches at the time
    reinstated: bool = False  # an operator reviewed the ending this message caused and reinstated the chat
    role: Role = "user"


@dataclass(frozen=True, kw_only=True)
class AssistantTurn:
    content: str
    end_requested: bool = False  # the model asked to end the chat (e.g. an end_conversation tool call)
    reinstated: bool = False  # an operator reviewed the ending this reply caused and reinstated the chat
    role: Role = "assistant"


Turn = UserTurn | AssistantTurn


def path_to(leaf: K | None, parent_of: Callable[[K], K | None] | Mapping[K, K | None]) -> list[K]:
    """Keys from the root down to ``leaf`` (empty for ``None``). Raises ``ValueError`` on a cycle."""
    get = parent_of.__getitem__ if isinstance(parent_of, Mapping) else parent_of
    path: list[K] = []
    seen: set[K] = set()
    node = leaf
    while node is not None:
        if node in seen:
            raise ValueError(f"cycle in conversation tree at {node!r}")
        seen.add(node)
        path.append(node)
        node = get(node)
    path.reverse()
    return path


def children_of(parent: K | None, parent_of: Mapping[K, K | None]) -> list[K]:
    """Children of ``parent`` (``None`` gives the roots), in the mapping's order."""
    return [k for k, p in parent_of.items() if p == parent]


def siblings_of(node: K, parent_of: Mapping[K, K | None]) -> list[K]:
    """All nodes sharing ``node``'s parent, ``node`` included, in the mapping's order."""
    return children_of(parent_of[node], parent_of)


def leaves(parent_of: Mapping[K, K | None]) -> Iterable[K]:
    parents = set(parent_of.values())
    return (k for k in parent_of if k not in parents)
