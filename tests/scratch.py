"""Sessions and API clients on the scratch database (the `scratch_url` fixture), each on an
engine of its own: what they write is committed for real, as by separate API processes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from api.app import create_app
from api.db import make_engine, make_sessionmaker
from api.settings import Settings


@asynccontextmanager
async def session_on(url: str) -> AsyncIterator[AsyncSession]:
    """A session on an engine of its own, disposed of afterwards."""
    engine = make_engine(url)
    try:
        async with make_sessionmaker(engine)() as session:
            yield session
    finally:
        await engine.dispose()


@asynccontextmanager
async def clients_on(
    url: str, settings: Settings, n: int
) -> AsyncIterator[list[httpx.AsyncClient]]:
    """`n` clients, each of an app on an engine of its own, so their requests race as those
    to separate API processes would."""
    engines = [make_engine(url) for _ in range(n)]
    clients = [
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=create_app(settings, make_sessionmaker(e))),
            base_url="http://testserver",
        )
        for e in engines
    ]
    try:
        yield clients
    finally:
        for client in clients:
            await client.aclose()
        for engine in engines:
            await engine.dispose()
