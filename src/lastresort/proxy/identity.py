"""Which lastresort user a proxied request belongs to.

The ``Authorization`` header belongs to the upstream (the app's API key) and is forwarded untouched, so it
never names a lastresort user. Two modes:

- ``shared`` (default): the proxy's configured user (``--user``, default ``proxy``). An app that serves several
  people should name the person, with the ``user`` field of the request (OpenAI's end-user id) or the
  ``X-Lastresort-User`` header: each distinct id is its own lastresort user, ``<proxy user>:<id>``, so two people
  never share a conversation, even if their chats begin with the same words. The app is trusted to send the id.
- ``token``: every request carries ``X-Lastresort-Token: lr_…``, a token from ``lastresort users add``; a
  request without a known token gets 401. Use it when the callers are not one trusted app.

Conversation keys and hash chains are per user, so no request can reach another user's conversation.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from lastresort.errors import InvalidInput, Unauthorized
from lastresort.service import ConversationService, check_text
from lastresort.store.repo import UserRow

__all__ = ["IdentityMode", "UserResolver"]

IdentityMode = Literal["shared", "token"]
USER_HEADER = "x-lastresort-user"
TOKEN_HEADER = "x-lastresort-token"
_MAX_END_USER_CHARS = 64


@dataclass
class UserResolver:
    service: ConversationService
    mode: IdentityMode = "shared"
    user: str = "proxy"

    def __post_init__(self) -> None:
        self._known: dict[str, UserRow] = {}
        self._lock = threading.Lock()

    def resolve(self, headers: Mapping[str, str], body: Mapping[str, Any]) -> UserRow:
        if self.mode == "token":
            token = headers.get(TOKEN_HEADER)
            if not token:
                raise Unauthorized(f"This proxy needs an {TOKEN_HEADER} header with a lastresort token "
                                   "(create one with `lastresort users add NAME`).")
            return self.service.authenticate(token)
        end_user = headers.get(USER_HEADER) or body.get("user")
        if end_user is None or end_user == "":
            return self._local(self.user)
        if not isinstance(end_user, str):
            raise InvalidInput("user must be a string.", field="user")
        end_user = check_text(end_user, field="user", max_chars=_MAX_END_USER_CHARS).strip()
        return self._local(f"{self.user}:{end_user}")

    def _local(self, name: str) -> UserRow:
        known = self._known.get(name)
        if known is not None:
            return known
        with self._lock:  # two first requests of one person must not both create the user
            user = self.service.local_user(name)
            self._known[name] = user
            return user
