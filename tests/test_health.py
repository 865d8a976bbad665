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


async def test_rest_routes_answer_domain_errors_with_their_status(app: object) -> None:
    from fastapi import Depends

    from api.auth.principal import Principal
    from api.rest.dependencies import request_principal

    async def whoami(principal: Principal = Depends(request_principal)) -> dict[str, str]:
        return {"user": str(principal.user_id)}

    app.add_api_route("/test-whoami", whoami)  # type: ignore[attr-defined]
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
        anonymous = await c.get("/test-whoami")
        forged = await c.get("/test-whoami", headers={"Authorization": "Bearer nonsense"})
    assert anonymous.json() == {"user": "None"}
    assert forged.status_code == 401
    assert forged.json()["error"]["code"] == "UNAUTHENTICATED"
