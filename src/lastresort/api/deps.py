"""Request dependencies: the service on the app, and the user behind the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lastresort.errors import RateLimited, Unauthorized
from lastresort.ratelimit import RateLimiter
from lastresort.service import ConversationService
from lastresort.store.repo import UserRow


def get_service(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.service
    return service


def get_user(request: Request, service: Annotated[ConversationService, Depends(get_service)]) -> UserRow:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    user = service.authenticate(token.strip())
    limiter: RateLimiter | None = request.app.state.limiter
    if limiter is not None and (retry_after := limiter.check("user", user.id)) is not None:
        raise RateLimited(retry_after=round(retry_after, 3), limit="user")
    return user


Service = Annotated[ConversationService, Depends(get_service)]
User = Annotated[UserRow, Depends(get_user)]
