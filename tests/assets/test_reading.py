"""Reading assets: filters, stable pages, nearest first, delta sync, one asset with its
history, summaries, and no N+1 on a page."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from api.assets.models import AssetPhoto
from api.auth.principal import Role
from tests.assets.helpers import (
    ABERYSTWYTH,
    CARMARTHEN,
    item,
    results,
    sync,
    token_for,
)
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION

BOTH = frozenset({CARMARTHENSHIRE, CEREDIGION})


async def staff(client, session) -> str:
    return await token_for(client, session, "staff@example.org", {Role.COORDINATOR: BOTH})


def offset(point: tuple[float, float], north_m: float) -> tuple[float, float]:
    return point[0] + north_m / 111_195, point[1]


def ids(body: dict) -> list[str]:
    return [e["node"]["id"] for e in body["data"]["assets"]["edges"]]


async def test_filters_narrow_the_list(client, session: AsyncSession) -> None:
    token = await staff(client, session)
    walk = item(nameEn="Walking group", tags=["Walking"])
    choir = item(nameEn="Côr Meibion", nameCy="Côr Meibion", category="CULTURAL", tags=["music"])
    lat, lon = ABERYSTWYTH
    far = item(nameEn="Seaside walk", location={"lat": lat, "lon": lon}, tags=["walking"])
    await sync(client, token, [walk, choir, far])

    async def listed(flt: dict) -> set[str]:
        return set(ids(await gql(client, operation("Assets"), {"filter": flt}, token=token)))

    assert await listed({}) == {walk["id"], choir["id"], far["id"]}
    assert await listed({"countyCode": CEREDIGION}) == {far["id"]}
    # The same shape of filter with another value (the statement is built once per shape).
    assert await listed({"countyCode": CARMARTHENSHIRE}) == {walk["id"], choir["id"]}
    assert await listed({"categories": ["CULTURAL"]}) == {choir["id"]}
    assert await listed({"tags": ["walking"]}) == {walk["id"], far["id"]}
    assert await listed({"text": "meibion"}) == {choir["id"]}
    assert await listed({"text": "100%"}) == set()
    assert await listed({"status": ["VERIFIED"]}) == set()
    box = {"west": -4.4, "south": 51.8, "east": -4.2, "north": 51.9}
    assert await listed({"bbox": box}) == {walk["id"], choir["id"]}
    one = await gql(
        client,
        operation("Assets"),
        {"filter": {"countyCode": CARMARTHENSHIRE}, "first": 1},
        token=token,
    )
    community = one["data"]["assets"]["edges"][0]["node"]["communityId"]
    assert await listed({"communityId": community}) == {walk["id"], choir["id"]}


async def test_pages_follow_each_other_without_gaps(client, session: AsyncSession) -> None:
    token = await staff(client, session)
    sent = [item(nameEn=f"Asset {n}") for n in range(7)]
    await sync(client, token, sent)
    seen: list[str] = []
    after = None
    while True:
        body = await gql(client, operation("Assets"), {"first": 3, "after": after}, token=token)
        seen += ids(body)
        info = body["data"]["assets"]["pageInfo"]
        if not info["hasNextPage"]:
            break
        after = info["endCursor"]
    assert seen == sorted(s["id"] for s in sent)


async def test_near_is_nearest_first_with_distances(client, session: AsyncSession) -> None:
    token = await staff(client, session)
    points = {
        m: item(
            nameEn=f"{m} m north",
            location=dict(zip(("lat", "lon"), offset(CARMARTHEN, m), strict=True)),
        )
        for m in (900, 100, 500, 3000)
    }
    await sync(client, token, list(points.values()))
    lat, lon = CARMARTHEN
    flt = {"near": {"lat": lat, "lon": lon, "radiusM": 1000}}
    first = await gql(client, operation("Assets"), {"filter": flt, "first": 2}, token=token)
    nodes = [e["node"] for e in first["data"]["assets"]["edges"]]
    assert [n["id"] for n in nodes] == [points[100]["id"], points[500]["id"]]
    assert abs(nodes[0]["distanceM"] - 100) < 2 and abs(nodes[1]["distanceM"] - 500) < 5
    after = first["data"]["assets"]["pageInfo"]["endCursor"]
    rest = await gql(client, operation("Assets"), {"filter": flt, "after": after}, token=token)
    assert ids(rest) == [points[900]["id"]]  # 3 km is outside the radius
    bad = await gql(
        client,
        operation("Assets"),
        {"filter": {"near": {"lat": lat, "lon": lon, "radiusM": -1}}},
        expect_errors=True,
    )
    assert bad["errors"][0]["extensions"]["field"] == "filter.near.radiusM"
    off = {"near": {"lat": 95.0, "lon": lon, "radiusM": 10}}
    wrong = await gql(client, operation("Assets"), {"filter": off}, expect_errors=True)
    assert wrong["errors"][0]["extensions"]["field"] == "filter.near.lat"


async def test_updated_since_returns_changes_and_the_ids_that_left(
    client, session: AsyncSession
) -> None:
    token = await staff(client, session)
    old, edited, archived = (item(nameEn=n) for n in ("Old", "Edited", "Archived"))
    await sync(client, token, [old, edited, archived])
    since = datetime.now(UTC)
    await sync(client, token, [{**edited, "version": 1, "nameEn": "Edited later"}])
    await gql(client, operation("ArchiveAsset"), {"id": archived["id"]}, token=token)
    body = await gql(
        client, operation("Assets"), {"filter": {"updatedSince": since.isoformat()}}, token=token
    )
    assert ids(body) == [edited["id"]]
    assert body["data"]["assets"]["removedIds"] == [archived["id"]]
    plain = await gql(client, operation("Assets"), {}, token=token)
    assert plain["data"]["assets"]["removedIds"] is None


async def test_one_asset_with_revisions_and_photos(client, session: AsyncSession) -> None:
    token = await staff(client, session)
    sent = item()
    await sync(client, token, [sent])
    await sync(client, token, [{**sent, "version": 1, "openingTimes": "Tue 10-12"}])
    session.add(_photo(sent["id"]))
    await session.flush()
    body = await gql(client, operation("Asset"), {"id": sent["id"]}, token=token)
    asset = body["data"]["asset"]
    assert [(r["version"], r["action"], r["changedFields"]) for r in asset["revisions"]][1] == (
        2,
        "UPDATED",
        ["openingTimes"],
    )
    assert asset["photos"][0]["url"].startswith("/media/")
    public = await gql(client, operation("Asset"), {"id": sent["id"]})
    assert public["data"]["asset"] is None  # still PENDING
    assert asset["categoryLabel"] == "Groups and clubs"
    welsh = await gql(client, operation("Asset"), {"id": sent["id"]}, token=token, language="cy")
    assert welsh["data"]["asset"]["name"] == "Grŵp cerdded"
    assert welsh["data"]["asset"]["categoryLabel"] == "Grwpiau a chlybiau"


def _photo(asset_id: str) -> AssetPhoto:
    key = uuid.uuid4().hex
    return AssetPhoto(
        id=uuid.uuid4(),
        asset_id=uuid.UUID(asset_id),
        image_key=f"assets/{key}.jpg",
        thumbnail_key=f"assets/{key}-thumb.jpg",
        content_type="image/jpeg",
        width=100,
        height=80,
        created_at=datetime.now(UTC),
    )


async def test_a_page_of_fifty_costs_the_same_statements_as_a_page_of_five(
    client, session: AsyncSession, count_statements
) -> None:
    token = await staff(client, session)
    sent = [item(nameEn=f"Asset {n}") for n in range(50)]
    assert {r["status"] for r in results(await sync(client, token, sent))} == {"CREATED"}
    session.add_all(_photo(s["id"]) for s in sent)
    await session.flush()
    counted = []
    for first in (5, 50):
        count_statements.statements.clear()
        body = await gql(client, operation("AssetsWithHistory"), {"first": first}, token=token)
        edges = body["data"]["assets"]["edges"]
        assert len(edges) == first
        assert all(len(e["node"]["photos"]) == 1 and e["node"]["revisions"] for e in edges)
        counted.append(count_statements.count)
    assert counted[0] == counted[1], counted
    assert counted[1] <= 5, count_statements.statements


async def test_summary_counts_and_assets_per_thousand_residents(
    client, session: AsyncSession
) -> None:
    token = await staff(client, session)
    sent = [item(), item(category="CULTURAL"), item(category="CULTURAL")]
    await sync(client, token, sent)
    await gql(client, operation("VerifyAsset"), {"id": sent[0]["id"]}, token=token)
    body = await gql(
        client, operation("AssetSummary"), {"countyCode": CARMARTHENSHIRE}, token=token
    )
    summary = body["data"]["assetSummary"]
    assert summary["total"] == 3
    assert summary["byCategory"] == [
        {"category": "ASSOCIATION", "count": 1},
        {"category": "CULTURAL", "count": 2},
    ]
    assert summary["byStatus"] == [
        {"status": "PENDING", "count": 2},
        {"status": "VERIFIED", "count": 1},
    ]
    assert summary["population"] == 190_073  # ONS mid-2020, the sum of the county's LSOAs
    assert summary["verifiedPer1000Residents"] == round(1000 / 190_073, 2)
    public = await gql(client, operation("AssetSummary"), {"countyCode": CARMARTHENSHIRE})
    assert public["data"]["assetSummary"]["total"] == 1
    one = await gql(client, operation("Asset"), {"id": sent[0]["id"]})
    community = one["data"]["asset"]["communityId"]
    by_community = await gql(client, operation("AssetSummary"), {"communityId": community})
    assert by_community["data"]["assetSummary"]["total"] == 1
    assert by_community["data"]["assetSummary"]["population"] > 0
    neither = await gql(client, operation("AssetSummary"), {}, expect_errors=True)
    assert error_codes(neither) == ["BAD_USER_INPUT"]
