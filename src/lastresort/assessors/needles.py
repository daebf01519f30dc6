"""Needles: literal strings one of which every match of a regular expression must contain.

Python's ``re`` tries a pattern at every position of a text; ``needle in text`` scans for a literal in C many
times faster. So a :class:`Gated` pattern first asks whether the text holds any of its needles and runs the
regular expression only if it does. The matches are the same by construction: the needles are a necessary
condition, derived from the parsed pattern (never written by hand, so they cannot drift from it), and a
construct the analysis does not follow gives no needles, so that pattern always runs.

The analysis walks the parse tree ``re`` itself builds. For each node it keeps the finite set of strings the
node can match (while that set is small) and candidate *needle sets*: sets such that every match of the node
contains one of their strings. A sequence concatenates its children's exact sets into longer strings; a
branch unites one needle set from each alternative; an optional part contributes nothing. The cheapest
candidate wins: fewest strings, longest shortest string.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

# The parser re compiles with. It is private: a node it makes that ``_node`` does not know only means no needles,
# and tests check that most of the lexicon stays gated.
from re import _constants as _k  # type: ignore[attr-defined]
from re import _parser as _p  # type: ignore[attr-defined]
from typing import Any, NamedTuple

__all__ = ["MAX_NEEDLES", "MIN_NEEDLE", "Gated", "needles"]

#: A shorter needle ("a", "to") is in almost every text and gates nothing.
MIN_NEEDLE = 3
#: Beyond this many ``in`` checks a text costs about what the regular expression itself does.
MAX_NEEDLES = 12
_MAX_EXACT = 64  # the exact strings of a node are tracked up to this many, then given up
_RANGE = 12  # a character class is expanded to its characters up to this many


class _Node(NamedTuple):
    exact: frozenset[str] | None  # every string the node matches, when known and few
    needed: tuple[frozenset[str], ...]  # needle sets: every match of the node contains a string of each


_ANYTHING = _Node(None, ())
_EMPTY = _Node(frozenset({""}), ())


def needles(regex: re.Pattern[str]) -> tuple[str, ...] | None:
    """The needles of ``regex``, or ``None`` where none can be derived (the pattern must then always run)."""
    if regex.flags & re.IGNORECASE:
        return None  # a case-blind pattern matches strings its literals do not contain
    try:
        node = _sequence(_p.parse(regex.pattern, regex.flags))
    except Exception:  # noqa: BLE001 - an unfamiliar parse tree only means no gate
        return None
    best = _cheapest(_candidates(node))
    return tuple(sorted(best)) if best is not None else None


class Gated:
    """A compiled pattern behind its needles: ``search`` gives exactly what ``regex.search`` gives."""

    __slots__ = ("_derived", "_needles", "regex")

    def __init__(self, regex: re.Pattern[str]) -> None:
        self.regex = regex
        self._needles: tuple[str, ...] | None = None
        self._derived = False  # the needles are derived on first use: importing the lexicon stays fast

    @property
    def needles(self) -> tuple[str, ...] | None:
        if not self._derived:
            self._needles = needles(self.regex)  # idempotent: a race only derives them twice
            self._derived = True
        return self._needles

    @property
    def pattern(self) -> str:
        return self.regex.pattern

    @property
    def flags(self) -> int:
        return self.regex.flags

    def search(self, text: str) -> re.Match[str] | None:
        found = self.needles
        if found is not None and not any(n in text for n in found):
            return None
        return self.regex.search(text)

    def __repr__(self) -> str:
        return f"Gated({self.regex.pattern!r}, needles={self.needles!r})"


def _candidates(node: _Node) -> list[frozenset[str]]:
    sets = list(node.needed)
    if node.exact is not None and "" not in node.exact:
        sets.append(node.exact)
    return [s for s in sets if s and "" not in s]


def _cheapest(sets: Iterable[frozenset[str]]) -> frozenset[str] | None:
    usable = [_shrink(s) for s in sets if min(map(len, s)) >= MIN_NEEDLE]
    usable = [s for s in usable if len(s) <= MAX_NEEDLES]
    if not usable:
        return None
    return min(usable, key=lambda s: (len(s), -min(map(len, s)), sorted(s)))


def _shrink(strings: frozenset[str]) -> frozenset[str]:
    """Fewer needles for the same condition or a weaker one: drop a string that holds another of the set, then,
    while there are too many, cover them by words they share (a word of a string is in every text that holds
    the string, so the condition stays necessary)."""
    kept = frozenset(s for s in strings if not any(o != s and o in s for o in strings))
    if len(kept) <= MAX_NEEDLES:
        return kept
    words = {s: {w for w in s.split(" ") if len(w) > MIN_NEEDLE} | {s} for s in kept}
    uncovered, chosen = set(kept), set()
    while uncovered:
        counts: dict[str, int] = {}
        for s in uncovered:
            for w in words[s]:
                counts[w] = counts.get(w, 0) + 1
        word = max(counts, key=lambda w: (counts[w], len(w), w))
        chosen.add(word)
        uncovered = {s for s in uncovered if word not in s}
    return frozenset(chosen)


def _sequence(items: Sequence[tuple[Any, Any]]) -> _Node:
    needed: list[frozenset[str]] = []
    run: frozenset[str] | None = frozenset({""})  # the exact strings of the current run of known nodes
    whole = True  # whether ``run`` still spans the whole sequence
    for op, av in items:
        node = _node(op, av)
        needed += _candidates(node)
        if node.exact is None:
            if run is not None:
                needed += _candidates(_Node(run, ()))
            run, whole = None, False
            continue
        if run is None:
            run = frozenset({""})
        joined = frozenset(a + b for a in run for b in node.exact)
        if len(joined) > _MAX_EXACT:
            needed += _candidates(_Node(run, ()))
            run, whole = node.exact, False
        else:
            run = joined
    if run is not None:
        needed += _candidates(_Node(run, ()))
    return _Node(run if whole else None, tuple(dict.fromkeys(needed)))


def _node(op: Any, av: Any) -> _Node:
    if op is _k.LITERAL:
        return _Node(frozenset({chr(av)}), ())
    if op is _k.IN:
        return _Node(_characters(av), ())
    if op is _k.SUBPATTERN:
        add_flags, del_flags = av[1], av[2]
        if (add_flags | del_flags) & re.IGNORECASE:
            return _ANYTHING
        return _sequence(av[3])
    if op is _k.ATOMIC_GROUP:
        return _sequence(av)
    if op is _k.BRANCH:
        return _branch([_sequence(b) for b in av[1]])
    if op in (_k.MAX_REPEAT, _k.MIN_REPEAT, _k.POSSESSIVE_REPEAT):
        low, high, item = av
        inner = _sequence(item)
        if low == 0:
            if high == 1 and inner.exact is not None and len(inner.exact) < _MAX_EXACT:
                return _Node(inner.exact | {""}, ())
            return _EMPTY if high == 0 else _ANYTHING
        if low == high == 1:
            return inner
        return _Node(None, tuple(_candidates(inner)))  # at least once: what one copy needs
    if op in (_k.AT, _k.ASSERT, _k.ASSERT_NOT):
        return _EMPTY  # zero-width: asks nothing of the text the match spans
    return _ANYTHING  # any character, a negated or wide class, a back-reference ...


def _characters(items: Sequence[tuple[Any, Any]]) -> frozenset[str] | None:
    chars: set[str] = set()
    for op, av in items:
        if op is _k.LITERAL:
            chars.add(chr(av))
        elif op is _k.RANGE and av[1] - av[0] < _RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        else:  # a negation, a category (\w, \s) or a wide range
            return None
    return frozenset(chars)


def _branch(alternatives: list[_Node]) -> _Node:
    exact: frozenset[str] | None = None
    if all(a.exact is not None for a in alternatives):
        united = frozenset().union(*(a.exact for a in alternatives if a.exact is not None))
        exact = united if len(united) <= _MAX_EXACT else None
    # every match takes one alternative, so it holds a needle of that alternative's own best set
    chosen = [_cheapest(_candidates(a)) for a in alternatives]
    if any(c is None for c in chosen):
        return _Node(exact, ())
    return _Node(exact, (frozenset().union(*(c for c in chosen if c is not None)),))
