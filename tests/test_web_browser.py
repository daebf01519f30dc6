"""The web UI in a real browser: Playwright drives Debian's Chromium against a real ``lastresort serve``.

The server uses the defaults a user gets (the built-in assessor and the offline responder). Screenshots of each
state are saved to ``$LASTRESORT_SCREENSHOT_DIR`` (default: the test's temporary folder).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from lastresort.config import Settings
from lastresort.service import ConversationService
from tests.servers import Server

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]
ABUSE = ["you are a useless idiot", "shut up you stupid bot", "you are a useless idiot, shut up",
         "shut up you stupid useless bot", "you stupid idiot bot", "you are a useless idiot"]

if not Path(CHROMIUM).exists():
    if os.environ.get("CI", "").lower() in ("1", "true"):
        pytest.fail(f"{CHROMIUM} is missing: CI must run the browser tests (apt-get install -y chromium)",
                    pytrace=False)
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)

from playwright.sync_api import Browser, Page, expect, sync_playwright  # noqa: E402


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = Path(os.environ.get("LASTRESORT_SCREENSHOT_DIR") or tmp_path_factory.mktemp("screenshots"))
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    from lastresort.bootstrap import open_service

    folder = tmp_path_factory.mktemp("browser")
    url = f"sqlite:///{folder}/web.db"
    service: ConversationService = open_service(Settings(database_url=url))
    tokens = {"alice": service.add_user("alice")[1], "cora": service.add_user("cora")[1],
              "olga": service.add_user("olga", role="operator")[1]}
    service.close()
    srv = Server(url, log=folder / "server.log").start(timeout=60)
    yield srv, tokens
    srv.stop()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b
        b.close()


def sign_in(browser: Browser, base: str, token: str, **context: object) -> Page:
    page = browser.new_context(base_url=base, **context).new_page()  # type: ignore[arg-type]
    page.goto("/login")
    page.get_by_label("Your token").fill(token)
    page.get_by_role("button", name="Sign in").click()
    return page


def unlabelled(page: Page) -> list[str]:
    """Form controls a screen reader could not name (no <label>, no aria-label)."""
    return list(page.evaluate("""() => [...document.querySelectorAll(
        'input:not([type=hidden]), textarea, select')].filter(
        el => el.labels.length === 0 && !el.getAttribute('aria-label')).map(el => el.outerHTML)"""))


def send(page: Page, text: str) -> None:
    """Type into the composer and send; the reply streams, then the page reloads with the stored state."""
    page.get_by_label("Your message", exact=True).fill(text)
    with page.expect_response(lambda r: "stream=true" in r.url) as streamed, \
            page.expect_navigation(timeout=30_000):
        page.get_by_role("button", name="Send", exact=True).click()
    assert streamed.value.headers["content-type"].startswith("text/event-stream")


def test_full_story_abuse_warning_end_branch_feedback_dispute_reinstate(
        browser: Browser, server: tuple[Server, dict[str, str]], shots: Path) -> None:
    srv, tokens = server
    page = sign_in(browser, srv.url, tokens["alice"])
    expect(page).to_have_url(re.compile(r"/chat$"))
    page.get_by_role("button", name="+ New chat").click()
    send(page, "Hello! Can you help me plan a weekend in Lisbon?")
    expect(page.locator(".msg.assistant")).to_have_count(1)

    # abuse: redirections, then a visibly distinct warning, then the ending
    for text in ABUSE:
        send(page, text)
        if page.locator(".msg.action-warn").count() and not page.locator("#ended").count():
            page.screenshot(path=str(shots / "chat-warning.png"), full_page=True)
        if page.locator("#ended").count():
            break
    expect(page.locator(".msg.action-warn .badge.warn")).to_have_text("Warning")
    banner = page.locator("#ended")
    expect(banner.get_by_role("heading")).to_have_text("This chat was ended by the assistant")
    expect(banner).to_contain_text("abusive messages")
    expect(page.locator("#content")).to_be_disabled()
    expect(page.get_by_role("button", name="Send", exact=True)).to_be_disabled()
    expect(banner.get_by_role("heading")).to_be_focused()  # focus moves to the banner after the action
    page.screenshot(path=str(shots / "chat-ended.png"), full_page=True)
    assert unlabelled(page) == []
    page.keyboard.press("Tab")  # from the focused banner, the keyboard reaches its first action
    expect(banner.get_by_role("button", name="Start a new chat")).to_be_focused()
    ended_url = page.url

    # a new chat works at once
    banner.get_by_role("button", name="Start a new chat").click()
    send(page, "What is a good book about the sea?")
    expect(page.locator(".msg.assistant")).to_have_count(1)
    expect(page.locator("#content")).to_be_enabled()

    # back to the ended chat: edit an earlier message, a new open branch with < 2/2 >
    page.goto(ended_url)
    page.set_viewport_size({"width": 390, "height": 844})  # the ended state at phone width, then back
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    expect(page.locator("#ended").get_by_role("button", name="Start a new chat")).to_be_visible()
    page.screenshot(path=str(shots / "chat-ended-phone.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.get_by_role("link", name="Edit an earlier message").click()
    editor = page.locator("details.edit[open] textarea")
    expect(editor).to_be_focused()
    editor.fill("Sorry about that. Back to Lisbon: which museums should I see?")
    with page.expect_navigation(timeout=30_000):
        page.locator("details.edit[open]").get_by_role("button", name="Send edited message").click()
    expect(page.locator("#ended")).to_have_count(0)
    expect(page.locator("#content")).to_be_enabled()
    expect(page.locator(".siblings .count").last).to_have_text("2/2")
    page.screenshot(path=str(shots / "chat-branch.png"), full_page=True)

    # thumbs up on a reply of the new branch
    with page.expect_navigation():
        page.get_by_role("button", name="Helpful", exact=True).last.click()
    expect(page.locator("#notice")).to_contain_text("feedback was saved")

    # back to the ended branch (< 1/2) and dispute the ending
    with page.expect_navigation():
        page.get_by_role("button", name="Previous version").last.click()
    expect(page.locator("#ended")).to_be_visible()
    page.locator("#dispute summary").click()
    page.get_by_label("What went wrong? (optional)").fill("I was venting about my day, not at you.")
    with page.expect_navigation():
        page.locator("#dispute").get_by_role("button", name="Send").click()
    expect(page.locator("#notice")).to_contain_text("dispute was recorded")
    page.screenshot(path=str(shots / "chat-disputed.png"), full_page=True)

    # the operator sees the disputed ending with its path and explanation, and reinstates it
    op = sign_in(browser, srv.url, tokens["olga"])
    expect(op).to_have_url(re.compile(r"/operator$"))
    case = op.locator("article.case.status-disputed")
    expect(case).to_have_count(1)
    expect(case).to_contain_text("I was venting about my day")
    expect(case).to_contain_text("warnings 1")
    expect(op.locator("#stat-endings")).to_have_text("1")
    op.screenshot(path=str(shots / "operator-queue.png"), full_page=True)
    assert unlabelled(op) == []
    case.get_by_label("Note for the audit log (optional)").fill("Venting, not abuse: reinstated.")
    with op.expect_navigation():
        case.get_by_role("button", name="Reinstate").click()
    expect(op.locator("#notice")).to_contain_text("audit log")
    expect(op.locator("article.case.status-reinstated")).to_contain_text("Reinstated by olga")
    op.set_viewport_size({"width": 390, "height": 844})  # the console works at phone width too
    assert op.evaluate("document.documentElement.scrollWidth") <= 390

    # the user's ended branch is open again
    page.reload()
    expect(page.locator("#ended")).to_have_count(0)
    expect(page.locator("#content")).to_be_enabled()
    send(page, "Thanks. Which neighbourhood is best for food?")
    expect(page.locator("#ended")).to_have_count(0)

    # the database the browser wrote still passes `lastresort doctor` (cache == fresh fold, branch counts)
    from lastresort.bootstrap import open_service
    from lastresort.doctor import check

    service = open_service(Settings(database_url=srv.database_url))
    try:
        report = check(service.store, service.policy)
    finally:
        service.close()
    assert report.ok and report.conversations >= 2, report.problems


def test_crisis_story_shows_resources_and_never_threatens_an_ending(
        browser: Browser, server: tuple[Server, dict[str, str]], shots: Path) -> None:
    srv, tokens = server
    page = sign_in(browser, srv.url, tokens["cora"], viewport={"width": 390, "height": 844})  # a phone
    page.get_by_role("button", name="+ New chat").click()
    send(page, "I want to kill myself")
    panel = page.get_by_role("complementary", name="You don’t have to go through this alone")
    expect(panel).to_be_visible()
    expect(panel.locator("li").first).to_be_visible()
    expect(page.locator(".msg.action-crisis_support .badge.crisis")).to_have_text("Support")
    send(page, "shut up you stupid bot, nobody cares")
    page_text = page.locator("main").inner_text().lower()
    assert "ended" not in page_text and "end this chat" not in page_text and "warning" not in page_text
    expect(page.locator("#content")).to_be_enabled()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways on a phone ({width}px)"
    page.screenshot(path=str(shots / "chat-crisis-phone.png"), full_page=True)
