"""One error shape for the whole API: ``{"error": code, "message": ..., "status": ..., ...}``."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.routing import APIRoute
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException

from lastresort.api.wire import OPTIONAL_TEXT_PATTERN, TEXT_PATTERN
from lastresort.errors import DatabaseUnavailable, LastResortError

logger = logging.getLogger("lastresort.api")

__all__ = ["error_response", "install_error_handlers"]

INVALID_JSON = "The request body is not valid JSON in UTF-8."
_HTTP_CODES = {400: "invalid_json", 401: "unauthorized", 404: "not_found", 405: "method_not_allowed",
               413: "payload_too_large", 415: "unsupported_media_type"}
#: What our text patterns mean, in words: a client shown the regular expression learns nothing it can act on.
_PATTERN_MEANING = {
    TEXT_PATTERN: "must contain visible text and no control characters (tab and line breaks are fine)",
    OPTIONAL_TEXT_PATTERN: "must not contain control characters (tab and line breaks are fine)",
}


def error_response(status: int, code: str, message: str, **details: object) -> JSONResponse:
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    retry_after = details.get("retry_after")
    if isinstance(retry_after, int | float):
        headers["Retry-After"] = str(max(1, int(retry_after + 0.999)))
    return JSONResponse({"error": code, "message": message, "status": status, **details}, status_code=status,
                        headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(LastResortError)
    async def _lastresort(_: Request, exc: LastResortError) -> JSONResponse:
        return error_response(exc.status, exc.code, exc.message, **exc.details)

    @app.exception_handler(sa_exc.OperationalError)
    @app.exception_handler(sa_exc.InterfaceError)
    async def _database(_: Request, exc: Exception) -> JSONResponse:
        # The database is down or restarting: nothing was committed, so the client may simply retry.
        logger.warning("database unavailable: %s", str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
        err = DatabaseUnavailable()
        return error_response(err.status, err.code, err.message, retry_after=1)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = [{"loc": list(e.get("loc", ())), "msg": _message(e), "type": e.get("type", "")}
                  for e in exc.errors()]
        if any(e["type"] == "json_invalid" for e in errors):  # same answer as a body that is not UTF-8
            return error_response(400, "invalid_json", INVALID_JSON, errors=errors)
        first = errors[0] if errors else {"loc": [], "msg": "invalid request"}
        where = ".".join(str(p) for p in first["loc"])
        return error_response(422, "invalid_request", f"{where}: {first['msg']}" if where else str(first["msg"]),
                              errors=errors)

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = INVALID_JSON if exc.status_code == 400 else str(exc.detail)
        response = error_response(exc.status_code, code, message)
        response.headers.update(exc.headers or {})
        if exc.status_code == 405:
            response.headers["Allow"] = ", ".join(_allowed_methods(request))
        return response


def _message(error: dict[str, Any]) -> str:
    if error.get("type") == "string_pattern_mismatch":
        meaning = _PATTERN_MEANING.get((error.get("ctx") or {}).get("pattern", ""))
        if meaning:
            return meaning
    return str(error.get("msg", ""))


def _allowed_methods(request: Request) -> list[str]:
    """Every method any route serves at this path (Starlette names only the first matching route's)."""
    methods: set[str] = set()
    for route in request.app.routes:
        if isinstance(route, APIRoute) and route.path_regex.match(request.scope["path"]):
            methods |= route.methods or set()
    return sorted(methods)
