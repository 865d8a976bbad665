"""Map tiles (Mapbox Vector Tiles) built by PostGIS, with the API's visibility rules."""

from __future__ import annotations

import hashlib

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from api.assets import service as assets
from api.auth.principal import Principal
from api.db import RequestSession
from api.rest.dependencies import request_principal, request_session, request_settings
from api.settings import Settings

router = APIRouter(prefix="/tiles")

MVT = "application/vnd.mapbox-vector-tile"


@router.get("/assets/{z}/{x}/{y}.mvt")
async def asset_tile(
    z: int,
    x: int,
    y: int,
    request: Request,
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
    settings: Settings = Depends(request_settings),
) -> Response:
    data = await assets.tile(session, principal, settings, z, x, y)
    etag = '"' + hashlib.blake2b(data, digest_size=16).hexdigest() + '"'
    # Signed-in callers may see more than the public: their tiles stay out of shared caches.
    cache = "private, max-age=60" if principal.is_authenticated else "public, max-age=300"
    headers = {"ETag": etag, "Cache-Control": cache, "Vary": "Authorization"}
    if etag in {t.strip() for t in request.headers.get("if-none-match", "").split(",")}:
        return Response(status_code=304, headers=headers)
    return Response(data, media_type=MVT, headers=headers)
