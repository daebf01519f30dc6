from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from lastresort.assessors.normalize import (
    MAX_FORMS,
    _strip_invisible,
    _strip_invisible_per_character,
    collapse_repeats,
    deleet,
    despace,
    normalize,
    normalized_forms,
)


def test_canonical_form() -> None:
    assert normalize("  HeLLo\u200b  Wörld ") == "hello world"
    assert normalize("ｉｄｉｏｔ") == "idiot"  # fullwidth, via NFKC
    assert normalize("idi\u043et") == "idiot"  # Cyrillic o
    assert normalize("z\u0334\u0335a\u0336lgo") == "zalgo"  # combining marks stripped
    assert normalize("“quoted” ‘too’") == "\"quoted\" 'too'"


def test_variants() -> None:
    assert deleet("y0u ar3 an 1d10t") == "you are an idiot"
    assert deleet("2 cores and 1999") == "2 cores and 1999"  # digits alone are numbers, not leet
    assert despace("i d i o t") == "idiot" and despace("f.u.c.k off") == "fuck off"
    assert despace("a s t u p i d bot", keep_leading_word=True) == "a stupid bot"
    assert collapse_repeats("stuuuupid") == "stuupid" and collapse_repeats("stuuuupid", 1) == "stupid"


def test_ordinary_text_has_one_form_and_obfuscated_text_several() -> None:
    assert normalized_forms("How do I kill a Python process?") == ("how do i kill a python process?",)
    forms = normalized_forms("y0u are a s t u u u p i d b0t")
    assert any("stupid" in f for f in forms) and len(forms) <= MAX_FORMS


@given(st.text(max_size=300))
def test_never_raises_and_is_bounded(text: str) -> None:
    forms = normalized_forms(text)
    assert 1 <= len(forms) <= MAX_FORMS and all(isinstance(f, str) for f in forms)


@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=200))
def test_the_ascii_fast_path_strips_what_the_general_path_strips(text: str) -> None:
    assert _strip_invisible(text) == _strip_invisible_per_character(text)


def test_invisible_and_control_characters() -> None:
    assert _strip_invisible("a\x00b\tc\nd\x7fe\r") == "a b\tc\nd e "
    assert _strip_invisible("k\u200bi\u2060l\u00adl é\x01") == "kill é "
