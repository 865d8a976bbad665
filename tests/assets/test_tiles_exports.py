"""Map tiles and exports over REST, with the same visibility as the API."""

from __future__ import annotations

import csv
import io
import math
import uuid
from datetime import datetime

import httpx
import orjson
import pytest
from fastapi import APIRouter
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from starlette.types import Receive, Scope, Send

from api.app import create_app
from api.assets import service as assets
from api.assets.models import Asset
from api.auth.principal import Principal, Role
from api.db import make_sessionmaker
from api.rest.exports import asset_record
from api.settings import Settings
from tests.assets.helpers import ABERYSTWYTH, CARMARTHEN, item, results, sync, token_for
from tests.graphql_client import gql, operation
from tests.people.helpers import CARMARTHENSHIRE

CARMS = frozenset({CARMARTHENSHIRE})


def tile_of(point: tuple[float, float], z: int) -> str:
    lat, lon = point
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return f"/tiles/assets/{z}/{x}/{y}.mvt"


async def _register(client, session) -> tuple[str, dict[str, dict]]:
    """A coordinator's token and three assets near Carmarthen: one VERIFIED, one PENDING,
    one VERIFIED INDIVIDUAL."""
    token = await token_for(client, session, "coord@example.org", {Role.COORDINATOR: CARMS})
    sent = {
        "verified": item(nameEn="Verified library"),
        "pending": item(nameEn="Pending hall"),
        "person": item(
            nameEn="Welsh tutor", category="INDIVIDUAL", contact={"phone": "01267 111111"}
        ),
    }
    assert {r["status"] for r in results(await sync(client, token, list(sent.values())))} == {
        "CREATED"
    }
    for key in ("verified", "person"):
        await gql(client, operation("VerifyAsset"), {"id": sent[key]["id"]}, token=token)
    return token, sent


async def test_tiles_show_what_the_caller_may_see_with_cache_headers(
    client, session: AsyncSession
) -> None:
    token, sent = await _register(client, session)
    url = tile_of(CARMARTHEN, 12)
    public = await client.get(url)
    assert public.status_code == 200
    assert public.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    assert public.headers["cache-control"].startswith("public")
    assert b"Verified library" in public.content
    assert b"ASSOCIATION" in public.content
    assert b"Pending hall" not in public.content and b"Welsh tutor" not in public.content

    auth = {"Authorization": f"Bearer {token}"}
    staff = await client.get(url, headers=auth)
    assert b"Pending hall" in staff.content
    # A person is drawn at their community's point, in whichever tile that falls.
    shown = await gql(client, operation("Asset"), {"id": sent["person"]["id"]}, token=token)
    location = shown["data"]["asset"]["location"]
    person_tile = tile_of((location["lat"], location["lon"]), 12)
    assert b"Welsh tutor" in (await client.get(person_tile, headers=auth)).content
    assert b"Welsh tutor" not in (await client.get(person_tile)).content
    assert staff.headers["cache-control"].startswith("private")
    assert staff.headers["etag"] != public.headers["etag"]

    again = await client.get(url, headers={"If-None-Match": public.headers["etag"]})
    assert again.status_code == 304 and again.content == b""
    empty = await client.get(tile_of((0.0, 0.0), 12))
    assert empty.status_code == 200 and empty.content == b""


async def test_a_tile_carries_at_most_the_cap(
    client, session: AsyncSession, settings: Settings, connection: AsyncConnection
) -> None:
    await _register(client, session)
    capped = create_app(
        settings.model_copy(update={"asset_tile_feature_cap": 1}), make_sessionmaker(connection)
    )
    transport = httpx.ASGITransport(app=capped)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as other:
        token = (
            await gql(
                other,
                operation("Login"),
                {"email": "coord@example.org", "password": "correct horse battery staple"},
            )
        )["data"]["login"]["accessToken"]
        body = (
            await other.get(tile_of(CARMARTHEN, 12), headers={"Authorization": f"Bearer {token}"})
        ).content
    names = [n for n in (b"Verified library", b"Pending hall", b"Welsh tutor") if n in body]
    assert len(names) == 1


async def test_a_tile_outside_the_grid_is_a_clear_error(client, session: AsyncSession) -> None:
    response = await client.get("/tiles/assets/3/8/0.mvt")
    assert response.status_code == 400
    assert response.json()["error"]["field"] == "x"
    too_deep = await client.get("/tiles/assets/23/0/0.mvt")
    assert too_deep.json()["error"]["field"] == "z"


