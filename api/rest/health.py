"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import ORJSONResponse
from sqlalchemy.exc import SQLAlchemyError

from api.migrations import current_revision, head_revision

router = APIRouter()


@router.get("/healthz")
async def healthz() -> ORJSONResponse:
    return ORJSONResponse({"status": "ok"})


@router.get("/readyz")
async def readyz(request: Request) -> ORJSONResponse:
    """Ready when the database answers and its schema is at the code's migration head."""
    try:
        async with request.app.state.sessionmaker() as session:
            revision = await current_revision(await session.connection())
    except (SQLAlchemyError, OSError):
        return ORJSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    if revision != head_revision():
        return ORJSONResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": revision,
                "expected": head_revision(),
            },
            503,
        )
    return ORJSONResponse({"status": "ok", "database": "ok", "migrations": revision})
