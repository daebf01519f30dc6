"""Needles: the literals that gate the lexicon's patterns must never hide a match."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lastresort.assessors import lexicon as lx
from lastresort.assessors.needles import MAX_NEEDLES, MIN_NEEDLE, Gated, needles

_NAMED = ("REPORTED", "FICTION", "RESEARCH", "OPERATIONAL", "NEGATED_SELF_HARM", "END_QUESTION", "FOLLOW_UP", "YES",
          "NO")
LEXICON = [p for rules in lx.LEXICON.values() for p, _, _ in rules] + [getattr(lx, name) for name in _NAMED]


@pytest.mark.parametrize(("pattern", "expected"), [
    (r"\bkill (?:him|her)\b", ("kill her", "kill him")),  # a branch joins the literal run around it
    (r"colou?r", ("color", "colour")),  # an optional letter: both spellings
    (r"(?:kill){1,3} u", ("kill",)),  # a repeat needs one copy
    (r"\b(?:you|u) are (?:dumb|stupid)", ("u are dumb", "u are stupid")),  # "you are dumb" holds "u are dumb"
    (r"(?:stupid|dumb) (?:\w+ )?bot", ("bot",)),  # a word of any letters breaks the run; one needle beats two
    (r"^\W*(?:hi|yo)\W*$", None),  # nothing three letters long is certain
    (r"a.b|c.d", None),
    (r"(?:ha)+", None),
    (r"(?i)kill", None),  # a case-blind pattern matches text its literals are not in
    (r"(?i:kill) yourself", (" yourself",)),  # only the case-blind part is given up
    (r"(?=.*bomb)how", ("how",)),  # a lookahead asks nothing of the span it matches
    (r"how to (?=.*bomb)\w+", ("how to ",)),
    (r"[^a-z]kill", ("kill",)),
    (r"x{0}(?:knife|gun)s?", ("gun", "knife")),
])
def test_needles_of_small_patterns(pattern: str, expected: tuple[str, ...] | None) -> None:
    assert needles(re.compile(pattern)) == expected


def test_many_alternatives_are_covered_by_a_word_they_share() -> None:
    pattern = re.compile(r"\bi will kill (?:" + "|".join(f"the {w}" for w in (
        "cat", "dog", "cow", "pig", "hen", "fox", "owl", "bee", "ant", "elk", "yak", "emu", "ram", "doe")) + r")\b")
    assert needles(pattern) == ("will",)  # every match holds "will": one test instead of fourteen


def test_too_many_distinct_alternatives_give_no_needles() -> None:
    words = [f"{a}{b}{c}" for a in "bcdf" for b in "aeiou" for c in "gkp"][:MAX_NEEDLES + 5]
    assert needles(re.compile(r"\b(?:" + "|".join(words) + r")\b")) is None


def test_a_gated_pattern_answers_as_its_regex_does() -> None:
    gated = Gated(re.compile(r"\bkill (?:him|her)\b"))
    for text in ("i will kill him now", "skill hero", "kill them", "", "kill her"):
        plain = gated.regex.search(text)
        found = gated.search(text)
        assert (found and found.span()) == (plain and plain.span())
    assert gated.pattern == r"\bkill (?:him|her)\b" and gated.flags == gated.regex.flags


def test_most_of_the_lexicon_is_gated() -> None:
    # A newer Python whose parser tree the analysis does not follow would leave the patterns ungated: the same
    # matches, but slower. Make that visible.
    gated = [p for p in LEXICON if p.needles is not None]
    assert len(gated) >= 0.75 * len(LEXICON), f"{len(gated)} of {len(LEXICON)}"
    assert all(len(p.needles or ()) <= MAX_NEEDLES and min(map(len, p.needles or ("xxx",))) >= MIN_NEEDLE
               for p in LEXICON)


@pytest.mark.parametrize("pattern", [p for p in LEXICON if p.needles is not None], ids=lambda p: p.pattern[:40])
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(data=st.data())
def test_every_string_a_lexicon_pattern_matches_holds_one_of_its_needles(pattern: Gated, data: st.DataObject) -> None:
    text = data.draw(st.from_regex(pattern.regex))
    assert pattern.regex.search(text)
    assert any(n in text for n in pattern.needles or ()), (text, pattern.needles)
    assert pattern.search(text) is not None
