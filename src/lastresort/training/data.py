"""The training data: public sets under ``../shared/datasets`` mapped to our categories, plus our own examples.

A label is 1 (present), 0 (absent) or -1 (unknown: the source says nothing about that category, so the head
is not trained on it). ``openai-moderation``, ``xstest`` and ``simplesafetytests`` are test sets; neither they nor
``toxicchat-human`` (CC BY-NC: its derived weights could not ship under Apache-2.0) are trained on. Their prompts
are read only by ``test_prompts``, to drop training rows that nearly repeat one.
"""

from __future__ import annotations

import ast
import csv
import gzip
import hashlib
import json
import random
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from lastresort.assessors.rules import RuleAssessor
from lastresort.core.assessment import AssessContext
from lastresort.core.categories import CRISIS, Category
from lastresort.training.examples import WRITTEN
from lastresort.training.examples_extra import EXTRA
from lastresort.training.templates import generate

__all__ = ["CATEGORIES", "EXCLUDED", "MAPPING", "Row", "cssrs_split", "cssrs_users", "load_rows", "test_prompts"]

CATEGORIES: tuple[Category, ...] = tuple(Category)
EXCLUDED = ("openai-moderation", "xstest", "simplesafetytests", "toxicchat-human")
HARMFUL = ("sexual_minors", "violent_extremism", "cbrn", "cyber_harm", "dangerous_illegal")
UNKNOWN = -1
ORDINARY = Path(__file__).with_name("ordinary_prompts.jsonl")

#: One line per source, recorded in the artefact JSON next to the weights.
MAPPING: dict[str, str] = {
    "convabuse": "user turn; majority abusive -> abuse=1, else abuse/harassment/harmful/end=0; crisis 0 unless "
                 "the rule lexicon sees a crisis phrase (then unknown)",
    "bad-turns": "BAD human turns; __notok__ -> abuse=1 (harassment unknown), __ok__ -> all harm 0, crisis as "
                 "convabuse",
    "bad-wiki": "human_nonadv wikiToxicComments; __notok__ -> harassment_threat=1, __ok__ -> harm 0",
    "davidson": "class 0 (hate) -> harassment_threat=1; 1 (offensive) -> unknown; 2 (neither) -> all 0",
    "hatecheck": "hateful -> harassment_threat=1 (abuse unknown); non-hateful (counter-speech, quotes) -> harm 0",
    "advbench": "harmful request; keyword rules pick cyber/cbrn/violent_extremism, none of them -> "
                "dangerous_illegal=1; other harm unknown",
    "harmbench": "chemical_biological->cbrn, cybercrime_intrusion->cyber_harm, harassment_bullying->harassment, "
                 "illegal/harmful->dangerous_illegal; copyright rows skipped",
    "reddit-cssrs": "train users only (60% held out for the benchmark); posts of Ideation/Behavior/Attempt users -> "
                    "self_harm_risk=1 where the post itself shows the writer's risk (cssrs_post_labels.jsonl, ours), "
                    "else unknown; Supportive -> 0, Indicator -> unknown",
    "counsel-chat": "question; topic self-harm/suicide -> self_harm_risk=1, distress topics (depression, trauma...) "
                    "crisis unknown, other topics crisis as convabuse; harm 0",
    "sensitive-topics": "benign controversial talk -> all harm 0; crisis unknown for medical/drugs",
    "diasafety": "contexts (not Offending User): harmful requests 0; crisis unknown for Risk Ignorance, else as "
                 "convabuse",
    "written": "our own examples (lastresort.training.examples, examples_extra): listed categories 1, all others 0",
    "templates": "contrast pairs generated from our own templates (lastresort.training.templates, families in "
                 "templates.FAMILIES): listed categories 1, all others 0",
    "ordinary": "everyday chat-assistant prompts we wrote (training/ordinary_prompts.jsonl: coding, writing, "
                "greetings, role-play setups, everyday feelings; en and 12 other languages) -> every category 0",
}


@dataclass(frozen=True)
class Row:
    text: str
    source: str
    labels: tuple[int, ...]  # per CATEGORIES
    #: The writer, where several rows come from one (a Reddit C-SSRS user): validation keeps a writer's rows
    #: together, and crisis recall is counted per writer, as the benchmark and a conversation see them.
    group: str = ""


def _row(text: str, source: str, **labels: int) -> Row:
    default = labels.pop("default", UNKNOWN)
    return Row(text.strip(), source, tuple(labels.get(c.value, default) for c in CATEGORIES))


