"""Pages and form posts of the web UI. Every state-changing request checks the CSRF token first."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lastresort.api.streaming import sse_response
from lastresort.core.categories import Category
from lastresort.core.policy import describe
from lastresort.core.state import Ending
from lastresort.errors import Forbidden, LastResortError, RateLimited, Unauthorized
from lastresort.operator_console import OperatorConsole
from lastresort.ratelimit import RateLimiter
from lastresort.service import ConversationService, ConversationView, TurnStream
from lastresort.store.repo import FeedbackRow, MessageRow, UserRow
from lastresort.web.session import CSRF_COOKIE, SESSION_COOKIE, SESSION_MAX_AGE, csrf_ok, set_cookie

__all__ = ["SecurityHeaders", "router"]

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(Path(__file__).parent / "templates"))  # autoescape on for .html

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'")

#: Notices shown after a form post without script; fixed texts, so a link cannot put words on the page.
NOTICES = {
    "conversation_ended": "This chat has ended, so nothing was sent. Start a new chat or edit an earlier message.",
    "reply_pending": "The last message is still waiting for a reply: retry the reply first.",
    "invalid_request": "That could not be sent: check the message (it must not be empty or too long).",
    "responder_error": "The assistant could not reply. Your message was kept: retry the reply.",
    "rate_limited": "Too many requests: wait a moment and try again.",
    "feedback_saved": "Thank you: your feedback was saved.",
    "dispute_saved": "Your dispute was recorded. An operator will review this ending.",
    "reviewed": "The review was recorded in the audit log.",
    "csrf": "The form expired: please try again.",
}


class SecurityHeaders:
    """Strict CSP (scripts and styles from this origin only, no inline code) and friends on every response."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {b"content-security-policy": CSP.encode(), b"x-content-type-options": b"nosniff",
                         b"referrer-policy": b"same-origin", b"x-frame-options": b"DENY"}
                headers += [(k, v) for k, v in extra.items() if k not in names]
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)


def _service(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.service
    return service


def _user(request: Request) -> UserRow | None:
    user_id = request.app.state.signer.loads(request.cookies.get(SESSION_COOKIE))
    return _service(request).user_by_id(user_id) if user_id else None


def _csrf_token(request: Request) -> str:
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) > 64:
        token = request.state.new_csrf = secrets.token_urlsafe(32)
    return token


def _render(request: Request, name: str, context: dict[str, Any], status: int = 200) -> HTMLResponse:
    context = {"user": _user(request), "notice": NOTICES.get(request.query_params.get("notice", "")), **context}
    context["csrf"] = _csrf_token(request)
    response = templates.TemplateResponse(request, name, context, status_code=status)
    if getattr(request.state, "new_csrf", None):
        set_cookie(response, request, CSRF_COOKIE, request.state.new_csrf, max_age=SESSION_MAX_AGE)
    response.headers["Cache-Control"] = "no-store"
    return response


def _redirect(url: str, notice: str | None = None) -> RedirectResponse:
    if notice:
        path, hash_, fragment = url.partition("#")  # the query goes before the fragment
        url = path + ("&" if "?" in path else "?") + "notice=" + quote(notice) + hash_ + fragment
    return RedirectResponse(url, status_code=303)


def _wants_json(request: Request) -> bool:
    return "x-csrf-token" in request.headers


def _guard(request: Request, csrf: str | None, *, role: str | None = None) -> UserRow:
    """The signed-in user of a state-changing request, after the CSRF check and the per-user rate limit."""
    if not csrf_ok(request, csrf or request.headers.get("x-csrf-token")):
        raise Forbidden("The CSRF token is missing or wrong; reload the page.", reason="csrf")
    user = _user(request)
    if user is None:
        raise Unauthorized("Please sign in.")
    if role == "operator":
        OperatorConsole.require_operator(user)
    limiter: RateLimiter | None = request.app.state.limiter
    if limiter is not None and (retry_after := limiter.check("user", user.id)) is not None:
        raise RateLimited(retry_after=round(retry_after, 3), limit="user")
    return user


def _failed(request: Request, exc: LastResortError, back: str) -> Response:
    if _wants_json(request):
        return JSONResponse(exc.to_dict(), status_code=exc.status)
    if isinstance(exc, Unauthorized):
        return _redirect("/login")
    if exc.details.get("reason") == "csrf":
        return _redirect(back, "csrf")
    return _redirect(back, exc.code if exc.code in NOTICES else "invalid_request")


