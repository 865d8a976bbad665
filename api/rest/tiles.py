"""Map tiles (Mapbox Vector Tiles) built by PostGIS, with the API's visibility rules."""

from __future__ import annotations

import re

from fastapi import APIRouter, Request
from fastapi.responses import Response

from api.assets import service as assets
from api.rest.dependencies import reading
from api.web.lean_routes import LeanRoute

router = APIRouter(prefix="/tiles")

MVT = "application/vnd.mapbox-vector-tile"
# Signed-in callers may see more than the public: their tiles stay out of shared caches.
# The ETag and 304 come from api.web.etags, as for every whole GET answer.
PUBLIC = {"Cache-Control": "public, max-age=300", "Vary": "Authorization"}
PRIVATE = {"Cache-Control": "private, max-age=60", "Vary": "Authorization"}


async def _tile(request: Request, z: int, x: int, y: int) -> Response:
    async with reading(request.app.state, request.headers.get("authorization")) as (
        principal,
        connection,
    ):
        data = await assets.tile(connection, principal, request.app.state.settings, z, x, y)
    headers = PRIVATE if principal.is_authenticated else PUBLIC
    return Response(data, media_type=MVT, headers=headers)


@router.get("/assets/{z}/{x}/{y}.mvt")
async def asset_tile(z: int, x: int, y: int, request: Request) -> Response:
    return await _tile(request, z, x, y)


async def _lean_asset_tile(request: Request, zxy: tuple[str, ...]) -> Response:
    z, x, y = map(int, zxy)
    return await _tile(request, z, x, y)


# The same route, served ahead of FastAPI's router (api.web.lean_routes) for the paths
# whose parameters are plain numbers: a small tile's own work is a few milliseconds.
LEAN_ASSET_TILE = LeanRoute(
    re.compile(r"/tiles/assets/([0-9]{1,9})/([0-9]{1,9})/([0-9]{1,9})\.mvt"), _lean_asset_tile
)