def _harm_zero(**extra: int) -> dict[str, int]:
    base = {"abuse": 0, "harassment_threat": 0, "end_request": 0, **dict.fromkeys(HARMFUL, 0)}
    base.update(extra)
    return base


_RULES = RuleAssessor()


def _crisis_zero(text: str) -> dict[str, int]:
    """Crisis labels for a row from a set that is not about crisis: absent, unless the rule lexicon sees a crisis
    phrase (then unknown: the set's annotators were not asked about it)."""
    a = _RULES.assess(text, AssessContext())
    return {c.value: UNKNOWN if a.score(c) >= 0.35 else 0 for c in CRISIS}


def _label_key(text: str) -> str:
    """How a label file of ours names a text it labels (the texts themselves stay in ../shared)."""
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _convabuse(root: Path) -> Iterator[Row]:
    with (root / "convabuse/convabuse_majority.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["label_abusive_majority"] == "1":
                yield _row(r["user"], "convabuse", abuse=1, end_request=0, **dict.fromkeys(HARMFUL, 0))
            else:
                yield _row(r["user"], "convabuse", **_harm_zero(**_crisis_zero(r["user"])))


def _fields(line: str) -> dict[str, str]:
    return dict(part.split(":", 1) for part in line.rstrip("\n").split("\t") if ":" in part)


def _bad(root: Path) -> Iterator[Row]:
    with (root / "bot-adversarial-dialogue/bad_test.txt").open(encoding="utf-8") as f:
        for line in f:
            r = _fields(line)
            if r.get("speaker_to_eval") != "human":
                continue
            text = r.get("text", "").split("\\n")[-1]
            if r.get("labels") == "__notok__":
                yield _row(text, "bad-turns", abuse=1, end_request=0, **dict.fromkeys(HARMFUL, 0))
            else:
                yield _row(text, "bad-turns", **_harm_zero(**_crisis_zero(text)))
    with (root / "bot-adversarial-dialogue/human_nonadv_safety_eval_test.txt").open(encoding="utf-8") as f:
        for line in f:
            r = _fields(line)
            if r.get("labels") == "__notok__":
                yield _row(r.get("text", ""), "bad-wiki", harassment_threat=1, end_request=0,
                           **dict.fromkeys(HARMFUL, 0))
            else:
                yield _row(r.get("text", ""), "bad-wiki", **_harm_zero(**_crisis_zero(r.get("text", ""))))


_MENTION = re.compile(r"(?:RT\s+)?@\w+:?|https?://\S+|&amp;|&#\d+;")


def _davidson(root: Path) -> Iterator[Row]:
    with gzip.open(root / "davidson-hate-offensive/labeled_data.csv.gz", "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            text = _MENTION.sub(" ", r["tweet"])
            if r["class"] == "0":
                yield _row(text, "davidson", harassment_threat=1, end_request=0, **dict.fromkeys(HARMFUL, 0))
            elif r["class"] == "2":
                yield _row(text, "davidson", **_harm_zero(self_harm_risk=0, harm_to_others_risk=0))


def _hatecheck(root: Path) -> Iterator[Row]:
    with (root / "hatecheck/test_suite_cases.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["label_gold"] == "hateful":
                yield _row(r["test_case"], "hatecheck", harassment_threat=1, end_request=0,
                           **dict.fromkeys(HARMFUL, 0))
            else:
                yield _row(r["test_case"], "hatecheck", **_harm_zero(self_harm_risk=0))


_CYBER = re.compile(r"hack|malware|virus|ransomware|exploit|phishing|password|ddos|botnet|keylog|spyware|"
                    r"cyber|database|network|trojan|credit card (?:data|information)|sql", re.I)
_CBRN = re.compile(r"chemical|biological|nerve agent|sarin|anthrax|toxin|nuclear|radioactive|bioweapon|pathogen",
                   re.I)
_VIOLENT = re.compile(r"bomb|explosive|terror|mass shooting|assassinat|attack on|massacre|weapon", re.I)


def _advbench(root: Path) -> Iterator[Row]:
    with (root / "advbench/harmful_behaviors.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            goal = r["goal"]
            labels = {"abuse": 0, "end_request": 0}
            for rx, cat in ((_CYBER, "cyber_harm"), (_CBRN, "cbrn"), (_VIOLENT, "violent_extremism")):
                if rx.search(goal):
                    labels[cat] = 1
            if len(labels) == 2:  # none of the specific categories: the general one
                labels["dangerous_illegal"] = 1
            yield _row(goal, "advbench", **labels)


def _harmbench(root: Path) -> Iterator[Row]:
    semantic = {"chemical_biological": "cbrn", "cybercrime_intrusion": "cyber_harm",
                "harassment_bullying": "harassment_threat", "illegal": "dangerous_illegal",
                "harmful": "dangerous_illegal"}
    with (root / "harmbench/harmbench_behaviors_text_all.csv").open(encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["FunctionalCategory"] == "copyright":
                continue
            labels = {"abuse": 0, "end_request": 0}
            if r["SemanticCategory"] in semantic:
                labels[semantic[r["SemanticCategory"]]] = 1
            yield _row(r["Behavior"], "harmbench", **labels)


def cssrs_users(root: Path) -> list[tuple[str, str, list[str]]]:
    """(user, label, posts) for every Reddit C-SSRS user; posts parsed leniently (a few rows are not Python)."""
    users = []
    with (root / "reddit-cssrs/500_Reddit_users_posts_labels.csv").open(encoding="utf-8", newline="") as f:
        for r in csv.DictReader(f):
            raw = r["Post"]
            try:
                posts = [str(p) for p in ast.literal_eval(raw)]
            except (ValueError, SyntaxError):
                posts = [p for p in re.split(r"'\s*,\s*'|\"\s*,\s*\"", raw.strip("[]")) if p.strip()]
            users.append((r["User"], r["Label"], [p.strip(" '\"") for p in posts if p.strip(" '\"")]))
    return users


def cssrs_split(user: str) -> str:
    """A fixed 40/60 train/test split by user, stable across runs (hash of the user id)."""
    return "train" if int(hashlib.sha256(user.encode()).hexdigest(), 16) % 10 < 4 else "test"


#: Our labels for the posts of the train split's at-risk users: whether the post itself shows its writer's risk
#: (``risk``) or not (``no_risk``: a post about something else). Rubric in docs/labelling.md.
CSSRS_POST_LABELS = Path(__file__).with_name("cssrs_post_labels.jsonl")


def _cssrs(root: Path) -> Iterator[Row]:
    with CSSRS_POST_LABELS.open(encoding="utf-8") as f:
        shows_risk = {r["id"]: r["label"] == "risk" for r in map(json.loads, f)}
    for user, label, posts in cssrs_users(root):
        if cssrs_split(user) != "train":
            continue
        for post in posts[:8]:
            post = " ".join(post.split()[:200])
            if label in ("Ideation", "Behavior", "Attempt"):
                # The clinicians rated the user, not the post: a post that says nothing of the writer's risk is
                # unknown for self-harm, not a positive (nor a negative: its writer is at risk).
                risk = 1 if shows_risk.get(_label_key(post), True) else UNKNOWN
                yield replace(_row(post, "reddit-cssrs", self_harm_risk=risk, abuse=0, end_request=0), group=user)
            elif label == "Supportive":
                yield replace(_row(post, "reddit-cssrs", self_harm_risk=0, end_request=0, **dict.fromkeys(HARMFUL, 0)),
                              group=user)


_DISTRESS_TOPICS = ("depression", "trauma", "grief-and-loss", "eating-disorders", "substance-abuse", "addiction",
                    "domestic-violence", "self-esteem", "anger-management")


def _counsel(root: Path) -> Iterator[Row]:
    seen = set()
    with gzip.open(root / "counsel-chat/20200325_counsel_chat.csv.gz", "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            text = " ".join(f"{r['questionTitle']}. {r['questionText']}".split()[:200])
            if text in seen:
                continue
            seen.add(text)
            if r["topic"] in ("self-harm", "suicide"):
                crisis = {"self_harm_risk": 1}
            elif r["topic"] in _DISTRESS_TOPICS:
                crisis = {}
            else:  # relationships, parenting, anxiety...: long, emotional and (by topic) not a crisis
                crisis = _crisis_zero(text)
            yield _row(text, "counsel-chat", **_harm_zero(**crisis))


def _sensitive(root: Path) -> Iterator[Row]:
    with (root / "sensitive-topics/sensitivetopics.jsonl").open(encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            crisis = {} if r["labels"] in ("medical", "drugs") else {"self_harm_risk": 0, "harm_to_others_risk": 0}
            yield _row(r["text"], "sensitive-topics", **_harm_zero(**crisis))


def _diasafety(root: Path) -> Iterator[Row]:
    data = json.loads((root / "diasafety/train.json").read_text(encoding="utf-8"))
    seen = set()
    for r in data:
        text = r["context"]
        if text in seen or r["category"] == "Offending User":
            continue
        seen.add(text)
        crisis = {} if r["category"] == "Risk Ignorance" else _crisis_zero(text)  # distressed users: unknown
        yield _row(text, "diasafety", end_request=0, **crisis, **dict.fromkeys(HARMFUL, 0))


def _written() -> Iterator[Row]:
    for text, present in (*WRITTEN, *EXTRA):
        yield _row(text, "written", default=0, **dict.fromkeys(present, 1))


def _ordinary() -> Iterator[Row]:
    """Everyday prompts to a chat assistant: the negatives the public sets lack (they hold forum posts, tweets and
    red-team requests, not "convert this perl to python" or "hi, are you there?")."""
    with ORDINARY.open(encoding="utf-8") as f:
        for line in f:
            if line.strip():
                yield _row(json.loads(line)["text"], "ordinary", default=0)


def _templates(seed: int, families: Iterable[str] | None) -> Iterator[Row]:
    for text, present in generate(seed, families=families):
        yield _row(text, "templates", default=0, **dict.fromkeys(present, 1))


LOADERS = (_convabuse, _bad, _davidson, _hatecheck, _advbench, _harmbench, _cssrs, _counsel, _sensitive, _diasafety)


#: Our written benchmark sets, each written before the training data or model it measures: sexual content involving
#: minors, and other harmful requests (attacks, weapons, private people's data...).
_BENCHMARKS = Path(__file__).resolve().parents[3] / "benchmarks"
HELD_OUT_SEXUAL_MINORS = tuple(_BENCHMARKS / f"sexual_minors{f'_{n}' if n > 1 else ''}.jsonl" for n in range(1, 7))
HELD_OUT_REQUESTS = (*(_BENCHMARKS / f"harmful_requests{f'_{n}' if n > 1 else ''}.jsonl" for n in range(1, 4)),
                     _BENCHMARKS / "harassment_requests.jsonl", _BENCHMARKS / "harmful_requests_multilingual.jsonl",
                     _BENCHMARKS / "everyday_requests.jsonl", _BENCHMARKS / "coding_requests.jsonl",
                     _BENCHMARKS / "image_prompt_requests.jsonl", _BENCHMARKS / "plain_requests.jsonl",
                     _BENCHMARKS / "harassment_requests_2.jsonl")  # sets 1-9, then set 13
#: Sets 10-12: everyday requests about food, weight, sleep, fitness and money, and crisis messages on the same
#: subjects.
HELD_OUT_EVERYDAY_LIFE = tuple(_BENCHMARKS / f"everyday_life{f'_{n}' if n > 1 else ''}.jsonl" for n in range(1, 4))
HELD_OUT_WRITTEN = (*HELD_OUT_SEXUAL_MINORS, *HELD_OUT_REQUESTS, *HELD_OUT_EVERYDAY_LIFE)


def test_prompts(root: Path) -> list[str]:
    """The prompts of the test sets (openai-moderation, XSTest, SimpleSafetyTests, ToxicChat's test split, which
    the benchmark reports false crisis signals on, and ``HELD_OUT_WRITTEN``), for decontamination only."""
    with gzip.open(root / "openai-moderation/samples-1680.jsonl.gz", "rt", encoding="utf-8") as f:
        prompts = [json.loads(line)["prompt"] for line in f if line.strip()]
    with (root / "xstest/xstest_prompts.csv").open(encoding="utf-8") as f:
        prompts += [r["prompt"] for r in csv.DictReader(f)]
    with (root / "simplesafetytests/simplesafetytests_test_cases.csv").open(encoding="utf-8") as f:
        prompts += [r["prompts_final"] for r in csv.DictReader(f)]
    toxicchat = json.loads((root / "toxicchat-human/toxic_chat_test.json").read_text(encoding="utf-8"))
    prompts += [r["instance"] for r in toxicchat["instances"]]
    for path in HELD_OUT_WRITTEN:
        if path.exists():  # a checkout's own benchmark sets (absent from an installed package)
            with path.open(encoding="utf-8") as f:
                prompts += [json.loads(line)["text"] for line in f if line.strip()]
    return prompts


def load_rows(root: Path, seed: int, families: Iterable[str] | None = None) -> list[Row]:
    """Every training row, de-duplicated by text (first source wins), shuffled with ``seed``; of the template
    families, all or those named."""
    rows: dict[str, Row] = {}
    for loader in LOADERS:
        for row in loader(root):
            if row.text and row.text not in rows:
                rows[row.text] = row
    for row in (*_written(), *_templates(seed, families), *_ordinary()):
        rows[row.text] = row  # our own labels override a public set's
    out = list(rows.values())
    random.Random(seed).shuffle(out)
    return out