# -- sign-in ---------------------------------------------------------------------------------------------------
@router.get("/")
def home(request: Request) -> Response:
    return _redirect("/chat" if _user(request) else "/login")


@router.get("/login")
def login_page(request: Request) -> Response:
    return _render(request, "login.html", {"error": None})


@router.post("/login")
def login(request: Request, token: str = Form(""), csrf: str = Form("")) -> Response:
    if not csrf_ok(request, csrf):
        return _render(request, "login.html", {"error": NOTICES["csrf"]}, status=403)
    try:
        user = _service(request).authenticate(token.strip())
    except LastResortError:
        return _render(request, "login.html", {"error": "That token is not valid. Check it and try again."},
                       status=401)
    response = _redirect("/operator" if user.role == "operator" else "/chat")
    set_cookie(response, request, SESSION_COOKIE, request.app.state.signer.dumps(user.id), max_age=SESSION_MAX_AGE)
    return response


@router.post("/logout")
def logout(request: Request, csrf: str = Form("")) -> Response:
    if not csrf_ok(request, csrf):
        return _redirect("/chat", "csrf")
    response = _redirect("/login")
    response.delete_cookie(SESSION_COOKIE, path="/")
    return response


# -- chats -----------------------------------------------------------------------------------------------------
@dataclass(frozen=True, kw_only=True)
class Bubble:
    """One message of the active path, as the page shows it."""

    message: MessageRow
    sibling_index: int  # 1-based
    sibling_ids: list[str]
    action: str | None  # assistant replies: the policy action the reply was written for
    feedback: list[FeedbackRow]
    awaiting_reply: bool

    @property
    def previous_id(self) -> str | None:
        return self.sibling_ids[self.sibling_index - 2] if self.sibling_index > 1 else None

    @property
    def next_id(self) -> str | None:
        return self.sibling_ids[self.sibling_index] if self.sibling_index < len(self.sibling_ids) else None


def plain_reason(ending: Ending) -> str:
    """Why the chat ended, in plain words."""
    if ending.by == "user":
        return "You asked to end this chat."
    try:
        behaviour = describe(Category(ending.category)) if ending.category else "harmful requests"
    except ValueError:
        behaviour = "harmful requests"
    who = "The assistant asked to end it and the safety policy agreed" if ending.by == "model" else "It was ended"
    return (f"{who} because of {behaviour} that continued after {ending.pushbacks} refusal(s) or redirection(s) "
            f"and {ending.warnings} warning(s).")


def _bubbles(view: ConversationView) -> list[Bubble]:
    children: dict[str | None, list[str]] = {}
    for m in view.messages:
        children.setdefault(m.parent_id, []).append(m.id)
    answered = {m.parent_id for m in view.messages if m.role == "assistant"}
    feedback: dict[str, list[FeedbackRow]] = {}
    for f in view.feedback:
        feedback.setdefault(f.message_id, []).append(f)
    bubbles = []
    for m in view.active_path:
        siblings = children[m.parent_id]
        bubbles.append(Bubble(message=m, sibling_index=siblings.index(m.id) + 1, sibling_ids=siblings,
                              action=(m.decision or {}).get("action") if m.role == "assistant" else None,
                              feedback=feedback.get(m.id, []),
                              awaiting_reply=m.role == "user" and m.id not in answered))
    return bubbles


def _chat_page(request: Request, user: UserRow, conversation_id: str | None) -> Response:
    service = _service(request)
    conversations = service.list_conversations(user, limit=100)
    context: dict[str, Any] = {"conversations": conversations, "view": None, "bubbles": [], "current": None}
    if conversation_id is not None:
        try:
            view = service.get_conversation(user, conversation_id)
        except LastResortError:
            return _render(request, "chat.html", {**context, "missing": True}, status=404)
        state = view.state
        ending_reply = next((m for m in reversed(view.active_path) if m.role == "assistant"), None)
        context.update(view=view, current=view.conversation.id, bubbles=_bubbles(view), state=state,
                       reason=plain_reason(state.ending) if state.ending else None,
                       ending_reply=ending_reply if state.ended else None,
                       resources=service.crisis.resources_for(service.settings.locale) if state.supported else ())
    return _render(request, "chat.html", context)


@router.get("/chat")
def chat_list(request: Request) -> Response:
    user = _user(request)
    return _chat_page(request, user, None) if user else _redirect("/login")


