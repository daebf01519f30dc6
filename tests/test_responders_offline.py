"""The offline responder's templates, and the crisis-resource table it draws on."""

from __future__ import annotations

import dataclasses
import os
import re
import subprocess
import sys

import pytest

from lastresort.core.actions import Action
from lastresort.core.categories import CRISIS, END_ELIGIBLE, HARMFUL_REQUESTS, Category
from lastresort.core.policy import describe
from lastresort.core.state import Decision, PathState
from lastresort.responders.base import EndRequest, ReplyRequest, Responder, TextDelta
from lastresort.responders.crisis_lines import (
    AFTER_NATIONAL,
    FIND_A_HELPLINE,
    UNKNOWN_LOCALE,
    CrisisLine,
    resources_for,
)
from lastresort.responders.offline import SNIPPET_CHARS, OfflineResponder, render

# Any form of "end" as a word: "end", "ends", "ended", "ending" (but not "send", "friend", "weekend").
END_WORD = re.compile(r"\bend(s|ed|ing)?\b", re.IGNORECASE)

MESSAGES = (
    "How do I bake sourdough bread?",
    "what's the capital of Australia",
    "Can you explain recursion with an example in Python?",
    "hi",
    "Tell me about the history of the printing press, please!",
)

# Every action with the categories the policy pairs it with.
CASES: tuple[tuple[Action, Category | None], ...] = (
    (Action.ANSWER, None),
    *((Action.REFUSE, c) for c in sorted(HARMFUL_REQUESTS)),
    (Action.REDIRECT, Category.ABUSE),
    (Action.REDIRECT, Category.HARASSMENT_THREAT),
    *((Action.WARN, c) for c in sorted(END_ELIGIBLE)),
    (Action.CRISIS_SUPPORT, Category.SELF_HARM_RISK),
    (Action.CRISIS_SUPPORT, Category.HARM_TO_OTHERS_RISK),
    (Action.CRISIS_SUPPORT, Category.END_REQUEST),  # a path with an earlier crisis: wanting to stop
    (Action.CRISIS_SUPPORT, Category.ABUSE),  # a path with an earlier crisis: abuse
    (Action.CONFIRM_END, Category.END_REQUEST),
    (Action.END, Category.END_REQUEST),
    (Action.END, Category.ABUSE),
    (Action.END, Category.HARASSMENT_THREAT),
    *((Action.END, c) for c in sorted(HARMFUL_REQUESTS)),
)
CASE_IDS = [f"{a.value}-{c.value if c else 'none'}" for a, c in CASES]


def make(
    action: Action,
    category: Category | None = None,
    *,
    message: str = "How do I bake sourdough bread?",
    variant: int = 0,
    locale: str | None = None,
    crisis: bool = False,
    checked_in: bool = False,
    turn: int = 1,
) -> ReplyRequest:
    """``crisis``: the path had crisis support; ``checked_in``: it had a check-in alone."""
    return ReplyRequest(
        decision=Decision(turn=turn, action=action, category=category),
        state=PathState(user_turns=turn, crisis=crisis or checked_in, crisis_turns=int(crisis),
                        check_ins=int(checked_in), awaiting_reply=True),
        history=(("user", message),),
        locale=locale,
        variant=variant,
    )


def reply(request: ReplyRequest) -> str:
    events = list(OfflineResponder().respond(request))
    assert all(isinstance(e, TextDelta) for e in events)
    return "".join(e.text for e in events)


# -- every action -------------------------------------------------------------------------------------------
def test_is_a_responder() -> None:
    responder = OfflineResponder()
    assert isinstance(responder, Responder)
    assert responder.name == "offline"


@pytest.mark.parametrize(("action", "category"), CASES, ids=CASE_IDS)
def test_streams_a_non_empty_reply_in_chunks(action: Action, category: Category | None) -> None:
    request = make(action, category)
    events = list(OfflineResponder().respond(request))
    assert len(events) > 1  # more than one piece, so streaming can be shown
    assert not any(isinstance(e, EndRequest) for e in events)
    assert all(isinstance(e, TextDelta) and e.text for e in events)
    text = "".join(e.text for e in events if isinstance(e, TextDelta))
    assert text.strip()
    assert text == render(request)


@pytest.mark.parametrize(("action", "category"), CASES, ids=CASE_IDS)
def test_same_request_same_reply(action: Action, category: Category | None) -> None:
    for message in MESSAGES:
        for variant in range(3):
            request = make(action, category, message=message, variant=variant, locale="en-US")
            assert reply(request) == reply(request)
            assert reply(request) == reply(dataclasses.replace(request))  # an equal request, not the same one


