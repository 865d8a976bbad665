"""Stored photos of assets, by URL, with the same visibility as the asset they show."""

from __future__ import annotations

from fastapi import APIRouter, Depends
from fastapi.responses import Response

from api.assets import service
from api.auth.principal import Principal
from api.db import RequestSession
from api.rest.dependencies import request_principal, request_session, request_settings
from api.settings import Settings
from api.shared import photos

router = APIRouter()


@router.get("/media/assets/{path:path}")
async def asset_photo(
    path: str,
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
    settings: Settings = Depends(request_settings),
) -> Response:
    data, content_type, public = await service.photo_file(
        session, principal, photos.storage_for(settings), f"assets/{path}"
    )
    # Files never change under a key; only photos of public assets may sit in shared caches.
    cache = "public, max-age=31536000, immutable" if public else "private, max-age=3600"
    return Response(data, media_type=content_type, headers={"Cache-Control": cache})
