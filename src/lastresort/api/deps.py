"""Request dependencies: the service on the app, and the user behind the bearer token.

Both are ``async``: FastAPI runs a plain ``def`` dependency in the thread pool, and every hop there (a thread
wake-up and a loop wake-up) cost a turn more than the lookup itself. Only the blocking part, the token lookup
and the rate-limit counter, goes to a worker thread, in one hop.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from starlette.concurrency import run_in_threadpool

from lastresort.errors import RateLimited, Unauthorized
from lastresort.ratelimit import RateLimiter
from lastresort.service import ConversationService
from lastresort.store.repo import UserRow


async def get_service(request: Request) -> ConversationService:
    service: ConversationService = request.app.state.service
    return service


async def get_user(request: Request, service: Annotated[ConversationService, Depends(get_service)]) -> UserRow:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized()
    limiter: RateLimiter | None = request.app.state.limiter
    return await run_in_threadpool(_authenticate, service, token.strip(), limiter)


def _authenticate(service: ConversationService, token: str, limiter: RateLimiter | None) -> UserRow:
    user = service.authenticate(token)
    if limiter is not None and (retry_after := limiter.check("user", user.id)) is not None:
        raise RateLimited(retry_after=round(retry_after, 3), limit="user")
    return user


Service = Annotated[ConversationService, Depends(get_service)]
User = Annotated[UserRow, Depends(get_user)]