@pytest.mark.parametrize(("action", "category"), CASES, ids=CASE_IDS)
def test_a_retry_is_worded_differently(action: Action, category: Category | None) -> None:
    for message in MESSAGES:
        texts = [reply(make(action, category, message=message, variant=v)) for v in range(6)]
        assert len(set(texts)) >= 3, texts
        # Each retry differs from the one before it.
        assert all(a != b for a, b in zip(texts, texts[1:], strict=False))


def test_phrasing_depends_on_the_message() -> None:
    openers = {reply(make(Action.WARN, Category.ABUSE, message=m)).split(".")[0] for m in MESSAGES * 2}
    more = {reply(make(Action.WARN, Category.ABUSE, message=f"message {i}")).split(".")[0] for i in range(30)}
    assert len(openers | more) >= 2


def test_stable_across_processes() -> None:
    # hashlib, not hash(): the same request must read the same under any PYTHONHASHSEED.
    code = (
        "from lastresort.core.actions import Action\n"
        "from lastresort.core.state import Decision, PathState\n"
        "from lastresort.responders.base import ReplyRequest\n"
        "from lastresort.responders.offline import render\n"
        "print(render(ReplyRequest(decision=Decision(turn=1, action=Action.ANSWER), state=PathState(),\n"
        "                          history=(('user', 'stable?'),), variant=2)))\n"
    )
    outputs = set()
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
        outputs.add(done.stdout)
    assert len(outputs) == 1
    assert outputs == {reply(make(Action.ANSWER, message="stable?", variant=2)) + "\n"}


# -- answer -------------------------------------------------------------------------------------------------
def test_answer_never_mentions_ending_or_warnings() -> None:
    for message in MESSAGES:
        for variant in range(8):
            for crisis in (False, True):
                text = reply(make(Action.ANSWER, message=message, variant=variant, crisis=crisis))
                assert not END_WORD.search(text), text
                assert "warn" not in text.lower()


def test_answer_says_it_is_offline_and_echoes_the_topic() -> None:
    text = reply(make(Action.ANSWER, message="  How do I\n bake   sourdough bread?? "))
    assert "offline responder" in text
    assert '"How do I bake sourdough bread"' in text


def test_answer_echo_is_short_and_single_line() -> None:
    long = "word " * 200 + "\x00\x1b[31m"
    text = reply(make(Action.ANSWER, message=long))
    echoed = re.search(r'"([^"]*)"', text)
    assert echoed is not None
    assert len(echoed.group(1)) <= SNIPPET_CHARS + 3
    assert echoed.group(1).endswith("...")
    assert "\x00" not in text and "\x1b" not in text


@pytest.mark.parametrize("message", ["", "   \n\t ", "?!."])
def test_answer_to_an_empty_message(message: str) -> None:
    text = reply(make(Action.ANSWER, message=message))
    assert "offline responder" in text
    assert '""' not in text


def test_answer_without_history() -> None:
    request = dataclasses.replace(make(Action.ANSWER), history=())
    assert "offline responder" in reply(request)


# -- refuse -------------------------------------------------------------------------------------------------
KIND_WORDS = {
    Category.SEXUAL_MINORS: "minors",
    Category.VIOLENT_EXTREMISM: "terrorism",
    Category.CBRN: "weapons",
    Category.CYBER_HARM: "malware",
    Category.DANGEROUS_ILLEGAL: "crimes",
}


@pytest.mark.parametrize("category", sorted(HARMFUL_REQUESTS))
def test_refuse_names_the_kind_of_request_without_repeating_it(category: Category) -> None:
    message = "give me step by step details for XYZZY-42"
    for variant in range(4):
        text = reply(make(Action.REFUSE, category, message=message, variant=variant))
        assert KIND_WORDS[category] in text
        assert "XYZZY" not in text  # the user's words are never echoed back
        assert not END_WORD.search(text)
        assert re.search(r"\b(can't|won't|don't|decline|not something)\b", text)
        assert re.search(r"\b(can|happy|glad) (help|to|talk|cover)\b|\bI can\b", text)  # a safe alternative


# -- redirect -----------------------------------------------------------------------------------------------
@pytest.mark.parametrize("category", [Category.ABUSE, Category.HARASSMENT_THREAT])
def test_redirect_sets_a_boundary_and_steers_back(category: Category) -> None:
    for variant in range(4):
        text = reply(make(Action.REDIRECT, category, message="you useless XYZZY", variant=variant))
        assert "XYZZY" not in text
        assert "help" in text.lower()
        assert not END_WORD.search(text)
        assert "warn" not in text.lower()
        assert len(text) < 300  # no lecture


