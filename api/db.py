"""Engine, session factory and the per-request session."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import orjson
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Dialect, ExceptionContext
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)
from sqlalchemy.orm import DeclarativeBase

from api.shared.language import Language, pick

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


class DatabaseUnavailable(Exception):
    """The database cannot be reached or went away mid-request: the client should retry.

    Not a DomainError, so code that turns domain errors into per-item results never
    mistakes an outage for a rejected item. A write that failed this way was rolled back
    (one batch is one transaction), and retrying it is safe: writes are idempotent.
    """

    code = "UNAVAILABLE"
    http_status = 503
    retry_after_s = 2
    message = "The service cannot reach its database just now. Please try again shortly."
    message_cy = (
        "Ni all y gwasanaeth gyrraedd ei gronfa ddata ar hyn o bryd. "
        "Rhowch gynnig arall arni cyn bo hir."
    )

    @classmethod
    def message_in(cls, language: Language) -> str:
        return pick(language, cls.message, cls.message_cy) or cls.message


# Every pooled connection is busy for longer than the pool waits: the same answer (retry
# soon) from the caller's side, so it is mapped with DatabaseUnavailable.
UNAVAILABLE_ERRORS: tuple[type[Exception], ...] = (DatabaseUnavailable, PoolTimeout)


class RequestSession(AsyncSession):
    """An AsyncSession that runs one statement at a time, to completion.

    GraphQL resolves sibling fields concurrently, but one connection runs one statement at
    once: the lock queues them. When one field fails, graphql-core cancels its siblings; a
    statement cancelled mid-flight would leave the connection unusable, so each statement
    is shielded and finishes (its result unused) before the next one starts.

    Once the database has gone away under the session, its connection is invalid: the
    statements still queued fail at once with the same DatabaseUnavailable.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._statement_lock = asyncio.Lock()
        self._unavailable = False

    async def _one_at_a_time(self, call: Callable[[], Awaitable[T]]) -> T:
        async def run() -> T:
            async with self._statement_lock:
                if self._unavailable:
                    raise DatabaseUnavailable()
                try:
                    return await call()
                except DatabaseUnavailable:
                    self._unavailable = True
                    raise

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

    async def on_driver(self, call: Callable[[Any, AsyncConnection], Awaitable[T]]) -> T:
        """`call(asyncpg connection, its SQLAlchemy connection)` on this session's connection,
        in turn with the session's statements: for a read run by asyncpg itself
        (api/read_only.py), which costs a page of 100 assets a few ms less CPU."""

        async def run() -> T:
            connection = await super(RequestSession, self).connection()
            raw = await connection.get_raw_connection()
            return await call(raw.driver_connection, connection)

        return await self._one_at_a_time(run)

    async def close(self) -> None:
        try:
            await super().close()
        except DatabaseUnavailable:
            # The transaction died with the connection: nothing is left to roll back, and
            # the request has already had its answer.
            await self.invalidate()


# SQLSTATEs that mean "no usable connection": class 08 (connection exceptions), the server
# shutting down, crashed or still starting (57P01-57P03), and too many connections.
_UNAVAILABLE_SQLSTATES = ("08", "57P", "53300")


def is_unavailable(error: BaseException) -> bool:
    """Whether a driver's error says there is no usable connection (by its SQLSTATE)."""
    return (getattr(error, "sqlstate", None) or "").startswith(_UNAVAILABLE_SQLSTATES)


def _unavailable_on_disconnect(context: ExceptionContext) -> DatabaseUnavailable | None:
    if context.is_disconnect or is_unavailable(context.original_exception):
        return DatabaseUnavailable()
    return None


def _unavailable_on_refusal(
    dialect: Dialect, record: Any, cargs: tuple[Any, ...], cparams: dict[str, Any]
) -> Any:
    # Refused or timed-out connection attempts surface as OSError (TimeoutError is one),
    # which SQLAlchemy passes through untranslated.
    try:
        return dialect.connect(*cargs, **cparams)
    except OSError as refused:
        raise DatabaseUnavailable() from refused


def make_engine(
    url: str,
    statement_timeout_ms: int | None = None,
    connect_timeout_s: float = 5.0,
    **kwargs: Any,
) -> AsyncEngine:
    """The engine. No pre-ping (it would cost a round trip per request): a connection found
    dead when used (the database restarted) invalidates the pool, that request fails with
    DatabaseUnavailable, and the next ones get fresh connections."""
    # Names the API process, so pg_stat_activity shows which one holds which connection.
    # JIT off: compiling a statement costs tens to hundreds of ms, and PostgreSQL's cost
    # estimate turns it on for exactly our slowest reads (a low-zoom map tile of 5,000
    # features: 55 ms without, 120-140 ms with it; 100-700 ms more at 1,000,000 assets).
    server_settings = {"application_name": f"cymuned:{os.getpid()}", "jit": "off"}
    if statement_timeout_ms is not None:
        server_settings["statement_timeout"] = str(statement_timeout_ms)
    if "poolclass" not in kwargs:
        # The connection returned last is handed out first (asyncpg's own pool does the
        # same): once a burst has grown the pool, requests one at a time keep to one warm
        # server process instead of waking each idle one in turn, and the idle ones can
        # time out on the server.
        kwargs.setdefault("pool_use_lifo", True)
    engine = create_async_engine(
        url,
        json_serializer=lambda v: orjson.dumps(v).decode(),
        json_deserializer=orjson.loads,
        connect_args={"server_settings": server_settings, "timeout": connect_timeout_s},
        **kwargs,
    )
    event.listen(engine.sync_engine, "handle_error", _unavailable_on_disconnect)
    event.listen(engine.sync_engine, "do_connect", _unavailable_on_refusal)
    return engine


def make_sessionmaker(bind: AsyncEngine | AsyncConnection) -> async_sessionmaker[RequestSession]:
    """Sessions for requests. Bound to a connection (tests), each session works in a savepoint."""
    return async_sessionmaker(
        bind=bind,
        class_=RequestSession,
        expire_on_commit=False,
        join_transaction_mode="create_savepoint",
    )
