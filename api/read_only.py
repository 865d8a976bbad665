"""Single read statements on a connection of the app's pool, run by asyncpg itself outside
any transaction: for the hot REST reads (map tiles, a page of GeoJSON), whose cost is mostly
fixed per request.

Through a session, one statement is three round trips (BEGIN, the statement, ROLLBACK) and
about 1 ms of CPU in SQLAlchemy (the session, its transaction, the result); here it is one
round trip and asyncpg's own prepared-statement cache, as a minimal asyncpg endpoint runs
it. The statements are still written with SQLAlchemy in the repositories and compiled once
to asyncpg's SQL (`ReadStatement.of`). A read that needs more than one statement, or a
consistent view across several, belongs in a session.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from operator import itemgetter
from typing import Any

import asyncpg
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine
from sqlalchemy.sql import Executable
from sqlalchemy.util import greenlet_spawn

from api.db import DatabaseUnavailable, RequestSession, is_unavailable

_DIALECT = PGDialect_asyncpg()


def _record_class(stmt: Executable) -> type[asyncpg.Record]:
    """Rows whose columns are also attributes (`row.name_en`), as in a SQLAlchemy Row: a
    property per column, by position (a `__getattr__` made building a page of 100 assets
    1 ms slower, every access first failing the normal lookup)."""
    names = getattr(stmt, "selected_columns", None)
    columns = {} if names is None else dict(enumerate(names.keys()))
    attributes = {
        name: property(itemgetter(i))
        for i, name in columns.items()
        if name.isidentifier() and not hasattr(asyncpg.Record, name)
    }
    return type("Row", (asyncpg.Record,), attributes)


@dataclass(frozen=True)
class ReadStatement:
    """A statement as asyncpg runs it: its SQL (`$1`...), where each argument comes from,
    by parameter name (the values written into the statement when it was built, an `IN`
    list of counties, are kept here), and the class of its rows."""

    sql: str
    names: tuple[str, ...]
    fixed: Mapping[str, Any]
    record_class: type[asyncpg.Record]

    @classmethod
    def of(cls, stmt: Executable, *names: str) -> ReadStatement:
        """Compile `stmt`, whose parameters given at run time are `names`. Their values
        reach asyncpg as given (ints, floats, strings): no SQLAlchemy type processing."""
        compiled = stmt.compile(dialect=_DIALECT)
        expanded = compiled.construct_expanded_state(dict.fromkeys(names))
        order = tuple(expanded.positiontup or ())
        fixed = {n: v for n, v in expanded.parameters.items() if n not in names}
        return cls(expanded.statement, order, fixed, _record_class(stmt))

    def arguments(self, params: Mapping[str, Any]) -> list[Any]:
        return [params[n] if n in params else self.fixed[n] for n in self.names]


@asynccontextmanager
async def outage_is_unavailable(
    driver: asyncpg.Connection, invalidate: Callable[[], Awaitable[Any]] | None
) -> AsyncIterator[None]:
    """What asyncpg raises when the database has gone away, raised as through a session:
    `DatabaseUnavailable` (a 503), the dead connection leaving the pool (`invalidate`)."""
    try:
        yield
    except Exception as error:
        if not (is_unavailable(error) or driver.is_closed()):
            raise
        if invalidate is not None:
            await invalidate()
        raise DatabaseUnavailable() from error


class ReadConnection:
    """One connection for the read statements of a request. A lost database is
    `DatabaseUnavailable` (a 503), as through a session, and the dead connection leaves
    the pool (`invalidate`)."""

    def __init__(
        self, driver: asyncpg.Connection, invalidate: Callable[[], Awaitable[Any]] | None
    ) -> None:
        self._driver, self._invalidate = driver, invalidate

    async def fetch(self, stmt: ReadStatement, params: Mapping[str, Any]) -> list[Any]:
        async with outage_is_unavailable(self._driver, self._invalidate):
            return await self._driver.fetch(
                stmt.sql, *stmt.arguments(params), record_class=stmt.record_class
            )

    async def fetchval(self, stmt: ReadStatement, params: Mapping[str, Any]) -> Any:
        rows = await self.fetch(stmt, params)
        return rows[0][0] if rows else None

    async def stream(
        self, stmt: ReadStatement, params: Mapping[str, Any], chunk: int
    ) -> AsyncIterator[asyncpg.Record]:
        """The rows, read `chunk` at a time through a cursor (a cursor needs a transaction:
        a read-only one, on this connection)."""
        async with (
            outage_is_unavailable(self._driver, self._invalidate),
            self._driver.transaction(readonly=True),
        ):
            cursor = self._driver.cursor(stmt.sql, *stmt.arguments(params), prefetch=chunk)
            async for row in cursor:
                yield row


async def read_in_session(
    session: RequestSession, stmt: ReadStatement, params: Mapping[str, Any]
) -> list[Any]:
    """`stmt` run by asyncpg on the session's connection (in turn with its statements)."""

    async def fetch(driver: asyncpg.Connection, pooled: AsyncConnection) -> list[Any]:
        return await ReadConnection(driver, pooled.invalidate).fetch(stmt, params)

    return await session.on_driver(fetch)


class ReadOnly:
    """Where read connections come from: the app's engine (its pool, its settings such as
    statement_timeout), or the connection a test runs in, so reads see its data."""

    def __init__(self, bind: AsyncEngine | AsyncConnection) -> None:
        self._bind = bind

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[ReadConnection]:
        if isinstance(self._bind, AsyncConnection):
            raw = await self._bind.get_raw_connection()
            yield ReadConnection(raw.driver_connection, None)
            return
        # Straight from the pool, without a Connection around it (that cost a tile 0.1 ms
        # of CPU). A refused connection or a full pool raise what a session would
        # (DatabaseUnavailable, a pool timeout): both a 503. Closing and invalidating may
        # wait on the driver, hence SQLAlchemy's greenlet bridge.
        try:
            raw = await self._bind.raw_connection()
        except Exception as error:
            # Outside a Connection, SQLAlchemy's error events do not run: a server that
            # is shutting down or full (a driver error with its SQLSTATE) is mapped here.
            if is_unavailable(error):
                raise DatabaseUnavailable() from error
            raise
        try:
            yield ReadConnection(raw.driver_connection, lambda: greenlet_spawn(raw.invalidate))
        finally:
            await greenlet_spawn(raw.close)
