"""Text normalisation for lexicon matching: pure functions, no I/O, never raise on a ``str``.

Obfuscation ("y0u ar3 an 1d10t", "i d i o t", "stuuuupid", a Cyrillic "о" inside "idiot", zero-width spaces)
is undone in two steps. :func:`normalize` makes one canonical form: NFKC, homoglyphs folded to Latin,
casefolded, accents and combining marks (zalgo) removed, invisible characters dropped, whitespace and quote
marks made uniform. :func:`normalized_forms` then derives a few *variants* of it (de-spaced, de-leeted,
repeats collapsed) that the matcher tries as well. Variants never replace the canonical form, so ordinary text
("2 cores", "e.g.", "see the 3 bees") is always also matched as written.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "MAX_FORMS",
    "collapse_repeats",
    "deleet",
    "despace",
    "normalize",
    "normalized_forms",
]

#: Invisible characters used to split words ("id\u200biot"). The named ones are the usual suspects; every other
#: format character (Unicode category Cf: bidi controls, soft hyphen, tags) is dropped as well.
_ZERO_WIDTH = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad\u180e")

#: Look-alike letters folded to Latin. Cyrillic and Greek letters that render like Latin ones are the common
#: way to slip a word past a lexicon; folding them in genuinely Cyrillic or Greek text only produces garbage
#: that no English lexicon phrase matches, so it is applied everywhere.
_HOMOGLYPHS: dict[int, str] = str.maketrans(
    {
        # Cyrillic, lower case
        "а": "a", "в": "b", "е": "e", "ё": "e", "һ": "h", "і": "i", "ї": "i", "ј": "j", "к": "k",
        "м": "m", "н": "h", "о": "o", "р": "p", "с": "c", "ѕ": "s", "т": "t", "у": "y", "х": "x",
        "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ɡ": "g",
        # Cyrillic, upper case (some only look Latin before casefolding)
        "А": "a", "В": "b", "Е": "e", "Ё": "e", "Н": "h", "І": "i", "Ї": "i", "Ј": "j", "К": "k",
        "М": "m", "О": "o", "Р": "p", "С": "c", "Ѕ": "s", "Т": "t", "У": "y", "Х": "x", "Ӏ": "l",
        # Greek
        "α": "a", "β": "b", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
        "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c",
        "Α": "a", "Β": "b", "Ε": "e", "Η": "h", "Ι": "i", "Κ": "k", "Μ": "m", "Ν": "n", "Ο": "o",
        "Ρ": "p", "Τ": "t", "Υ": "y", "Χ": "x", "Ζ": "z",
        # Latin look-alikes outside ASCII that NFKC leaves alone
        "ı": "i", "ȷ": "j", "ł": "l", "ø": "o", "đ": "d", "ħ": "h",
        # Quote marks, so quoted-speech detection sees one kind of each
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'", "\u00b4": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"', "\u00ab": '"',
        "\u00bb": '"',
    }
)

#: Leetspeak substitutions, applied only inside tokens that also hold a letter (so "2 cores" and "1999" are
#: left alone). "1" is ambiguous between "i" and "l": :func:`normalized_forms` tries both.
_LEET: dict[str, str] = {
    "0": "o", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g", "@": "a", "$": "s", "€": "e",
    "+": "t", "|": "l", "!": "i",
}
# A token is a maximal run of letters, digits and leet symbols; it is de-leeted only if it holds a letter.
_TOKEN = re.compile(r"(?:[^\W_]|[@$€+|!])+")
_LEETISH = re.compile(r"[0-9@$€+|!]")
_HAS_LETTER = re.compile(r"[^\W\d_]")

# "i d i o t", "f.u.c.k", "s-t-u-p-i-d", "1 d 1 0 t": three or more single letters/digits with separators.
_SPACED = re.compile(r"(?<![^\W_])[^\W_](?:[ .\-_*~·•]{1,3}[^\W_](?![^\W_])){2,}")
_SPACED_SEP = re.compile(r"[ .\-_*~·•]+")

_REPEAT3 = re.compile(r"([^\W\d_])\1{2,}")
_WS = re.compile(r"[^\S\n]+")
_NL = re.compile(r"\s*\n\s*")

#: Upper bound on the variants :func:`normalized_forms` returns, so the matcher's cost stays bounded.
MAX_FORMS = 12


#: ASCII has no format or zero-width characters; its control characters other than newline and tab are these.
_ASCII_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _strip_invisible(text: str) -> str:
    if text.isascii():  # most messages: one C-level pass instead of a Unicode lookup per character
        return _ASCII_CONTROL.sub(" ", text)
    return _strip_invisible_per_character(text)


def _strip_invisible_per_character(text: str) -> str:
    out: list[str] = []
    for ch in text:
        if ch in _ZERO_WIDTH:
            continue
        cat = unicodedata.category(ch)
        if cat == "Cf":
            continue
        if cat == "Cc" and ch not in "\n\t":
            out.append(" ")  # a control character still separates words
            continue
        out.append(ch)
    return "".join(out)


def _strip_marks(text: str) -> str:
    if text.isascii():  # nothing to decompose
        return text
    # NFD splits "é" into "e" + accent; dropping the marks also removes zalgo-style stacks of diacritics.
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


#: A long message is read in its first and last parts (see ``clip``): the rule layer's ~400 patterns and the
#: encoder's cost stay bounded, and a harmful request cannot be hidden at the end of a long paste.
MAX_CHARS = 1_200


def clip(text: str) -> str:
    """The part of a message the assessor reads: all of it, or its first and last ``MAX_CHARS // 2`` characters."""
    if len(text) > MAX_CHARS:
        return text[: MAX_CHARS // 2] + "\n" + text[-MAX_CHARS // 2:]
    return text


@lru_cache(maxsize=32)  # one message is normalised by the rules, the framing checks and the encoder alike
def normalize(text: str) -> str:
    """The canonical form: NFKC, homoglyphs folded, casefolded, unaccented, invisibles removed, spaces tidied.

    Fullwidth and mathematical letters ("ｉｄｉｏｔ", "𝐢𝐝𝐢𝐨𝐭") fold through NFKC; accents go so that the lexicons
    can be written once without them ("conversación" -> "conversacion", "Gespräch" -> "gesprach").
    """
    text = _strip_invisible(text)
    text = unicodedata.normalize("NFKC", text)
    text = text.translate(_HOMOGLYPHS).casefold()
    text = _strip_marks(text)
    text = _WS.sub(" ", text)
    text = _NL.sub("\n", text)
    return text.strip()


def deleet(text: str, one: str = "i") -> str:
    """Undo leetspeak inside tokens that also hold a letter: "y0u ar3 an 1d10t" -> "you are an idiot".

    ``one`` is what "1" becomes ("i" or "l"). A token of digits only ("2", "1999") is left as it is.
    """

    def fix(m: re.Match[str]) -> str:
        token = m.group(0)
        if not _HAS_LETTER.search(token):
            return token
        chars = list(token)
        for i, ch in enumerate(chars):
            if ch == "1":
                chars[i] = one
            elif ch == "!":
                # Only inside a word: "b!tch" -> "bitch", but "idiot!" keeps its exclamation mark.
                inside = 0 < i < len(chars) - 1 and chars[i + 1].isalpha()
                leading = i == 0 and len(chars) > 1 and chars[1].isalpha()
                if inside or leading:
                    chars[i] = "i"
            elif ch in _LEET:
                chars[i] = _LEET[ch]
        return "".join(chars)

    return _TOKEN.sub(fix, text)


def despace(text: str, *, keep_leading_word: bool = False) -> str:
    """Join spaced-out letters: "i d i o t" -> "idiot", "f.u.c.k" -> "fuck".

    With ``keep_leading_word`` a leading "a" or "i" stays a word of its own ("a s t u p i d bot" ->
    "a stupid bot"), since the article is usually not part of the hidden word.
    """

    def join(m: re.Match[str]) -> str:
        joined = _SPACED_SEP.sub("", m.group(0))
        if keep_leading_word and len(joined) > 3 and joined[0] in "ai":
            return joined[0] + " " + joined[1:]
        return joined

    return _SPACED.sub(join, text)


def collapse_repeats(text: str, keep: int = 2) -> str:
    """Collapse a letter repeated three or more times to ``keep`` copies: "stuuuupid" -> "stuupid" (2)/"stupid" (1)."""
    if keep < 1:
        raise ValueError("keep must be at least 1")
    return _REPEAT3.sub(lambda m: m.group(1) * keep, text)


def normalized_forms(text: str) -> tuple[str, ...]:
    """The canonical form first, then each distinct variant worth matching against (at most ``MAX_FORMS``).

    Ordinary text yields a single form; each obfuscation present adds a few. Order is stable.
    """
    base = normalize(text)
    forms: dict[str, None] = {base: None}
    spaced = [base]
    if _SPACED.search(base):
        spaced += [despace(base), despace(base, keep_leading_word=True)]
    for s in spaced:
        leeted = [s]
        if _LEETISH.search(s):
            leeted += [deleet(s, "i"), deleet(s, "l")]
        for t in leeted:
            forms[t] = None
            if _REPEAT3.search(t):
                forms[collapse_repeats(t, 2)] = None
                forms[collapse_repeats(t, 1)] = None
    return tuple(forms)[:MAX_FORMS]
