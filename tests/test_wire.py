"""The wire: body size and rate limits, persisted queries over POST and GET, ETags, and the
statement timeout (compression: test_compression.py)."""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from api.app import create_app
from api.auth.principal import ALL_COUNTIES, Role
from api.db import RequestSession, make_engine, make_sessionmaker
from api.settings import Settings
from api.web.limits import Counter
from tests.graphql_client import error_codes, operation
from tests.people.helpers import make_user, sign_in

ATTRIBUTION = "query Attribution {\n  attribution\n}\n"


@pytest.fixture
def tuned(settings: Settings, connection: AsyncConnection):
    """A client factory for an app with some settings changed."""

    async def make(**changes: Any) -> httpx.AsyncClient:
        app = create_app(settings.model_copy(update=changes), make_sessionmaker(connection))
        transport = httpx.ASGITransport(app=app, client=("198.51.100.9", 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://testserver")

    return make


@pytest.fixture
async def plain(tuned: Any) -> AsyncIterator[httpx.AsyncClient]:
    async with await tuned() as client:
        yield client


def _hash(document: str) -> str:
    return hashlib.sha256(document.encode()).hexdigest()


def _persisted(digest: str) -> dict[str, Any]:
    return {"persistedQuery": {"version": 1, "sha256Hash": digest}}


async def test_a_body_over_the_limit_is_refused_whole(tuned: Any) -> None:
    async with await tuned(request_json_max_bytes=300) as client:
        small = await client.post("/graphql", json={"query": "{ attribution }"})
        big = await client.post("/graphql", json={"query": "{ attribution }", "pad": "x" * 400})
    assert small.status_code == 200
    assert big.status_code == 413
    assert error_codes(big.json()) == ["BAD_USER_INPUT"]
    assert "300 bytes" in big.json()["errors"][0]["message"]


async def test_uploads_have_their_own_larger_limit(tuned: Any) -> None:
    operations = orjson.dumps({"query": "{ attribution }", "variables": {}}).decode()

    async def upload(client: httpx.AsyncClient, size: int) -> httpx.Response:
        return await client.post(
            "/graphql",
            data={"operations": operations, "map": "{}"},
            files={"0": ("photo.jpg", b"x" * size, "image/jpeg")},
        )

    async with await tuned(request_json_max_bytes=300, request_multipart_max_bytes=3000) as client:
        within = await upload(client, 1000)  # over the JSON limit, within the upload one
        over = await upload(client, 4000)
    assert within.status_code == 200
    assert over.status_code == 413
    assert error_codes(over.json()) == ["BAD_USER_INPUT"]
    assert "upload may be at most 3,000 bytes" in over.json()["errors"][0]["message"]


async def test_rate_limit_per_address_with_retry_after(tuned: Any) -> None:
    async with await tuned(rate_limit_per_address=3) as client:
        answers = [
            await client.post("/graphql", json={"query": "{ attribution }"}) for _ in range(4)
        ]
        health = await client.get("/healthz")
    assert [a.status_code for a in answers] == [200, 200, 200, 429]
    assert error_codes(answers[-1].json()) == ["RATE_LIMITED"]
    assert 1 <= int(answers[-1].headers["retry-after"]) <= 60
    assert health.status_code == 200  # probes are never limited


async def test_rate_limit_per_user(tuned: Any, session: RequestSession) -> None:
    await make_user(session, "prysur@example.org", {Role.LEADER: ALL_COUNTIES})
    async with await tuned(rate_limit_per_user=2) as client:
        token = (await sign_in(client, "prysur@example.org"))["accessToken"]
        headers = {"Authorization": f"Bearer {token}"}
        mine = [
            (
                await client.post("/graphql", json={"query": "{ attribution }"}, headers=headers)
            ).status_code
            for _ in range(3)
        ]
        anonymous = await client.post("/graphql", json={"query": "{ attribution }"})
    assert mine == [200, 200, 429]
    assert anonymous.status_code == 200


async def test_rate_windows_start_again_after_a_minute() -> None:
    now = [1000.0]
    counter = Counter(clock=lambda: now[0])
    assert [(await counter.hit("k"))[0] for _ in range(3)] == [1, 2, 3]
    now[0] += 59.0
    assert await counter.hit("k") == (4, pytest.approx(1.0))
    now[0] += 1.0
    assert (await counter.hit("k"))[0] == 1


async def test_automatic_persisted_queries_over_post(plain: httpx.AsyncClient) -> None:
    document = "{ counties { code } }"
    digest = _hash(document)
    unknown = await plain.post("/graphql", json={"extensions": _persisted(digest)})
    assert error_codes(unknown.json()) == ["PERSISTED_QUERY_NOT_FOUND"]
    taught = await plain.post(
        "/graphql", json={"query": document, "extensions": _persisted(digest)}
    )
    assert len(taught.json()["data"]["counties"]) == 3
    by_hash = await plain.post("/graphql", json={"extensions": _persisted(digest)})
    assert by_hash.json() == taught.json()
    wrong = await plain.post(
        "/graphql", json={"query": "{ attribution }", "extensions": _persisted(digest)}
    )
    assert error_codes(wrong.json()) == ["BAD_USER_INPUT"]


async def test_registered_operations_by_hash_over_get_with_etag(plain: httpx.AsyncClient) -> None:
    document = operation("Attribution")
    params = {"extensions": orjson.dumps(_persisted(_hash(document))).decode()}
    first = await plain.get("/graphql", params=params)
    assert first.status_code == 200
    assert "Open Government Licence" in " ".join(first.json()["data"]["attribution"])
    etag = first.headers["etag"]
    again = await plain.get("/graphql", params=params, headers={"If-None-Match": etag})
    assert (again.status_code, again.content) == (304, b"")
    mutation = await plain.get("/graphql", params={"query": "mutation { logout }"})
    assert mutation.status_code >= 400 and mutation.status_code < 500


async def test_only_registered_operations_when_asked(tuned: Any) -> None:
    async with await tuned(persisted_queries_only=True) as client:
        ad_hoc = await client.post("/graphql", json={"query": "{ attribution }"})
        registered = await client.post("/graphql", json={"query": operation("Attribution")})
        by_hash = await client.post(
            "/graphql", json={"extensions": _persisted(_hash(operation("Attribution")))}
        )
    assert error_codes(ad_hoc.json()) == ["PERSISTED_QUERY_NOT_SUPPORTED"]
    assert "errors" not in registered.json()
    assert "errors" not in by_hash.json()


async def test_statements_are_stopped_at_the_timeout(database_url: str) -> None:
    engine = make_engine(database_url, statement_timeout_ms=50)
    try:
        async with engine.connect() as conn:
            with pytest.raises(DBAPIError, match="statement timeout"):
                await conn.execute(text("SELECT pg_sleep(2)"))
    finally:
        await engine.dispose()
