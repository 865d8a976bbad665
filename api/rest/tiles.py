"""Map tiles (Mapbox Vector Tiles) built by PostGIS, with the API's visibility rules."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.assets import service as assets
from api.rest.dependencies import reading

router = APIRouter(prefix="/tiles")

MVT = "application/vnd.mapbox-vector-tile"


@router.get("/assets/{z}/{x}/{y}.mvt")
async def asset_tile(z: int, x: int, y: int, request: Request) -> Response:
    async with reading(request) as (principal, connection):
        data = await assets.tile(connection, principal, request.app.state.settings, z, x, y)
    # Signed-in callers may see more than the public: their tiles stay out of shared caches.
    cache = "private, max-age=60" if principal.is_authenticated else "public, max-age=300"
    # The ETag and 304 come from api.web.etags, as for every whole GET answer.
    headers = {"Cache-Control": cache, "Vary": "Authorization"}
    return Response(data, media_type=MVT, headers=headers)
