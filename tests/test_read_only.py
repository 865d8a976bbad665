"""Single read statements on a pooled connection, outside a session (tiles, GeoJSON): under
the engine's settings (statement_timeout, no JIT); a connection the database dropped
answers 503 once and leaves the pool."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import bindparam, column, make_url, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.db import DatabaseUnavailable, make_engine, make_sessionmaker
from api.read_only import ReadOnly, ReadStatement
from api.settings import Settings
from tests.graphql_client import error_codes, gql, operation

TILE = "/tiles/assets/8/124/84.mvt"
GEOJSON_PAGE = "/exports/assets.geojson?limit=10"
GEOJSON_STREAM = "/exports/assets.geojson"
BACKEND = ReadStatement.of(select(text("pg_backend_pid()")))


@pytest.fixture
async def one_connection(migrated: str, region: Any) -> AsyncIterator[AsyncEngine]:
    """A pool of one connection, so the test knows which one a request reads on."""
    engine = make_engine(migrated, pool_size=1, max_overflow=0, statement_timeout_ms=4321)
    yield engine
    await engine.dispose()


async def test_a_read_runs_under_the_engines_settings(one_connection: AsyncEngine) -> None:
    timeout = ReadStatement.of(select(text("current_setting('statement_timeout')")))
    # Set by the API's connections themselves, whatever the server's default.
    jit = ReadStatement.of(select(text("setting, source FROM pg_settings WHERE name = 'jit'")))
    async with ReadOnly(one_connection).connection() as connection:
        assert await connection.fetchval(timeout, {}) == "4321ms"
        assert tuple((await connection.fetch(jit, {}))[0]) == ("off", "client")


async def test_reads_one_at_a_time_keep_to_the_connection_returned_last(
    migrated: str, region: Any
) -> None:
    engine = make_engine(migrated, pool_size=3, max_overflow=0)
    read_only = ReadOnly(engine)
    try:
        # A burst of three at once fills the pool; the first taken is returned last.
        async with read_only.connection() as first:
            async with read_only.connection() as second, read_only.connection() as third:
                burst = {await c.fetchval(BACKEND, {}) for c in (second, third)}
            last = await first.fetchval(BACKEND, {})
        assert last not in burst
        for _ in range(3):
            async with read_only.connection() as connection:
                assert await connection.fetchval(BACKEND, {}) == last
    finally:
        await engine.dispose()


async def test_a_statement_keeps_the_values_written_into_it(
    one_connection: AsyncEngine,
) -> None:
    # An IN list built into a statement (a caller's counties) beside a run-time parameter.
    v = column("v")
    letters = select(v).select_from(text("(VALUES ('A'), ('B'), ('C')) AS t(v)"))
    chosen = letters.where(v.in_(["A", "C"]), v != bindparam("skip")).order_by(v)
    stmt = ReadStatement.of(chosen, "skip")
    async with ReadOnly(one_connection).connection() as connection:
        assert [r[0] for r in await connection.fetch(stmt, {"skip": "C"})] == ["A"]
        assert [r[0] for r in await connection.fetch(stmt, {"skip": "B"})] == ["A", "C"]


@pytest.mark.parametrize("path", [TILE, GEOJSON_PAGE, GEOJSON_STREAM])
async def test_a_dropped_connection_answers_503_once_then_recovers(
    settings: Settings, one_connection: AsyncEngine, engine: AsyncEngine, path: str
) -> None:
    async with ReadOnly(one_connection).connection() as connection:
        pid = await connection.fetchval(BACKEND, {})
    app = create_app(settings, make_sessionmaker(one_connection))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        # What a database restart does to a pooled connection; waits until it is gone.
        async with engine.connect() as admin:
            assert await admin.scalar(text(f"SELECT pg_terminate_backend({pid}, 5000)"))
        failed = await client.get(path, headers={"Accept-Encoding": "br, gzip"})
        assert failed.status_code == 503
        assert failed.json()["error"]["code"] == "UNAVAILABLE"
        assert (await client.get(path)).status_code == 200


async def test_a_graphql_list_on_a_dropped_connection_is_unavailable_then_recovers(
    settings: Settings, one_connection: AsyncEngine, engine: AsyncEngine
) -> None:
    # The list runs its statement through asyncpg on the session's connection.
    async with ReadOnly(one_connection).connection() as connection:
        pid = await connection.fetchval(BACKEND, {})
    app = create_app(settings, make_sessionmaker(one_connection))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        async with engine.connect() as admin:
            assert await admin.scalar(text(f"SELECT pg_terminate_backend({pid}, 5000)"))
        failed = await gql(client, operation("Assets"), {"first": 1}, expect_errors=True)
        assert error_codes(failed) == ["UNAVAILABLE"]
        again = await gql(client, operation("Assets"), {"first": 1})
        assert "errors" not in again


async def test_a_connection_the_server_refuses_is_unavailable(engine: AsyncEngine) -> None:
    """A server shutting down or out of connection slots refuses a new connection with a
    SQLSTATE (57P03, 53300), not a socket error: that is a 503 here as in a session."""
    admin = engine.execution_options(isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text("DROP ROLE IF EXISTS cymuned_no_slots"))
        await conn.execute(
            text("CREATE ROLE cymuned_no_slots LOGIN PASSWORD 'no-slots' CONNECTION LIMIT 0")
        )
    url = make_url(engine.url).set(username="cymuned_no_slots", password="no-slots")
    refused = make_engine(url.render_as_string(hide_password=False))
    try:
        with pytest.raises(DatabaseUnavailable):
            async with ReadOnly(refused).connection():
                pass
    finally:
        await refused.dispose()
        async with admin.connect() as conn:
            await conn.execute(text("DROP ROLE cymuned_no_slots"))
