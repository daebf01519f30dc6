"""Request dependencies: the service on the app, and the user behind the bearer token."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from lastresort.errors import Unauthorized
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
    return service.authenticate(token.strip())


Service = Annotated[ConversationService, Depends(get_service)]
User = Annotated[UserRow, Depends(get_user)]
