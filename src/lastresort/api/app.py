"""The application factory."""

from __future__ import annotations

from fastapi import FastAPI, Response
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from lastresort import web
from lastresort._version import __version__
from lastresort.api import conversations, operator
from lastresort.api.errors import error_response, install_error_handlers
from lastresort.bootstrap import open_service
from lastresort.config import Settings
from lastresort.errors import RateLimited
from lastresort.ratelimit import MemoryCounter, RateLimiter, RedisCounter, parse_limit
from lastresort.service import ConversationService

__all__ = ["create_app"]

MAX_BODY_BYTES = 256 * 1024


class BodyLimit:
    """Refuse request bodies over ``limit`` bytes with 413, whether or not Content-Length is sent."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._reject(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            seen += len(message.get("body", b""))
            if seen > self.limit:
                raise _TooLarge()
            return message

        try:
            await self.app(scope, limited, send)
        except _TooLarge:
            await self._reject(scope, receive, send)

    async def _reject(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = error_response(413, "payload_too_large", f"Request bodies are limited to {self.limit} bytes.")
        await response(scope, receive, send)


class _TooLarge(Exception):
    pass


class IPRateLimit:
    """Per-client-address limit on the API routes (the per-user limit is checked after authentication)."""

    def __init__(self, app: ASGIApp, limiter: RateLimiter) -> None:
        self.app, self.limiter = app, limiter

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["path"].startswith("/v1/"):
            client = scope.get("client") or ("unknown", 0)
            retry_after = self.limiter.check("ip", str(client[0]))
            if retry_after is not None:
                err = RateLimited(retry_after=round(retry_after, 3), limit="ip")
                await error_response(err.status, err.code, err.message, **err.details)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def build_limiter(settings: Settings) -> RateLimiter | None:
    per_user, per_ip = parse_limit(settings.rate_limit_user), parse_limit(settings.rate_limit_ip)
    if per_user.count <= 0 and per_ip.count <= 0:
        return None
    counter = RedisCounter(settings.redis_url) if settings.redis_url else MemoryCounter()
    return RateLimiter(counter, per_user=per_user, per_ip=per_ip)


def create_app(settings: Settings | None = None, *, service: ConversationService | None = None) -> FastAPI:
    """Build the API around ``service``, or a service opened from ``settings`` (default: the environment)."""
    if service is None:
        service = open_service(settings or Settings.from_env())
    app = FastAPI(
        title="lastresort",
        version=__version__,
        description="A chat service that ends a conversation only as a last resort.",
    )
    app.state.service = service
    app.state.limiter = limiter = build_limiter(service.settings)
    install_error_handlers(app)
    app.include_router(conversations.router)
    app.include_router(operator.router)
    web.mount(app)

    @app.get("/healthz", tags=["meta"])
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/metrics", tags=["meta"], response_class=Response)
    def metrics() -> Response:
        """Prometheus text format: turns, actions, endings, crisis-support turns, disputes, assessor latency."""
        return Response(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    if limiter is not None:
        app.add_middleware(IPRateLimit, limiter=limiter)
    app.add_middleware(BodyLimit)
    return app
