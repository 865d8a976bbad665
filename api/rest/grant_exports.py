"""360Giving exports of a round's awards, JSON and CSV (the round's coordinators)."""

from __future__ import annotations

import uuid
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Response

from api.auth.principal import Principal
from api.db import RequestSession
from api.grants import threesixty
from api.rest.dependencies import request_principal, request_session, request_settings
from api.settings import Settings

router = APIRouter(prefix="/exports/grants", tags=["exports"])


async def _grants(
    round_id: uuid.UUID, session: RequestSession, principal: Principal, settings: Settings
) -> list[dict[str, Any]]:
    funder = threesixty.Funder(
        identifier_prefix=settings.grants_identifier_prefix,
        id=settings.grants_funder_id,
        name=settings.grants_funder_name,
    )
    return await threesixty.export_round(session, principal, round_id, funder)


@router.get("/{round_id}/360giving.json")
async def round_json(
    round_id: uuid.UUID,
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
    settings: Settings = Depends(request_settings),
) -> Response:
    grants = await _grants(round_id, session, principal, settings)
    return Response(orjson.dumps({"grants": grants}), media_type="application/json")


@router.get("/{round_id}/360giving.csv")
async def round_csv(
    round_id: uuid.UUID,
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
    settings: Settings = Depends(request_settings),
) -> Response:
    grants = await _grants(round_id, session, principal, settings)
    return Response(
        threesixty.as_csv(grants),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="360giving-{round_id}.csv"'},
    )