async def test_a_tile_is_answered_ahead_of_fastapis_router_as_the_route_would(
    client, session: AsyncSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    token, _ = await _register(client, session)
    routed: list[str] = []
    through_router = APIRouter.__call__

    async def watched(router: APIRouter, scope: Scope, receive: Receive, send: Send) -> None:
        routed.append(scope["path"])
        await through_router(router, scope, receive, send)

    monkeypatch.setattr(APIRouter, "__call__", watched)
    url = tile_of(CARMARTHEN, 12)
    # "12.0" is a number to FastAPI but not to the lean route's pattern: the router's answer.
    z, rest = url.removeprefix("/tiles/assets/").split("/", 1)
    by_router = f"/tiles/assets/{z}.0/{rest}"
    for headers in ({}, {"Authorization": f"Bearer {token}"}):
        lean, routed_answer = [await client.get(u, headers=headers) for u in (url, by_router)]
        assert lean.status_code == routed_answer.status_code == 200
        assert lean.content == routed_answer.content and b"Verified library" in lean.content
        for name in ("content-type", "cache-control", "vary", "etag"):
            assert lean.headers[name] == routed_answer.headers[name]
    assert routed == [by_router, by_router]
    assert (await client.get("/tiles/assets/z/0/0.mvt")).status_code == 422


async def test_geojson_export_follows_the_visibility_rules(client, session: AsyncSession) -> None:
    token, sent = await _register(client, session)
    public = await client.get("/exports/assets.geojson")
    assert public.status_code == 200
    assert public.headers["content-type"] == "application/geo+json"
    collection = public.json()
    assert collection["type"] == "FeatureCollection"
    [feature] = collection["features"]
    assert feature["id"] == sent["verified"]["id"]
    lat, lon = CARMARTHEN
    assert feature["geometry"] == {"type": "Point", "coordinates": [lon, lat]}

    staff = (
        await client.get(
            "/exports/assets.geojson",
            params={"countyCode": CARMARTHENSHIRE},
            headers={"Authorization": f"Bearer {token}"},
        )
    ).json()
    by_id = {f["id"]: f for f in staff["features"]}
    assert set(by_id) == {s["id"] for s in sent.values()}
    person = by_id[sent["person"]["id"]]
    assert person["properties"]["approximate"] is True
    assert person["geometry"]["coordinates"] != [lon, lat]
    assert person["properties"]["contact_phone"] == "01267 111111"
    elsewhere = await client.get("/exports/assets.geojson", params={"countyCode": "W06000008"})
    assert elsewhere.json()["features"] == []


async def test_csv_and_open_referral_exports(client, session: AsyncSession) -> None:
    token, sent = await _register(client, session)
    auth = {"Authorization": f"Bearer {token}"}
    text = (await client.get("/exports/assets.csv", headers=auth)).text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert {r["id"] for r in rows} == {s["id"] for s in sent.values()}
    verified = next(r for r in rows if r["id"] == sent["verified"]["id"])
    assert (verified["name_en"], verified["tags"], verified["languages"]) == (
        "Verified library",
        "outdoors;walking",
        "cy;en",
    )
    public_rows = list(csv.DictReader(io.StringIO((await client.get("/exports/assets.csv")).text)))
    assert [r["id"] for r in public_rows] == [sent["verified"]["id"]]

    services = (await client.get("/exports/assets.openreferral.json")).json()
    [service] = services
    assert service["id"] == sent["verified"]["id"]
    assert service["name"] == "Verified library"
    assert service["organization"]["name"] == "Verified library"
    [at] = service["service_at_locations"]
    assert (at["location"]["latitude"], at["location"]["longitude"]) == CARMARTHEN
    assert {t["taxonomy"]["id"] for t in service["service_taxonomys"]} == {
        "association",
        "walking",
        "outdoors",
    }


def _as_feature(record: dict) -> dict:
    lon, lat = record.pop("lon"), record.pop("lat")
    geometry = {"type": "Point", "coordinates": [lon, lat]}
    return {"type": "Feature", "id": record["id"], "geometry": geometry, "properties": record}


async def test_geojson_export_writes_the_records_of_the_other_exports_byte_for_byte(
    client, session: AsyncSession
) -> None:
    """The GeoJSON properties are written by PostgreSQL; the CSV and Open Referral records
    by Python (`asset_record`): the two must agree, hidden details and timestamps included."""
    token, sent = await _register(client, session)
    admin = await token_for(client, session, "admin@example.org", {Role.ADMIN: None})
    # One time on a whole second (isoformat() then writes no fraction), one ending in zeros.
    moments = {"verified": "2026-01-02T03:04:05+00:00", "pending": "2026-01-02T03:04:05.0001Z"}
    for key, moment in moments.items():
        await session.execute(
            update(Asset)
            .where(Asset.id == uuid.UUID(sent[key]["id"]))
            .values(updated_at=datetime.fromisoformat(moment))
        )
    callers = [
        (None, Principal()),
        (token, Principal(user_id=uuid.uuid4(), grants={Role.COORDINATOR: CARMS})),
        (admin, Principal(user_id=uuid.uuid4(), grants={Role.ADMIN: None})),
    ]
    for bearer, principal in callers:
        headers = {"Authorization": f"Bearer {bearer}"} if bearer else {}
        response = await client.get("/exports/assets.geojson", headers=headers)
        expected = [
            _as_feature(asset_record(found, exact))
            async for found, exact in assets.export(session, principal, None)
        ]
        assert len(expected) == (1 if bearer is None else 3)
        collection = {"type": "FeatureCollection", "features": expected}
        assert response.content == orjson.dumps(collection)


async def test_geojson_export_takes_a_bbox_and_a_limit(client, session: AsyncSession) -> None:
    token = await token_for(client, session, "admin@example.org", {Role.ADMIN: None})
    auth = {"Authorization": f"Bearer {token}"}
    here = [item(nameEn=f"Carmarthen {i}") for i in range(3)]
    there = item(ABERYSTWYTH, nameEn="Aberystwyth")
    assert {r["status"] for r in results(await sync(client, token, [*here, there]))} == {"CREATED"}

    async def ids(**params: str) -> list[str]:
        response = await client.get("/exports/assets.geojson", params=params, headers=auth)
        assert response.status_code == 200, response.text
        return [f["id"] for f in response.json()["features"]]

    everywhere = await ids()
    assert everywhere == sorted(everywhere) and len(everywhere) == 4
    lat, lon = CARMARTHEN
    box = f"{lon - 0.01},{lat - 0.01},{lon + 0.01},{lat + 0.01}"
    inside = await ids(bbox=box)
    assert inside == sorted(i["id"] for i in here)
    assert await ids(bbox=box, limit="2") == inside[:2]
    assert await ids(limit="1") == everywhere[:1]


async def test_geojson_export_refuses_a_bad_bbox_or_limit_naming_it(
    client, session: AsyncSession
) -> None:
    bad = [
        ({"bbox": "1,2,3"}, "bbox"),
        ({"bbox": "1,2,3,4,5"}, "bbox"),
        ({"bbox": "west,51,-4,52"}, "bbox"),
        ({"bbox": "-4,52,-5,53"}, "bbox"),  # west is east of east
        ({"bbox": "-4,52,-3,51"}, "bbox"),  # south is north of north
        ({"bbox": "-4,nan,-3,53"}, "bbox"),
        ({"bbox": "-190,51,-3,52"}, "bbox"),
        ({"limit": "0"}, "limit"),
        ({"limit": "-3"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"limit": "1.5"}, "limit"),
        ({"limit": "10000000000"}, "limit"),
    ]
    for params, field in bad:
        response = await client.get("/exports/assets.geojson", params=params)
        assert response.status_code == 400, (params, response.text)
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", field), params


async def test_a_nul_character_in_the_address_is_bad_input_naming_where(client) -> None:
    # PostgreSQL cannot compare text with NUL in it: these were 500s (found by fuzzing).
    for url, field in [
        ("/exports/assets.geojson?countyCode=%00", "countyCode"),
        ("/exports/assets.csv?countyCode=W06%0010", "countyCode"),
        ("/exports/assets.openreferral.json?countyCode=%00", "countyCode"),
        ("/media/assets/a%00.jpg", "path"),
    ]:
        response = await client.get(url)
        assert response.status_code == 400, (url, response.text)
        error = response.json()["error"]
        assert (error["code"], error["field"]) == ("BAD_USER_INPUT", field), url
