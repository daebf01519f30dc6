"""Signed session cookies and CSRF tokens for the web UI (stdlib HMAC; no server-side session store).

The session cookie holds ``user_id.issued_at.signature``; it is HttpOnly, SameSite=Lax, and Secure when the page
was served over https. CSRF uses a double-submit token: a random ``lr_csrf`` cookie that every state-changing
request must echo in a form field or the ``X-CSRF-Token`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time

from starlette.requests import Request
from starlette.responses import Response

__all__ = ["CSRF_COOKIE", "SESSION_COOKIE", "SessionSigner", "csrf_ok", "set_cookie"]

SESSION_COOKIE = "lr_session"
CSRF_COOKIE = "lr_csrf"
SESSION_MAX_AGE = 7 * 24 * 3600


class SessionSigner:
    def __init__(self, secret: str | None) -> None:
        # Without a configured secret, sessions last as long as the process (and do not cross replicas).
        self._key = hashlib.sha256((secret or secrets.token_hex(32)).encode()).digest()

    def _sign(self, payload: str) -> str:
        return hmac.new(self._key, payload.encode(), hashlib.sha256).hexdigest()

    def dumps(self, user_id: str, now: float | None = None) -> str:
        payload = f"{user_id}.{int(now if now is not None else time.time())}"
        return f"{payload}.{self._sign(payload)}"

    def loads(self, value: str | None, now: float | None = None) -> str | None:
        """The user id of a valid, unexpired session cookie; None otherwise."""
        if not value or value.count(".") != 2:
            return None
        user_id, issued, signature = value.split(".")
        if not hmac.compare_digest(signature, self._sign(f"{user_id}.{issued}")) or not issued.isdigit():
            return None
        if (now if now is not None else time.time()) - int(issued) > SESSION_MAX_AGE:
            return None
        return user_id


def set_cookie(response: Response, request: Request, name: str, value: str, *, max_age: int) -> None:
    response.set_cookie(name, value, max_age=max_age, httponly=True, samesite="lax",
                        secure=request.url.scheme == "https", path="/")


def csrf_ok(request: Request, submitted: str | None) -> bool:
    cookie = request.cookies.get(CSRF_COOKIE)
    return bool(cookie and submitted and hmac.compare_digest(cookie, submitted))
