"""The real points of the demo region load as VERIFIED assets with their credits, once."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.assets.models import Asset
from api.assets.seed import seed_assets
from api.settings import Settings
from tests.graphql_client import gql, operation

SOURCE_POINTS = 37 + 46 + 16 + 24 + 36


async def test_seeding_loads_the_points_once(
    client, session: AsyncSession, settings: Settings
) -> None:
    first = await seed_assets(session, settings)
    created = sum(c["CREATED"] for c in first.values())
    rejected = sum(c["REJECTED"] for c in first.values())
    assert (created, rejected) == (SOURCE_POINTS, 0), first
    stored = await session.scalar(select(func.count()).select_from(Asset))
    assert stored == created

    again = await seed_assets(session, settings)
    assert sum(c["UNCHANGED"] for c in again.values()) == created
    assert sum(c["CREATED"] + c["UPDATED"] for c in again.values()) == 0
    assert await session.scalar(select(func.count()).select_from(Asset)) == created

    body = await gql(client, operation("Assets"), {"filter": {"text": "Glangwili"}})
    [edge] = body["data"]["assets"]["edges"]
    assert edge["node"]["status"] == "VERIFIED"
    assert edge["node"]["source"] == "geodata:hospitals"
    assert "NHS Wales" in edge["node"]["attribution"]
    assert edge["node"]["postcode"] == "SA31 2AF"
    library = await gql(
        client, operation("Assets"), {"filter": {"text": "National Library of Wales"}, "first": 1}
    )
    node = library["data"]["assets"]["edges"][0]["node"]
    assert (node["nameEn"], node["nameCy"]) == (
        "National Library of Wales",
        "Llyfrgell Genedlaethol Cymru",
    )
