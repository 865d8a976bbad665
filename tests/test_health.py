"""/healthz says the process is up; /readyz that the database answers at the right schema."""

from __future__ import annotations

import httpx

from api.app import create_app
from api.db import make_engine, make_sessionmaker
from api.local_cluster import free_port
from api.settings import Settings


async def test_healthz(client: httpx.AsyncClient) -> None:
    response = await client.get("/healthz")
    assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_ready_when_migrations_are_at_head(client: httpx.AsyncClient) -> None:
    response = await client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["migrations"]


async def test_not_ready_when_the_database_is_unreachable(settings: Settings) -> None:
    nowhere = f"postgresql+asyncpg://nobody:x@127.0.0.1:{free_port()}/none"
    engine = make_engine(nowhere)
    app = create_app(settings, make_sessionmaker(engine))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        response = await c.get("/readyz")
    await engine.dispose()
    assert response.status_code == 503
    assert response.json()["database"] == "unreachable"
