"""Several API processes share one Redis (CYMUNED_REDIS_URL): one rate budget per address
and one store of learnt persisted queries. A real redis-server, started here."""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncConnection

from api.app import create_app
from api.db import make_sessionmaker
from api.local_cluster import free_port
from api.local_redis import LocalRedis
from api.settings import Settings
from tests.graphql_client import error_codes

DOCUMENT = "query Shared { counties { code } }"
DIGEST = hashlib.sha256(DOCUMENT.encode()).hexdigest()
BY_HASH = {"extensions": {"persistedQuery": {"version": 1, "sha256Hash": DIGEST}}}


@pytest.fixture(scope="module")
def redis_server() -> Iterator[LocalRedis]:
    with tempfile.TemporaryDirectory(prefix="cymuned-redis-") as directory:
        server = LocalRedis(Path(directory), free_port())
        server.start()
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
async def redis_url(redis_server: LocalRedis) -> AsyncIterator[str]:
    client = Redis.from_url(redis_server.url)
    await client.flushdb()
    await client.aclose()
    yield redis_server.url


@pytest.fixture
def process(settings: Settings, connection: AsyncConnection) -> Any:
    """An API process (its own app, counters and stores) with some settings changed."""

    @asynccontextmanager
    async def start(**changes: Any) -> AsyncIterator[httpx.AsyncClient]:
        app = create_app(settings.model_copy(update=changes), make_sessionmaker(connection))
        transport = httpx.ASGITransport(app=app, client=("198.51.100.20", 40000))
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                yield client
        finally:
            await app.state.shared.close()

    return start


async def _attribution(client: httpx.AsyncClient) -> httpx.Response:
    return await client.post("/graphql", json={"query": "{ attribution }"})


async def test_processes_sharing_redis_share_one_rate_budget(process: Any, redis_url: str) -> None:
    async with (
        process(redis_url=redis_url, rate_limit_per_address=3) as first,
        process(redis_url=redis_url, rate_limit_per_address=3) as second,
        process(rate_limit_per_address=3) as alone,
    ):
        used = [(await _attribution(first)).status_code for _ in range(3)]
        refused = await _attribution(second)
        own_budget = await _attribution(alone)
    assert used == [200, 200, 200]
    assert refused.status_code == 429
    assert error_codes(refused.json()) == ["RATE_LIMITED"]
    assert 1 <= int(refused.headers["retry-after"]) <= 60
    assert own_budget.status_code == 200


async def test_a_hash_learnt_by_one_process_is_known_to_another(
    process: Any, redis_url: str
) -> None:
    async with (
        process(redis_url=redis_url) as first,
        process(redis_url=redis_url) as second,
        process() as alone,
    ):
        taught = await first.post("/graphql", json={"query": DOCUMENT, **BY_HASH})
        found = await second.post("/graphql", json=BY_HASH)
        unknown = await alone.post("/graphql", json=BY_HASH)
    assert len(taught.json()["data"]["counties"]) == 3
    assert found.json() == taught.json()
    assert error_codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]


async def test_without_redis_requests_are_still_served(process: Any) -> None:
    # Nothing listens there: the process counts on its own and has learnt nothing.
    async with process(
        redis_url=f"redis://127.0.0.1:{free_port()}/0", rate_limit_per_address=2
    ) as api:
        taught = await api.post("/graphql", json={"query": DOCUMENT, **BY_HASH})
        by_hash = await api.post("/graphql", json=BY_HASH)
        over = await _attribution(api)
    assert len(taught.json()["data"]["counties"]) == 3
    assert error_codes(by_hash.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    assert over.status_code == 429
