"""FastAPI dependencies shared by the REST routes (tiles, exports): the request's database
session and the caller, checked exactly as GraphQL checks them."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import Depends, Request

from api.auth.principal import Principal
from api.auth.tokens import bearer_token
from api.db import RequestSession
from api.settings import Settings


async def request_session(request: Request) -> AsyncIterator[RequestSession]:
    async with request.app.state.sessionmaker() as session:
        yield session


async def request_settings(request: Request) -> Settings:
    # async, though it awaits nothing: FastAPI runs a plain def in a worker thread.
    return request.app.state.settings


async def request_principal(
    request: Request,
    session: RequestSession = Depends(request_session),
    settings: Settings = Depends(request_settings),
) -> Principal:
    """The signed-in caller, or the anonymous principal; a bad token is a 401."""
    from api.people import service as people

    return await people.principal_or_anonymous(
        session, settings, bearer_token(request.headers.get("authorization"))
    )
