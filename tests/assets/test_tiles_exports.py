"""Map tiles and exports over REST, with the same visibility as the API."""

from __future__ import annotations

import csv
import io
import math

import httpx
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession

from api.app import create_app
from api.auth.principal import Role
from api.db import make_sessionmaker
from api.settings import Settings
from tests.assets.helpers import CARMARTHEN, item, results, sync, token_for
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