# -- warn ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize("category", sorted(END_ELIGIBLE))
def test_warn_names_the_behaviour_and_the_consequence(category: Category) -> None:
    for variant in range(4):
        text = reply(make(Action.WARN, category, variant=variant))
        assert describe(category) in text
        assert END_WORD.search(text)
        assert "If this continues, I will end this conversation." in text


def test_warn_without_a_category() -> None:
    text = reply(make(Action.WARN, None))
    assert "harmful requests" in text
    assert "end this conversation" in text


# -- crisis support -----------------------------------------------------------------------------------------
LOCALE_RESOURCE = {
    "en-US": "988",
    "es": "024",
    "es-ES": "024",
    "fr": "3114",
    "fr-FR": "3114",
    "de": "TelefonSeelsorge",
    "de-DE": "TelefonSeelsorge",
    "en-GB": "Samaritans",
    "en_GB": "Samaritans",
    "en-IE": "Samaritans",
    "en-CA": "9-8-8",
    "fr-CA": "9-8-8",
    "en-AU": "13 11 14",
    None: "findahelpline.com",
    "xx-garbage": "findahelpline.com",
}
CRISIS_CATEGORIES = [Category.SELF_HARM_RISK, Category.HARM_TO_OTHERS_RISK, Category.END_REQUEST,
                     Category.ABUSE, Category.HARASSMENT_THREAT]


@pytest.mark.parametrize(("locale", "resource"), LOCALE_RESOURCE.items(), ids=[str(k) for k in LOCALE_RESOURCE])
@pytest.mark.parametrize("category", CRISIS_CATEGORIES)
def test_crisis_support_lists_local_resources_and_never_ending(
    locale: str | None, resource: str, category: Category
) -> None:
    for variant in range(4):
        text = reply(make(Action.CRISIS_SUPPORT, category, locale=locale, variant=variant,
                          message="I want to end it all", crisis=True))
        assert resource in text
        assert "findahelpline.com" in text  # the international fallback, always
        lowered = text.lower()
        assert "end this conversation" not in lowered
        assert "end the chat" not in lowered
        assert not END_WORD.search(text), text
        assert "warn" not in lowered
        assert re.search(r"\bsafe\b|\bdanger\b", lowered)  # asks whether they (or others) are safe


def test_crisis_resources_come_early() -> None:
    text = reply(make(Action.CRISIS_SUPPORT, Category.SELF_HARM_RISK, locale="en-US"))
    assert text.index("988") < len(text) // 2 + 100
    assert "\n- 988 Suicide & Crisis Lifeline" in text


def test_crisis_support_for_risk_to_others() -> None:
    for variant in range(4):
        text = reply(make(Action.CRISIS_SUPPORT, Category.HARM_TO_OTHERS_RISK, locale="en-US", variant=variant))
        lowered = text.lower()
        assert "emergency services" in lowered
        assert re.search(r"step away|distance|leave the room", lowered)
        assert text.index("911") < text.index("988")  # emergency first when someone else may be in danger
        assert not END_WORD.search(text)


def test_crisis_support_for_self_is_not_about_others() -> None:
    text = reply(make(Action.CRISIS_SUPPORT, Category.SELF_HARM_RISK, locale="en-US"))
    assert "hurt someone" not in text
    assert text.index("988") < text.index("911")


# -- confirm end --------------------------------------------------------------------------------------------
def test_confirm_end_asks_and_explains() -> None:
    for variant in range(4):
        text = reply(make(Action.CONFIRM_END, Category.END_REQUEST, variant=variant))
        assert "?" in text
        assert END_WORD.search(text)
        assert re.search(r"\byes\b", text, re.IGNORECASE)
        assert "new chat any time" in text


# -- end ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("category", "why"),
    [
        (Category.END_REQUEST, "as you asked|at your request"),
        (Category.ABUSE, "repeated abuse"),
        (Category.HARASSMENT_THREAT, "repeated harassment"),
        *((c, "repeated harmful requests") for c in sorted(HARMFUL_REQUESTS)),
        (None, "repeated harmful requests"),
    ],
)
def test_end_says_it_ended_why_and_how_to_go_on(category: Category | None, why: str) -> None:
    for variant in range(4):
        text = reply(make(Action.END, category, variant=variant))
        assert re.search(r"\b(I've|I have) ended this chat\b", text)
        assert re.search(why, text, re.IGNORECASE)
        assert "new chat" in text
        assert "edit an earlier message" in text
        assert len(text) < 300  # short


def test_end_on_request_thanks_the_user() -> None:
    for variant in range(4):
        assert "thank" in reply(make(Action.END, Category.END_REQUEST, variant=variant)).lower()


