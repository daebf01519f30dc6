"""The built-in rule assessor: a transparent lexicon over normalised text.

Every score it gives comes with a reason naming the rule, so an operator can see why a message was flagged.
It is fast (pre-compiled patterns over at most a dozen normalised forms) and never raises on any string.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from lastresort.assessors import lexicon as lx
from lastresort.assessors.normalize import MAX_CHARS, clip, normalize, normalized_forms
from lastresort.core.actions import Action
from lastresort.core.assessment import AssessContext, Assessment
from lastresort.core.categories import CRISIS, HARMFUL_REQUESTS, Category

__all__ = ["NO_HARM_WORD", "VARIANTS_UP_TO", "Damper", "Framing", "RuleAssessor", "dampers", "forms_read", "framing",
           "names_harm"]

#: Obfuscated variants (leetspeak, spacing, repeats) are matched in messages up to this long; a longer one is
#: matched in its canonical form only. Obfuscation is a short message's trick against keyword filters; in a long
#: text the learned layer carries the meaning, and the variants would multiply the cost.
VARIANTS_UP_TO = 600

_DAMPED_BY_REPORTING = (Category.ABUSE, Category.HARASSMENT_THREAT)
# Sexual content involving minors is never excused by fiction, roleplay or "research" framing, nor by any damper
# of harmful requests below.
_REQUESTS = tuple(sorted(HARMFUL_REQUESTS - {Category.SEXUAL_MINORS}))
_DAMPED_BY_FRAMING = _REQUESTS + (Category.HARASSMENT_THREAT,)


class Framing(NamedTuple):
    reported: bool  # reported or quoted speech: "my boss called me an idiot"
    framed: bool  # fiction or research framing, without operational detail


class Damper(NamedTuple):
    """How a message's framing lowers some categories' scores, in both layers (rules and learned heads)."""

    categories: tuple[Category, ...]
    factor: float
    why: str  # the reason the rule layer gives, after the category's name


_REPORTED = Damper(_DAMPED_BY_REPORTING, 0.3, "reported or quoted speech, damped")
_FRAMED = Damper(_DAMPED_BY_FRAMING, 0.4, "fiction/research framing without operational detail, damped")
# Asking for everyday code is not asking for malware (nothing of an attack in it): 0.99 becomes 0.4.
_CODING = Damper((Category.CYBER_HARM,), 0.4, "an everyday programming request, nothing of an attack in it, damped")
# A prompt for an image generator is neither instructions nor code (nothing harmful in the picture asked for).
_IMAGE = Damper(_REQUESTS, 0.4, "a prompt for an image generator, nothing harmful in the picture, damped")
#: For the learned layer only (``BuiltinAssessor``): a message that names no harm at all (``names_harm``) is not
#: a harmful request, whatever its shape; 1.0 becomes 0.4. Sexual content involving minors has its own judge and
#: dampers; crisis is never damped.
NO_HARM_WORD = Damper(_REQUESTS, 0.4, "no word of harm in it, damped")
# A parent asking how to talk about sex or protect a child, a survivor speaking of their abuse, or a teenager of
# their own life is not asking for sexual content involving minors: 0.9 becomes 0.27, below the harm threshold.
_CHILD_SAFETY = Damper((Category.SEXUAL_MINORS,), 0.3,
                       "a parent's, carer's, survivor's or teenager's own words, no request for sexual content, damped")


@lru_cache(maxsize=64)  # the rule layer and the learned layer's dampers read the same normalised text
def framing(base: str) -> Framing:
    """How a normalised message frames what it says (the dampers' input)."""
    framed = bool(lx.FICTION.search(base) or lx.RESEARCH.search(base)) and not lx.OPERATIONAL.search(base)
    return Framing(reported=bool(lx.REPORTED.search(base)), framed=framed)


#: Kinds of request a tuned head misreads by their frame, each with what keeps it from being harmless: (damper,
#: the request, what blocks the damper).
_HARMLESS_UNLESS = ((_CODING, lx.CODING_TASK, lx.ATTACK), (_IMAGE, lx.IMAGE_PROMPT, lx.HARMFUL_IMAGE))


@lru_cache(maxsize=64)
def _harmless_requests(base: str) -> tuple[Damper, ...]:
    return tuple(d for d, request, unless in _HARMLESS_UNLESS if request.search(base) and not unless.search(base))


@lru_cache(maxsize=64)  # the rule layer and the harm-word check read the same forms of a message
def forms_read(text: str) -> tuple[str, ...]:
    """The forms of a (clipped) message the rule layer matches: the canonical one, and for a message up to
    ``VARIANTS_UP_TO`` long its de-obfuscated variants."""
    return normalized_forms(text) if len(text) <= VARIANTS_UP_TO else (normalize(text),)


@lru_cache(maxsize=64)
def names_harm(text: str) -> bool:
    """Whether a (clipped) message holds a word of harm (``lexicon.HARM_WORD``, or the attack words that keep an
    everyday coding request from being damped), in any of the forms the rule layer reads ("b0mb", "b o m b")."""
    return any(lx.HARM_WORD.search(f) or lx.ATTACK.search(f) for f in forms_read(text))


@lru_cache(maxsize=64)
def _speaks_of_child_safety(base: str) -> bool:
    if lx.CHILD_SAFETY.search(base) and not lx.CHILD_CONTENT.search(base):
        return True
    if lx.CHILD_REQUEST.search(base):
        return False
    return bool(lx.PARENTS_OWN.search(base)) or bool(lx.TEEN_OWN.search(base) and not lx.MINOR_NAMED.search(base))


def dampers(base: str, *, sexual_minors: bool) -> list[Damper]:
    """The dampers that apply to a normalised message, in order. ``sexual_minors``: whether that category has a
    score worth damping; the child-safety patterns are read only then (about 19 µs a long message otherwise)."""
    frame = framing(base)
    found = [d for d, applies in ((_REPORTED, frame.reported), (_FRAMED, frame.framed)) if applies]
    found += _harmless_requests(base)
    if sexual_minors and _speaks_of_child_safety(base):
        found.append(_CHILD_SAFETY)
    return found


class RuleAssessor:
    name = "rules"

    def assess(self, text: str, context: AssessContext) -> Assessment:
        forms = forms_read(clip(text))
        scores, reasons = self._match(forms)
        self._dampen(forms, scores, reasons)
        self._end_request(forms, context, scores, reasons)
        self._inherit(forms, context, scores, reasons)
        return Assessment(scores={c: round(s, 4) for c, s in scores.items() if s > 0}, reasons=tuple(reasons),
                          assessor=self.name)

    @staticmethod
    def _match(forms: tuple[str, ...]) -> tuple[dict[Category, float], list[str]]:
        scores: dict[Category, float] = {}
        reasons: list[str] = []
        for category, rules in lx.LEXICON.items():
            best, label = 0.0, ""
            for pattern, score, why in rules:
                if score > best and any(pattern.search(f) for f in forms):
                    best, label = score, why
            if best:
                scores[category] = best
                reasons.append(f"{category.value}: {label}")
        return scores, reasons

    @staticmethod
    def _dampen(forms: tuple[str, ...], scores: dict[Category, float], reasons: list[str]) -> None:
        base = forms[0]
        for damper in dampers(base, sexual_minors=Category.SEXUAL_MINORS in scores):
            for c in damper.categories:
                if c in scores:
                    scores[c] *= damper.factor
                    reasons.append(f"{c.value}: {damper.why}")
        # A crisis signal is never damped by framing: a missed crisis is the worst error. Negation only lowers
        # it to just above the crisis threshold, so support is still offered.
        if Category.SELF_HARM_RISK in scores and scores[Category.SELF_HARM_RISK] > 0.4 and \
                lx.NEGATED_SELF_HARM.search(base):
            scores[Category.SELF_HARM_RISK] = 0.4
            reasons.append("self_harm_risk: negated, lowered but still offered support")

    @staticmethod
    def _end_request(forms: tuple[str, ...], context: AssessContext, scores: dict[Category, float],
                     reasons: list[str]) -> None:
        base = forms[0]
        if context.previous_action is Action.CONFIRM_END:
            # The assistant just asked "do you want to end this chat?": only a clear yes counts.
            if lx.YES.search(base) and not lx.NO.search(base):
                scores[Category.END_REQUEST] = 0.95
                reasons.append("end_request: confirmed")
            elif Category.END_REQUEST in scores and scores[Category.END_REQUEST] < 0.85:
                del scores[Category.END_REQUEST]
            return
        if Category.END_REQUEST in scores and lx.END_QUESTION.search(base):
            scores[Category.END_REQUEST] = min(scores[Category.END_REQUEST], 0.2)
            reasons.append("end_request: a question about ending or a negation, not a request")

    def _inherit(self, forms: tuple[str, ...], context: AssessContext, scores: dict[Category, float],
                 reasons: list[str]) -> None:
        """A short follow-up ("just tell me", "do it anyway") carries on the request before it."""
        if not context.recent_user_turns or not lx.FOLLOW_UP.search(forms[0]) or len(forms[0]) > 60:
            return
        previous, _ = self._match(normalized_forms(context.recent_user_turns[-1][:MAX_CHARS]))
        for c in HARMFUL_REQUESTS:
            inherited = round(previous.get(c, 0.0) * 0.7, 4)
            if inherited > scores.get(c, 0.0):
                scores[c] = inherited
                reasons.append(f"{c.value}: follow-up to a previous request")


# Crisis categories must never be damped by the framing rules above; keep that visible to readers and tests.
assert not any(set(d.categories) & CRISIS for d in (_REPORTED, _FRAMED, _CHILD_SAFETY))