@router.get("/chat/{conversation_id}")
def chat(request: Request, conversation_id: str) -> Response:
    user = _user(request)
    return _chat_page(request, user, conversation_id) if user else _redirect("/login")


@router.post("/chat/new")
def new_chat(request: Request, csrf: str = Form(""), title: str = Form("")) -> Response:
    try:
        user = _guard(request, csrf)
        conv = _service(request).create_conversation(user, title)
    except LastResortError as exc:
        return _failed(request, exc, "/chat")
    return _redirect(f"/chat/{conv.id}")


@router.post("/chat/{conversation_id}/send")
def send(request: Request, conversation_id: str, content: str = Form(""), edit_of: str = Form(""),
         csrf: str = Form("")) -> Response:
    back = f"/chat/{conversation_id}"
    try:
        user = _guard(request, csrf)
        turn = _service(request).stream_message(user, conversation_id, content, edit_of=edit_of or None)
    except LastResortError as exc:
        return _failed(request, exc, back)
    return _finish_turn(request, turn, back, back + "#composer")


@router.post("/chat/{conversation_id}/retry/{message_id}")
def retry(request: Request, conversation_id: str, message_id: str, csrf: str = Form("")) -> Response:
    back = f"/chat/{conversation_id}"
    try:
        user = _guard(request, csrf)
        turn = _service(request).stream_retry(user, conversation_id, message_id)
    except LastResortError as exc:
        return _failed(request, exc, back)
    return _finish_turn(request, turn, back, back)


def _finish_turn(request: Request, turn: TurnStream, back: str, done: str) -> Response:
    """Stream the reply as server-sent events (the script asks for that), or write it whole and redirect."""
    if request.query_params.get("stream") == "true":
        return sse_response(turn)
    try:
        turn.result()
    except LastResortError as exc:
        return _failed(request, exc, back)
    return _redirect(done)


@router.post("/chat/{conversation_id}/branch")
def branch(request: Request, conversation_id: str, message_id: str = Form(""), csrf: str = Form("")) -> Response:
    back = f"/chat/{conversation_id}"
    try:
        user = _guard(request, csrf)
        _service(request).switch_branch(user, conversation_id, message_id)
    except LastResortError as exc:
        return _failed(request, exc, back)
    return _redirect(f"{back}#m-{message_id}")


@router.post("/chat/{conversation_id}/feedback/{message_id}")
def feedback(request: Request, conversation_id: str, message_id: str, rating: str = Form(""),
             comment: str = Form(""), dispute: str = Form(""), csrf: str = Form("")) -> Response:
    back = f"/chat/{conversation_id}"
    try:
        user = _guard(request, csrf)
        _service(request).add_feedback(user, conversation_id, message_id, rating=rating or None, comment=comment,
                                       dispute=dispute == "yes")
    except LastResortError as exc:
        return _failed(request, exc, back)
    return _redirect(back, "dispute_saved" if dispute == "yes" else "feedback_saved")


# -- operator console ------------------------------------------------------------------------------------------
@router.get("/operator")
def operator(request: Request, status: str = "all") -> Response:
    user = _user(request)
    if user is None:
        return _redirect("/login")
    console = OperatorConsole(_service(request))
    try:
        cases = console.endings(user, status=status if status in ("all", "open", "disputed", "upheld",
                                                                   "reinstated") else "all")
        stats = console.stats(user)
    except Forbidden:
        return _render(request, "forbidden.html", {}, status=403)
    peak = max([n for _, n in stats.endings_per_day] + [1])
    return _render(request, "operator.html", {"cases": cases, "stats": stats, "peak": peak, "status": status,
                                              "plain_reason": plain_reason})


@router.post("/operator/endings/{message_id}/{outcome}")
def review(request: Request, message_id: str, outcome: str, note: str = Form(""), csrf: str = Form("")) -> Response:
    try:
        user = _guard(request, csrf, role="operator")
        if outcome not in ("uphold", "reinstate"):
            raise LastResortError("Unknown review.")
        OperatorConsole(_service(request)).review(user, message_id,
                                                  "upheld" if outcome == "uphold" else "reinstated", note)
    except Forbidden as exc:
        if exc.details.get("reason") == "csrf":
            return _failed(request, exc, "/operator")
        return _render(request, "forbidden.html", {}, status=403)
    except LastResortError as exc:
        return _failed(request, exc, "/operator")
    return _redirect(f"/operator#case-{message_id}", "reviewed")
