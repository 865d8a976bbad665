"""Engine, session factory and the per-request session."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from sqlalchemy import MetaData
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

T = TypeVar("T")

# Stable constraint names, so Alembic revisions can name what they drop.
NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class RequestSession(AsyncSession):
    """An AsyncSession that runs one statement at a time, to completion.

    GraphQL resolves sibling fields concurrently, but one connection runs one statement at
    once: the lock queues them. When one field fails, graphql-core cancels its siblings; a
    statement cancelled mid-flight would leave the connection unusable, so each statement
    is shielded and finishes (its result unused) before the next one starts.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._statement_lock = asyncio.Lock()

    async def _one_at_a_time(self, call: Callable[[], Awaitable[T]]) -> T:
        async def run() -> T:
            async with self._statement_lock:
                return await call()

        return await asyncio.shield(run())

    async def execute(self, *args: Any, **kwargs: Any) -> Any:  # scalars() goes through here
        return await self._one_at_a_time(
            lambda: super(RequestSession, self).execute(*args, **kwargs)
        )

    async def scalar(self, *args: Any, **kwargs: Any) -> Any:
        return await self._one_at_a_time(
            lambda: super(RequestSession, self).scalar(*args, **kwargs)
        )

    async def get(self, *args: Any, **kwargs: Any) -> Any:
        return await self._one_at_a_time(lambda: super(RequestSession, self).get(*args, **kwargs))

    async def flush(self, *args: Any, **kwargs: Any) -> None:
        await self._one_at_a_time(lambda: super(RequestSession, self).flush(*args, **kwargs))

    async def commit(self) -> None:
        await self._one_at_a_time(lambda: super(RequestSession, self).commit())


def make_engine(url: str, statement_timeout_ms: int | None = None, **kwargs: Any) -> AsyncEngine:
    server_settings = {"application_name": "cymuned"}
    if statement_timeout_ms is not None:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    return create_async_engine(
        url,
        json_serializer=lambda v: orjson.dumps(v).decode(),
        json_deserializer=orjson.loads,
        pool_pre_ping=True,
        connect_args={"server_settings": server_settings},
        **kwargs,
    )


def make_sessionmaker(bind: AsyncEngine | AsyncConnection) -> async_sessionmaker[RequestSession]:
    """Sessions for requests. Bound to a connection (tests), each session works in a savepoint."""
    return async_sessionmaker(
        bind=bind,
        class_=RequestSession,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )
