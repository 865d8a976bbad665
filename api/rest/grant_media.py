"""Files attached to grant applications, for whoever may see the application's detail."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Response

from api.auth.principal import Principal
from api.db import RequestSession
from api.grants import attachments
from api.rest.dependencies import request_principal, request_session, request_settings
from api.settings import Settings
from api.shared import photos

router = APIRouter(prefix="/grants/attachments", tags=["grants"])


async def _file(
    attachment_id: uuid.UUID,
    thumbnail: bool,
    session: RequestSession,
    principal: Principal,
    settings: Settings,
) -> Response:
    data, content_type = await attachments.attachment_file(
        session, principal, photos.storage_for(settings), attachment_id, thumbnail
    )
    # Applications are private: never in a shared cache.
    return Response(data, media_type=content_type, headers={"Cache-Control": "private"})


@router.get("/{attachment_id}")
async def attachment(
    attachment_id: uuid.UUID,
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
    settings: Settings = Depends(request_settings),
) -> Response:
    return await _file(attachment_id, False, session, principal, settings)


@router.get("/{attachment_id}/thumbnail")
async def thumbnail(
    attachment_id: uuid.UUID,
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
    settings: Settings = Depends(request_settings),
) -> Response:
    return await _file(attachment_id, True, session, principal, settings)
