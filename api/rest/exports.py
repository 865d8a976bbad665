"""Bulk exports, streamed row by row from a server-side cursor so a large register never
sits in memory. Assets: GeoJSON (RFC 7946), CSV and Open Referral UK JSON."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

import orjson
from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response, StreamingResponse

from api.assets import service as assets
from api.assets.repository import EXPORT_CHUNK, PERSONAL_DETAILS, Found
from api.auth.principal import Principal
from api.db import RequestSession
from api.errors import BadInput
from api.read_only import ReadConnection
from api.rest.dependencies import read_access, request_principal, request_session
from api.rest.streams import primed

router = APIRouter(prefix="/exports")
CHUNK_BYTES = 64 * 1024
GEOJSON = "application/geo+json"
FEATURE = (
    b'{"type":"Feature","id":"%s","geometry":{"type":"Point","coordinates":%s},"properties":%s}'
)

CSV_COLUMNS = (
    "id",
    "name_en",
    "name_cy",
    "category",
    "status",
    "tags",
    "lat",
    "lon",
    "approximate",
    "county_code",
    "community_id",
    *PERSONAL_DETAILS,  # blank where the caller may not see them, as in asset_record
    "opening_times",
    "accessibility",
    "languages",
    "wellbeing",
    "source",
    "attribution",
    "updated_at",
)


def _coordinate(value: float) -> float:
    return round(value, 6)


def asset_record(found: Found, exact: bool) -> dict[str, Any]:
    """One asset as exported: an INDIVIDUAL at its community's point; address and contact
    details only where the caller may see them."""
    a = found.asset
    return {
        "id": str(a.id),
        "name_en": a.name_en,
        "name_cy": a.name_cy,
        "description": a.description,
        "category": a.category,
        "status": a.status,
        "tags": list(a.tags),
        "lat": _coordinate(found.lat),
        "lon": _coordinate(found.lon),
        "approximate": a.category == "INDIVIDUAL",
        "county_code": a.county_code,
        "community_id": str(a.community_id) if a.community_id else None,
        **{name: getattr(a, name) if exact else None for name in PERSONAL_DETAILS},
        "opening_times": a.opening_times,
        "accessibility": a.accessibility,
        "languages": list(a.languages),
        "wellbeing": list(a.wellbeing),
        "source": a.source,
        "attribution": a.attribution,
        "updated_at": a.updated_at.isoformat(),
    }


async def _joined(
    rows: AsyncIterator[tuple[Found, bool]],
    head: bytes,
    each: Callable[[dict[str, Any]], bytes],
    separator: bytes,
    tail: bytes,
) -> AsyncIterator[bytes]:
    yield head
    first = True
    async for found, exact in rows:
        yield (b"" if first else separator) + each(asset_record(found, exact))
        first = False
    yield tail


async def _feature_collection(
    rows: AsyncIterator[tuple[str, float, float, str]],
) -> AsyncIterator[bytes]:
    """The features in a FeatureCollection (their properties written by the database),
    sent in chunks of about CHUNK_BYTES rather than one network write per feature. The
    first feature goes out at once: once the response has started, a database failure
    can only cut the stream short, never turn into a 500 from a half-begun response."""
    chunk = bytearray(b'{"type":"FeatureCollection","features":[')
    separator = b""
    async for ident, lat, lon, properties in rows:
        point = orjson.dumps([_coordinate(lon), _coordinate(lat)])
        started = bool(separator)
        chunk += separator + FEATURE % (ident.encode(), point, properties.encode())
        separator = b","
        if len(chunk) >= CHUNK_BYTES or not started:
            yield bytes(chunk)
            chunk.clear()
    yield bytes(chunk + b"]}")


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        west, south, east, north = (float(part) for part in value.split(","))
    except ValueError:
        raise BadInput(
            "bbox is west,south,east,north in degrees.",
            field="bbox",
            cy="Mae bbox yn west,south,east,north mewn graddau.",
        ) from None
    return west, south, east, north


def _limit(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise BadInput(
            "limit is a whole number.", field="limit", cy="Mae limit yn rhif cyfan."
        ) from None


def _csv_line(values: Iterable[Any]) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerow(values)
    return out.getvalue().encode()


def _csv_row(record: dict[str, Any]) -> bytes:
    cells = (record[c] for c in CSV_COLUMNS)
    return _csv_line(";".join(c) if isinstance(c, list) else c for c in cells)


def _open_referral(record: dict[str, Any]) -> bytes:
    """A service in the Open Referral UK shape: its organisation and its location."""
    name = record["name_en"] or record["name_cy"]
    ident = record["id"]
    location: dict[str, Any] = {
        "id": f"{ident}-location",
        "name": name,
        "latitude": record["lat"],
        "longitude": record["lon"],
        "physical_addresses": [
            {
                "id": f"{ident}-address",
                "address_1": record["address"] or "",
                "postal_code": record["postcode"] or "",
                "country": "GB",
            }
        ]
        if record["address"] or record["postcode"]
        else [],
        "accessibility_for_disabilities": [
            {"id": f"{ident}-accessibility", "accessibility": record["accessibility"]}
        ]
        if record["accessibility"]
        else [],
    }
    contacts = (
        [
            {
                "id": f"{ident}-contact",
                "name": record["contact_name"],
                "phones": [{"id": f"{ident}-phone", "number": record["contact_phone"]}]
                if record["contact_phone"]
                else [],
            }
        ]
        if record["contact_name"] or record["contact_phone"]
        else []
    )
    return orjson.dumps(
        {
            "id": ident,
            "name": name,
            "description": record["description"] or "",
            "url": record["website"],
            "email": record["contact_email"],
            "status": "active",
            "attending_type": "venue",
            "organization": {"id": f"{ident}-organization", "name": name, "description": ""},
            "languages": [
                {"id": f"{ident}-{code}", "language": code} for code in record["languages"]
            ],
            "service_taxonomys": [
                {"id": f"{ident}-{t}", "taxonomy": {"id": t, "name": t, "vocabulary": "cymuned"}}
                for t in [record["category"].lower(), *record["tags"]]
            ],
            "service_at_locations": [{"id": f"{ident}-at", "location": location}],
            "contacts": contacts,
            "regular_schedules": [],
            "holiday_schedules": [],
            "extra": {"source": record["source"], "attribution": record["attribution"]},
        }
    )


@router.get("/assets.geojson")
async def assets_geojson(
    county_code: str | None = Query(default=None, alias="countyCode"),
    bbox: str | None = Query(default=None, description="west,south,east,north in degrees"),
    limit: str | None = Query(default=None, description="at most this many features, by id"),
    access: tuple[Principal, ReadConnection] = Depends(read_access),
) -> Response:
    principal, connection = access
    wanted = _limit(limit)
    found = assets.export_geojson(connection, principal, county_code, _bbox(bbox), wanted)
    body = _feature_collection(await primed(found))
    if wanted is not None and wanted <= EXPORT_CHUNK:
        # A page (one fetch): sent whole, with its length, sparing a streaming task.
        return Response(b"".join([chunk async for chunk in body]), media_type=GEOJSON)
    return StreamingResponse(body, media_type=GEOJSON)


@router.get("/assets.csv")
async def assets_csv(
    county_code: str | None = Query(default=None, alias="countyCode"),
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
) -> StreamingResponse:
    rows = await primed(assets.export(session, principal, county_code))
    body = _joined(rows, _csv_line(CSV_COLUMNS), _csv_row, b"", b"")
    return StreamingResponse(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="assets.csv"'},
    )


@router.get("/assets.openreferral.json")
async def assets_open_referral(
    county_code: str | None = Query(default=None, alias="countyCode"),
    session: RequestSession = Depends(request_session),
    principal: Principal = Depends(request_principal),
) -> StreamingResponse:
    rows = await primed(assets.export(session, principal, county_code))
    body = _joined(rows, b"[", _open_referral, b",", b"]")
    return StreamingResponse(body, media_type="application/json")
