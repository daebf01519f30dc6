"""The web UI and the operator API through Starlette's TestClient: sessions, CSRF, escaping, roles, reviews."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from lastresort.api.app import create_app
from lastresort.doctor import check
from lastresort.service import ConversationService
from lastresort.web.session import SessionSigner

ABUSE = "you are useless [abuse]"
HOSTILE = ['<script>alert(1)</script>', '"><img src=x onerror=alert(1)>', "</textarea><svg onload=alert(1)>",
           "{{ 7*7 }}", "javascript:alert(1)"]


@pytest.fixture
def service(tagged_service: ConversationService) -> ConversationService:
    return tagged_service


@pytest.fixture
def client(service: ConversationService) -> TestClient:
    return TestClient(create_app(service=service))


def csrf_of(html: str) -> str:
    match = re.search(r'name="csrf-token" content="([^"]+)"', html)
    assert match
    return match.group(1)


def sign_in(client: TestClient, token: str) -> str:
    csrf = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"token": token, "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303, r.text
    cookie = r.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Secure" not in cookie
    return csrf


def ended_chat(client: TestClient, csrf: str) -> str:
    r = client.post("/chat/new", data={"csrf": csrf}, follow_redirects=False)
    cid = r.headers["location"].rsplit("/", 1)[-1]
    for _ in range(4):
        assert client.post(f"/chat/{cid}/send", data={"csrf": csrf, "content": ABUSE},
                           follow_redirects=False).status_code == 303
    return cid


def test_the_support_panel_follows_crisis_support_not_a_check_in(client: TestClient,
                                                                  service: ConversationService) -> None:
    _, token = service.add_user("carol")
    csrf = sign_in(client, token)
    cid = client.post("/chat/new", data={"csrf": csrf}, follow_redirects=False).headers["location"].rsplit("/", 1)[-1]
    client.post(f"/chat/{cid}/send", data={"csrf": csrf, "content": "lazy dinner ideas? [self_harm_risk=0.5]"})
    page = client.get(f"/chat/{cid}").text
    assert "crisis-panel" not in page and "Support</span>" not in page  # an answer with one line, no more
    assert "findahelpline.com" in page and "offline responder" in page
    client.post(f"/chat/{cid}/send", data={"csrf": csrf, "content": "I can't go on [self_harm_risk=0.9]"})
    page = client.get(f"/chat/{cid}").text
    assert "crisis-panel" in page and "Support</span>" in page


def test_pages_need_a_session_and_send_security_headers(client: TestClient) -> None:
    r = client.get("/chat", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login"
    page = client.get("/login")
    csp = page.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "frame-ancestors 'none'" in csp
    assert "<script>" not in page.text and 'src="/static/app.js"' in page.text
    assert client.get("/static/app.js").status_code == 200


def test_bad_token_and_missing_csrf_are_refused(client: TestClient, service: ConversationService) -> None:
    csrf = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"token": "lr_wrong", "csrf": csrf})
    assert r.status_code == 401 and "not valid" in r.text
    _, token = service.add_user("alice")
    assert client.post("/login", data={"token": token, "csrf": "forged"}).status_code == 403
    sign_in(client, token)
    r = client.post("/chat/new", data={"csrf": "forged"}, follow_redirects=False)
    assert r.status_code == 303 and "notice=csrf" in r.headers["location"]
    assert service.list_conversations(service.local_user("alice")) == []
    r = client.post("/chat/new", data={}, headers={"X-CSRF-Token": "forged"})
    assert r.status_code == 403 and r.json()["error"] == "forbidden"


def test_forged_or_expired_session_is_no_session(client: TestClient, service: ConversationService) -> None:
    user, _ = service.add_user("alice")
    other = SessionSigner("another secret").dumps(user.id)
    client.cookies.set("lr_session", other)
    assert client.get("/chat", follow_redirects=False).headers["location"] == "/login"
    signer = client.app.state.signer  # type: ignore[attr-defined]
    assert signer.loads(signer.dumps(user.id, now=0), now=8 * 24 * 3600) is None
    assert signer.loads(signer.dumps(user.id)) == user.id


def test_story_in_pages_end_banner_locked_input_and_dispute(client: TestClient, service: ConversationService) -> None:
    _, token = service.add_user("alice")
    csrf = sign_in(client, token)
    cid = ended_chat(client, csrf)
    page = client.get(f"/chat/{cid}").text
    assert "This chat was ended by the assistant" in page and "Warning" in page
    assert re.search(r'<textarea id="content"[^>]*disabled', page)
    assert "Start a new chat" in page and "Edit an earlier message" in page and "Give feedback / dispute" in page
    r = client.post(f"/chat/{cid}/send", data={"csrf": csrf, "content": "hello"}, follow_redirects=False)
    assert "notice=conversation_ended" in r.headers["location"]
    r = client.post(f"/chat/{cid}/send?stream=true", data={"content": "hello"}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and r.json()["error"] == "conversation_ended"
    view = service.get_conversation(service.local_user("alice"), cid)
    reply = view.active_path[-1]
    r = client.post(f"/chat/{cid}/feedback/{reply.id}", data={"csrf": csrf, "rating": "down", "dispute": "yes",
                                                              "comment": "I was joking"}, follow_redirects=False)
    assert "notice=dispute_saved" in r.headers["location"]
    assert "disputed this ending" in client.get(f"/chat/{cid}").text
    # editing the first message branches off; the branch is open and the page offers < 2/2 >
    first = view.active_path[0]
    client.post(f"/chat/{cid}/send", data={"csrf": csrf, "content": "let us start over", "edit_of": first.id})
    page = client.get(f"/chat/{cid}").text
    assert "This chat was ended" not in page and "2/2" in page


def test_streamed_send_over_sse(client: TestClient, service: ConversationService) -> None:
    _, token = service.add_user("alice")
    csrf = sign_in(client, token)
    cid = client.post("/chat/new", data={"csrf": csrf}, follow_redirects=False).headers["location"].split("/")[-1]
    r = client.post(f"/chat/{cid}/send?stream=true", data={"content": "hello there"},
                    headers={"X-CSRF-Token": csrf})
    assert r.headers["content-type"].startswith("text/event-stream")
    events = re.findall(r"^event: (\w+)", r.text, re.M)
    assert events[0] == "accepted" and "delta" in events and events[-1] == "done"


def test_stored_xss_payloads_are_escaped_everywhere(client: TestClient, service: ConversationService) -> None:
    _, token = service.add_user('<b>eve</b>"', role="operator")
    csrf = sign_in(client, token)
    cid = client.post("/chat/new", data={"csrf": csrf, "title": HOSTILE[0]},
                      follow_redirects=False).headers["location"].split("/")[-1]
    for payload in HOSTILE:
        client.post(f"/chat/{cid}/send", data={"csrf": csrf, "content": payload})
    for payload in HOSTILE[:4]:
        client.post(f"/chat/{cid}/send", data={"csrf": csrf, "content": payload + " " + ABUSE})
    view = service.get_conversation(service.local_user('<b>eve</b>"'), cid)
    reply = view.active_path[-1]
    assert view.state.ended
    client.post(f"/chat/{cid}/feedback/{reply.id}", data={"csrf": csrf, "dispute": "yes", "comment": HOSTILE[1]})
    for page in (client.get(f"/chat/{cid}").text, client.get("/chat").text, client.get("/operator").text):
        for raw in ("<script>alert", "<img src=x", "<svg onload", "<b>eve</b>"):
            assert raw not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page or "&lt;b&gt;eve&lt;/b&gt;" in page
    assert "{{ 7*7 }}" in client.get(f"/chat/{cid}").text  # shown as typed, never evaluated as a template


def test_operator_console_and_api_need_the_operator_role(client: TestClient, service: ConversationService) -> None:
    _, user_token = service.add_user("alice")
    bearer = {"Authorization": f"Bearer {user_token}"}
    assert client.get("/v1/operator/endings", headers=bearer).status_code == 403
    assert client.get("/v1/operator/stats", headers=bearer).status_code == 403
    assert client.post("/v1/operator/endings/abc/reinstate", headers=bearer).status_code == 403
    assert client.get("/v1/operator/endings").status_code == 401
    csrf = sign_in(client, user_token)
    assert client.get("/operator").status_code == 403
    cid = ended_chat(client, csrf)
    view = service.get_conversation(service.local_user("alice"), cid)
    r = client.post(f"/operator/endings/{view.active_path[-2].id}/reinstate", data={"csrf": csrf})
    assert r.status_code == 403
    assert service.get_conversation(service.local_user("alice"), cid).state.ended


def test_operator_reinstates_in_the_api_the_branch_opens_and_doctor_agrees(
        client: TestClient, service: ConversationService) -> None:
    _, user_token = service.add_user("alice")
    _, op_token = service.add_user("olga", role="operator")
    op = {"Authorization": f"Bearer {op_token}"}
    csrf = sign_in(client, user_token)
    cid = ended_chat(client, csrf)
    alice = service.local_user("alice")
    before = service.get_conversation(alice, cid)
    assert before.conversation.ended_branches == 1
    queue = client.get("/v1/operator/endings", headers=op).json()["endings"]
    assert len(queue) == 1 and queue[0]["status"] == "open" and queue[0]["user"] == "alice"
    case = queue[0]
    assert case["ending"]["warnings"] == 1 and [m["role"] for m in case["path"]][-2:] == ["user", "assistant"]
    r = client.post(f"/v1/operator/endings/{case['message_id']}/uphold", headers=op, json={"note": "first look"})
    assert r.status_code == 200 and r.json()["status"] == "upheld"
    r = client.post(f"/v1/operator/endings/{case['message_id']}/reinstate", headers=op, json={"note": "joking"})
    assert r.status_code == 200 and r.json()["status"] == "reinstated"
    r = client.post(f"/v1/operator/endings/{case['message_id']}/reinstate", headers=op)
    assert r.status_code == 422
    after = service.get_conversation(alice, cid)
    assert not after.state.ended and after.state.reinstated == 1 and after.state.evidence == before.state.evidence
    assert after.conversation.ended_branches == 0
    assert client.post(f"/chat/{cid}/send", data={"csrf": csrf, "content": "sorry, hello"},
                       follow_redirects=False).headers["location"].endswith("#composer")
    report = check(service.store, service.policy)
    assert report.ok, report.problems
    with service.store.read() as tx:
        actions = [e.action for e in tx.audit_entries(cid)]
    assert actions == ["conversation_ended", "ending_upheld", "ending_reinstated"]
    stats = client.get("/v1/operator/stats", headers=op).json()
    assert stats["endings"] == 1 and stats["reinstated"] == 1 and stats["upheld"] == 1


def test_operator_console_page_reviews_with_csrf(client: TestClient, service: ConversationService) -> None:
    _, user_token = service.add_user("alice")
    csrf = sign_in(client, user_token)
    cid = ended_chat(client, csrf)
    client.cookies.clear()
    _, op_token = service.add_user("olga", role="operator")
    csrf = sign_in(client, op_token)
    page = client.get("/operator").text
    assert "Endings per day" in page and "<svg" in page and "Reinstate" in page
    mid = re.search(r'id="case-([0-9a-f]{32})"', page)
    assert mid
    r = client.post(f"/operator/endings/{mid.group(1)}/uphold", data={"csrf": "forged"}, follow_redirects=False)
    assert "notice=csrf" in r.headers["location"]
    r = client.post(f"/operator/endings/{mid.group(1)}/uphold", data={"csrf": csrf, "note": "ok"},
                    follow_redirects=False)
    assert "notice=reviewed" in r.headers["location"]
    assert "Upheld by olga" in client.get("/operator").text
    assert service.get_conversation(service.local_user("alice"), cid).state.ended


def _luminance(hex_colour: str) -> float:
    channels = [int(hex_colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_colour_pairs_meet_wcag_aa_contrast() -> None:
    css = (Path(__file__).parents[1] / "src/lastresort/web/static/style.css").read_text()
    colours = dict(re.findall(r"--([a-z-]+): (#[0-9a-f]{6})", css))
    pairs = [("fg", "bg"), ("fg", "card"), ("muted", "card"), ("muted", "bg"), ("accent", "card"),
             ("warn-fg", "warn-bg"), ("crisis-fg", "crisis-bg"), ("fg", "end-bg"), ("error", "bg")]
    for fg, bg in pairs:
        hi, lo = sorted((_luminance(colours[fg]), _luminance(colours[bg])), reverse=True)
        assert (hi + 0.05) / (lo + 0.05) >= 4.5, (fg, bg)


def test_secure_cookie_over_https_and_sign_out(service: ConversationService) -> None:
    client = TestClient(create_app(service=service), base_url="https://testserver")
    _, token = service.add_user("alice")
    csrf = csrf_of(client.get("/login").text)
    r = client.post("/login", data={"token": token, "csrf": csrf}, follow_redirects=False)
    assert "Secure" in r.headers["set-cookie"] and "HttpOnly" in r.headers["set-cookie"]
    assert client.get("/chat", follow_redirects=False).status_code == 200
    r = client.post("/logout", data={"csrf": csrf}, follow_redirects=False)
    assert r.headers["location"] == "/login"
    assert client.get("/chat", follow_redirects=False).headers["location"] == "/login"
