"""When the database is out of reach, requests fail fast with a retryable error (GraphQL
UNAVAILABLE, REST 503), never INTERNAL / 500; and a pool of connections the database
dropped (a restart) recovers without restarting the API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from api.app import create_app
from api.db import make_engine, make_sessionmaker
from api.local_cluster import free_port
from api.settings import Settings
from tests.graphql_client import error_codes, gql, operation

TILE = "/tiles/assets/8/124/84.mvt"
TWO_READS = (
    '{ county(code: "W06000010") { code } '
    'community(id: "00000000-0000-0000-0000-000000000000") { id } }'
)


async def _client(settings: Settings, engine: AsyncEngine) -> httpx.AsyncClient:
    app = create_app(settings, make_sessionmaker(engine))
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver")


async def _communities(client: httpx.AsyncClient) -> list[str]:
    body = await gql(client, operation("Communities"), {"first": 1}, expect_errors=True)
    return error_codes(body)


@pytest.fixture
async def unreachable(settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    engine = make_engine(f"postgresql+asyncpg://nobody:x@127.0.0.1:{free_port()}/none")
    async with await _client(settings, engine) as client:
        yield client
    await engine.dispose()


async def test_graphql_answers_unavailable_when_the_database_refuses(
    unreachable: httpx.AsyncClient,
) -> None:
    assert await _communities(unreachable) == ["UNAVAILABLE"]


async def test_rest_answers_503_when_the_database_refuses(unreachable: httpx.AsyncClient) -> None:
    response = await unreachable.get(TILE)
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "UNAVAILABLE"
    assert int(response.headers["Retry-After"]) > 0
    welsh = await unreachable.get(TILE, headers={"Accept-Language": "cy"})
    assert welsh.json()["error"]["message"].startswith("Ni all y gwasanaeth")


@pytest.mark.parametrize(
    "path", ["/exports/assets.geojson", "/exports/assets.csv", "/exports/assets.openreferral.json"]
)
async def test_a_streamed_export_answers_503_when_the_database_refuses(
    unreachable: httpx.AsyncClient, path: str
) -> None:
    # Compressed, as phones ask: the compressor holds back the response start, so a failure
    # inside the stream would otherwise surface as a 500.
    response = await unreachable.get(path, headers={"Accept-Encoding": "br, gzip"})
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "UNAVAILABLE"


@pytest.fixture
async def one_connection(migrated: str, region: Any) -> AsyncIterator[AsyncEngine]:
    """A pool of exactly one connection, so the test knows which one a request uses."""
    engine = make_engine(migrated, pool_size=1, max_overflow=0, pool_timeout=0.2)
    yield engine
    await engine.dispose()


async def test_a_dropped_pooled_connection_fails_one_request_then_recovers(
    settings: Settings, one_connection: AsyncEngine, engine: AsyncEngine
) -> None:
    async with one_connection.connect() as conn:
        pid = await conn.scalar(text("SELECT pg_backend_pid()"))
    async with await _client(settings, one_connection) as client:
        assert await _communities(client) == []
        # What a database restart does to every pooled connection; waits until it is gone.
        async with engine.connect() as admin:
            assert await admin.scalar(text(f"SELECT pg_terminate_backend({pid}, 5000)"))
        # Both fields query the dead connection: the second, queued behind the first, fails
        # the same way rather than as an unexpected error.
        body = await gql(client, TWO_READS, expect_errors=True)
        assert error_codes(body) == ["UNAVAILABLE", "UNAVAILABLE"]
        assert await _communities(client) == []
        assert (await client.get(TILE)).status_code == 200


async def test_closing_a_session_whose_connection_died_does_not_raise(
    one_connection: AsyncEngine, engine: AsyncEngine
) -> None:
    async with make_sessionmaker(one_connection)() as session:
        pid = await session.scalar(text("SELECT pg_backend_pid()"))
        async with engine.connect() as admin:
            assert await admin.scalar(text(f"SELECT pg_terminate_backend({pid}, 5000)"))
    async with make_sessionmaker(one_connection)() as session:
        assert await session.scalar(text("SELECT 1")) == 1


async def test_a_pool_with_no_free_connection_answers_unavailable(
    settings: Settings, one_connection: AsyncEngine
) -> None:
    async with await _client(settings, one_connection) as client:
        async with one_connection.connect() as held:
            await held.execute(text("SELECT 1"))
            assert await _communities(client) == ["UNAVAILABLE"]
            assert (await client.get(TILE)).status_code == 503
        assert await _communities(client) == []