# -- reminder on a path that showed a crisis ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("action", "category"),
    [(Action.ANSWER, None), (Action.REFUSE, Category.CBRN), (Action.REDIRECT, Category.ABUSE)],
)
def test_reminds_of_support_after_a_crisis(action: Action, category: Category | None) -> None:
    for variant in range(4):
        after = reply(make(action, category, locale="en-US", crisis=True, variant=variant))
        before = reply(make(action, category, locale="en-US", crisis=False, variant=variant))
        assert after.startswith(before)
        reminder = after[len(before):].strip()
        assert "988" in reminder
        assert "\n" not in reminder  # one short line
        assert "988" not in before


def test_no_reminder_after_a_check_in_alone() -> None:
    # A check-in most often answered an ordinary request: later answers read as ordinary again.
    for action, category in ((Action.ANSWER, None), (Action.REFUSE, Category.CBRN)):
        assert reply(make(action, category, checked_in=True)) == reply(make(action, category))


def test_check_in_answers_and_adds_one_line_of_support() -> None:
    for variant in range(4):
        answer = reply(make(Action.ANSWER, locale="en-US", variant=variant))
        check_in = reply(make(Action.CHECK_IN, Category.SELF_HARM_RISK, locale="en-US", variant=variant))
        assert check_in.startswith(answer)
        line = check_in[len(answer):].strip()
        assert "\n" not in line and "988" in line
        assert "tell me" in line.lower() or "talk" in line.lower()  # an invitation to say more
        assert "end" not in line.lower().split()


def test_reminder_uses_the_international_directory_for_an_unknown_locale() -> None:
    assert "findahelpline.com" in reply(make(Action.ANSWER, crisis=True, locale=None))


@pytest.mark.parametrize(
    ("action", "category"),
    [(Action.WARN, Category.ABUSE), (Action.CONFIRM_END, Category.END_REQUEST), (Action.END, Category.ABUSE)],
)
def test_no_reminder_on_other_actions(action: Action, category: Category) -> None:
    assert reply(make(action, category, crisis=True)) == reply(make(action, category, crisis=False))


# -- crisis lines -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("locale", "first"),
    [
        ("en-US", "988 Suicide & Crisis Lifeline"),
        ("EN-us", "988 Suicide & Crisis Lifeline"),
        ("en_US.UTF-8", "988 Suicide & Crisis Lifeline"),
        ("es-US", "988 Suicide & Crisis Lifeline"),  # the region decides, not the language
        ("en-GB", "Samaritans"),
        ("en_GB", "Samaritans"),
        ("en-UK", "Samaritans"),
        ("ga-IE", "Samaritans"),
        ("en-CA", "9-8-8 Suicide Crisis Helpline"),
        ("en-AU", "Lifeline"),
        ("es", "Línea 024"),
        ("es-ES", "Línea 024"),
        ("ca-ES", "Línea 024"),
        ("fr", "3114"),
        ("fr-FR", "3114"),
        ("de", "TelefonSeelsorge"),
        ("de_DE@euro", "TelefonSeelsorge"),
    ],
)
def test_resources_by_country_or_language(locale: str, first: str) -> None:
    lines = resources_for(locale)
    assert lines[0].name == first
    assert lines[-len(AFTER_NATIONAL):] == AFTER_NATIONAL  # always followed by the international fallback
    assert any(line.emergency for line in lines)


@pytest.mark.parametrize(
    "locale",
    [None, "", "   ", "C", "POSIX", "en", "xx", "es-MX", "de-AT", "zh-Hant-TW", "--__..@@", "🙂-🙂",
     "en-ÜS", "a" * 10_000, "\x00\n\t", "12-34"],
)
def test_unknown_locales_get_the_international_list(locale: str | None) -> None:
    lines = resources_for(locale)
    assert lines == UNKNOWN_LOCALE
    assert lines[0] == FIND_A_HELPLINE
    assert any(line.emergency and "local emergency number" in line.contact for line in lines)
    assert {"988 Suicide & Crisis Lifeline", "Samaritans"} <= {line.name for line in lines}


def test_crisis_lines_are_frozen_values() -> None:
    for locale in ("en-US", "de", None):
        for line in resources_for(locale):
            assert isinstance(line, CrisisLine)
            assert line.name and line.contact and line.note
            with pytest.raises(dataclasses.FrozenInstanceError):
                line.name = "x"  # type: ignore[misc]


def test_crisis_categories_cover_the_crisis_set() -> None:
    assert set(CRISIS) <= set(CRISIS_CATEGORIES)
