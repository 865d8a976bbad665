"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import SQLAlchemyError

from api.db import UNAVAILABLE_ERRORS
from api.migrations import current_revisions, head_revisions

router = APIRouter()


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/readyz", response_model=None)
async def readyz(request: Request) -> dict[str, object] | JSONResponse:
    """Ready when the database answers and its schema is at the code's migration head."""
    try:
        async with request.app.state.sessionmaker() as session:
            revisions = await current_revisions(await session.connection())
    except (*UNAVAILABLE_ERRORS, SQLAlchemyError):
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, 503)
    if revisions != head_revisions():
        return JSONResponse(
            {
                "status": "unavailable",
                "database": "ok",
                "migrations": sorted(revisions),
                "expected": sorted(head_revisions()),
            },
            503,
        )
    return {"status": "ok", "database": "ok", "migrations": sorted(revisions)}
