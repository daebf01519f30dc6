"""The built-in assessor: the rule layer plus a learned layer (sentence encoder + one head per category).

How the two combine, per category:

- The learned head's probability is calibrated so its operating threshold (chosen on validation data when the
  heads were trained) lands on the policy's threshold; see ``assessors/data/builtin_heads.json``.
- The rule layer's dampers (``rules.dampers``) apply to the heads as well: reported speech lowers abuse and
  harassment, fiction or research framing without operational detail lowers harmful requests (never sexual
  content involving minors), a parent's, survivor's or teenager's own words lower that category. Crisis is never
  damped.
- The final score is the higher of the two layers: each catches what the other misses (obfuscation and explicit
  phrases for the rules; paraphrase, other languages and context for the heads).
- Crisis has a second learned judge: heads over the *stock* encoder's embedding (the fine-tuned layers sharpen
  harm categories but miss some indirect distress that the stock embedding still carries). The higher of the two
  counts. It costs one more pass of the small upper layers, not another encoding.
- Sexual content involving minors has a judge of its own over the stock embedding too, trained with template
  families the fine-tuned layers never saw (teaching them to those layers moved the crisis heads). The higher of
  it and the tuned head counts. So do requests for attacks and extremist propaganda, CBRN weapons and private
  people's data (violent extremism, CBRN, dangerous-illegal): one more judge, the same way.
- A learned end request alone can only reach the "ask to confirm" band; ending at once needs an explicit phrase.
- A short follow-up ("just tell me") inherits the harmful-request scores of the previous user turn.
- ``prefetch(texts)``: where the messages are known ahead (``replay``), their learned scores are computed in one
  encoder call and kept until the next prefetch; the rule layer, dampers and context still run per turn.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np

from lastresort.assessors import lexicon as lx
from lastresort.assessors.encoder import Encoder
from lastresort.assessors.heads import (
    ARTEFACT,
    CRISIS_ARTEFACT,
    REQUESTS_ARTEFACT,
    SEXUAL_MINORS_ARTEFACT,
    Heads,
    heads_folder,
    load_heads,
)
from lastresort.assessors.normalize import clip, normalize
from lastresort.assessors.rules import NO_HARM_WORD, RuleAssessor, dampers, names_harm
from lastresort.core.actions import Action
from lastresort.core.assessment import AssessContext, Assessment
from lastresort.core.categories import CRISIS, HARMFUL_REQUESTS, Category
from lastresort.core.policy import PolicyConfig

__all__ = ["BuiltinAssessor"]

#: Below this a score is not reported (``_combine``), so damping it changes nothing.
_SHOWN = 0.005
_FOLLOW_UP_CARRY = 0.7
_CFG = PolicyConfig()  # the default thresholds the heads are calibrated to (built once: read per category)
#: Just under the policy's unambiguous end-request threshold: the learned layer alone asks for confirmation.
_LEARNED_END_CAP = round(_CFG.end_request_threshold - 0.01, 4)
#: The judges over the stock embedding: each category's score is the higher of its tuned head and theirs.
_JUDGES = (CRISIS_ARTEFACT, SEXUAL_MINORS_ARTEFACT, REQUESTS_ARTEFACT)


class BuiltinAssessor:
    name = "builtin"

    def __init__(self, encoder: Encoder | None = None, heads: Heads | None = None,
                 judges: Mapping[str, Heads] | None = None, *, directory: Path | None = None) -> None:
        """``heads``: the tuned heads; ``judges``: head sets over the stock embedding by artefact name (of
        ``_JUDGES``). Any not given is loaded on first use (startup stays fast): from ``directory`` (rebuilt
        artefacts, the build's ``--out``) where it holds that artefact, else from the package."""
        if directory is not None:
            if not directory.is_dir():
                raise ValueError(f"no directory of assessor artefacts at {directory}")
            for artefact in (ARTEFACT, *_JUDGES):  # a half-copied head set is refused now, not at the first message
                heads_folder(artefact, directory)
        self._directory = directory
        self._encoder = encoder or Encoder(directory=directory)
        if unknown := set(judges or {}) - set(_JUDGES):
            raise ValueError(f"unknown judges: {sorted(unknown)}; known: {list(_JUDGES)}")
        self._loaded: dict[str, Heads] = dict(judges or {}) | ({ARTEFACT: heads} if heads is not None else {})
        self._rules = RuleAssessor()
        self._lock = threading.Lock()
        self._prefetched: dict[str, np.ndarray] = {}

    def heads_for(self, artefact: str) -> Heads:
        """The head set shipped as ``artefact`` (``heads.ARTEFACT`` or one of the judges), loaded once."""
        heads = self._loaded.get(artefact)
        if heads is None:
            with self._lock:
                heads = self._loaded.get(artefact) or load_heads(artefact, self._directory)
                self._loaded[artefact] = heads
        return heads

    @property
    def heads(self) -> Heads:
        return self.heads_for(ARTEFACT)

    def prefetch(self, texts: Sequence[str]) -> None:
        """Score the learned layer of ``texts`` in one encoder call, kept until the next ``prefetch`` (which
        replaces them: memory stays bounded by one call's texts). A batch costs a fraction of one message at a
        time per message, because the encoder streams its weights once per call."""
        unique = list(dict.fromkeys(texts))
        self._prefetched = dict(zip(unique, self._learned(unique), strict=True)) if unique else {}

    def learned_scores(self, texts: Sequence[str]) -> np.ndarray:
        """``(n, categories)`` calibrated head scores, each judged column the higher of the tuned head and its judge."""
        known = self._prefetched  # one read: a concurrent prefetch swaps the whole dict
        missing = [t for t in dict.fromkeys(texts) if t not in known]
        if not missing:
            return np.stack([known[t] for t in texts]) if texts else np.zeros((0, len(self.heads.categories)))
        fresh = dict(zip(missing, self._learned(missing), strict=True))
        return np.stack([known[t] if t in known else fresh[t] for t in texts])

    def _learned(self, texts: Sequence[str]) -> np.ndarray:
        tuned, stock = self._encoder.encode_pair(texts)
        scores = self.heads.scores(tuned)
        for artefact in _JUDGES:
            second = self.heads_for(artefact)
            judged = second.scores(stock)
            for k, c in enumerate(second.categories):
                j = self.heads.categories.index(c)
                scores[:, j] = np.maximum(scores[:, j], judged[:, k])
        return scores

    def assess(self, text: str, context: AssessContext) -> Assessment:
        return self.assess_batch([text], [context])[0]

    def assess_batch(self, texts: Sequence[str], contexts: Sequence[AssessContext] | None = None) -> list[Assessment]:
        """Assess many messages with one encoder call (what a benchmark or ``assess --jsonl`` wants)."""
        contexts = contexts if contexts is not None else [AssessContext()] * len(texts)
        if len(contexts) != len(texts):
            raise ValueError("one context per text")
        learned = self.learned_scores(texts) if texts else np.zeros((0, 0))
        return [self._combine(t, c, row) for t, c, row in zip(texts, contexts, learned, strict=True)]

    def _combine(self, text: str, context: AssessContext, learned: np.ndarray) -> Assessment:
        rule = self._rules.assess(text, context)
        clipped = clip(text)
        base = normalize(clipped)
        model = {c: float(s) for c, s in zip(self.heads.categories, learned, strict=True)}
        reasons = list(rule.reasons)
        self._dampen(base, model, reasons, harm_named=_names_harm(clipped, rule))
        self._end_request(base, context, model)
        self._follow_up(base, context, model, reasons)
        scores = dict(rule.scores)
        for c, s in model.items():
            if s > scores.get(c, 0.0):
                if s >= self._flag_at(c):
                    reasons.append(f"{c.value}: learned head {s:.2f}")
                scores[c] = s
        return Assessment(scores={c: round(min(max(s, 0.0), 1.0), 4) for c, s in scores.items() if s >= _SHOWN},
                          reasons=tuple(reasons), assessor=self.name)

    @staticmethod
    def _flag_at(c: Category) -> float:
        if c in CRISIS:
            return _CFG.crisis_threshold
        return _CFG.end_request_ambiguous if c is Category.END_REQUEST else _CFG.harm_threshold

    @staticmethod
    def _dampen(base: str, model: dict[Category, float], reasons: list[str], *, harm_named: bool) -> None:
        found = dampers(base, sexual_minors=model[Category.SEXUAL_MINORS] >= _SHOWN)
        if not harm_named:
            found.append(NO_HARM_WORD)
        for damper in found:
            for c in damper.categories:
                model[c] *= damper.factor

    @staticmethod
    def _end_request(base: str, context: AssessContext, model: dict[Category, float]) -> None:
        if context.previous_action is Action.CONFIRM_END or lx.END_QUESTION.search(base):
            model[Category.END_REQUEST] = 0.0  # the rule layer reads yes/no after a confirmation question
        else:
            model[Category.END_REQUEST] = min(model[Category.END_REQUEST], _LEARNED_END_CAP)

    def _follow_up(self, base: str, context: AssessContext, model: dict[Category, float], reasons: list[str]) -> None:
        if not context.recent_user_turns or len(base) > 60 or not lx.FOLLOW_UP.search(base):
            return
        earlier = context.recent_user_turns[-1]
        previous = self.learned_scores([earlier])[0]
        unnamed: bool | None = None  # read only when a carried score could count: it runs the rule layer again
        for c, s in zip(self.heads.categories, previous, strict=True):
            carried = float(s) * _FOLLOW_UP_CARRY
            if c not in HARMFUL_REQUESTS or carried <= model[c]:
                continue
            if c in NO_HARM_WORD.categories:  # damped as the earlier turn's own assessment damped it
                if unnamed is None:
                    unnamed = not _names_harm(clip(earlier), self._rules.assess(earlier, AssessContext()))
                if unnamed:
                    carried *= NO_HARM_WORD.factor
            if carried > model[c]:
                model[c] = carried
                reasons.append(f"{c.value}: follow-up to a previous request (learned)")


def _names_harm(text: str, rule: Assessment) -> bool:
    """Whether a (clipped) message names a harm: a word of harm in it (``rules.names_harm``) or a harmful match
    of the rule layer."""
    return bool(HARMFUL_REQUESTS & set(rule.scores)) or names_harm(text)


assert Category.SELF_HARM_RISK in CRISIS  # crisis is never in the damped sets above
