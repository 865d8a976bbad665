"""What the REST routes (tiles, exports) share: the request's database session or read
connection, and the caller, checked exactly as GraphQL checks them."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, Request
from starlette.datastructures import State

from api.auth.principal import ANONYMOUS, Principal
from api.auth.tokens import bearer_token
from api.db import RequestSession
from api.read_only import ReadConnection
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


@asynccontextmanager
async def reading(
    state: State, authorization: str | None
) -> AsyncIterator[tuple[Principal, ReadConnection]]:
    """The caller (by the request's Authorization header) and a read connection of the
    app (`state`), for routes that read in single statements (map tiles, a page of
    GeoJSON) and need no session. A plain context manager rather than FastAPI
    dependencies, which cost a map tile more CPU than its SQL: the anonymous public (most
    tiles) needs no session at all; a token is checked in a session of its own, closed
    before the connection is taken, so one request never holds two."""
    from api.people import service as people

    principal = ANONYMOUS
    token = bearer_token(authorization)
    if token is not None:
        async with state.sessionmaker() as session:
            principal = await people.principal_or_anonymous(session, state.settings, token)
    async with state.read_only.connection() as connection:
        yield principal, connection


async def read_access(request: Request) -> AsyncIterator[tuple[Principal, ReadConnection]]:
    """`reading` as a dependency, for a streamed response: the connection is held until
    the last byte is sent."""
    async with reading(request.app.state, request.headers.get("authorization")) as access:
        yield access
