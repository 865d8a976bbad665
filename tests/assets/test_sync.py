"""syncAssets: per-item answers in order, replays that write nothing, conflicts that keep
both copies, and a fixed number of statements whatever the batch size."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.assets.models import Asset, AssetRevision
from api.audit.models import AuditEntry
from api.places.models import Community, CommunitySet, Lsoa
from tests.assets.helpers import (
    ABERYSTWYTH,
    CARDIFF,
    CARMARTHEN,
    item,
    leader,
    results,
    snapshot,
    sync,
    table_counts,
)
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import CARMARTHENSHIRE


async def test_created_items_get_their_place_from_the_database(
    client, session: AsyncSession
) -> None:
    token = await leader(client, session)
    sent = item()
    [result] = results(await sync(client, token, [sent]))
    assert result["status"] == "CREATED"
    assert result["asset"] == {
        "id": sent["id"],
        "version": 1,
        "status": "PENDING",
        "countyCode": CARMARTHENSHIRE,
        "communityId": result["asset"]["communityId"],
    }
    stored = await session.get(Asset, uuid.UUID(sent["id"]))
    here = func.ST_SetSRID(func.ST_MakePoint(CARMARTHEN[1], CARMARTHEN[0]), 4326)
    community = await session.scalar(
        select(Community.id)
        .join(CommunitySet, CommunitySet.id == Community.set_id)
        .where(CommunitySet.is_default, func.ST_Covers(Community.geom, here))
    )
    lsoa = await session.scalar(select(Lsoa.id).where(func.ST_Covers(Lsoa.geom, here)))
    assert stored is not None and community is not None
    assert (stored.community_id, stored.lsoa_id) == (community, lsoa)
    assert result["asset"]["communityId"] == str(community)
    assert stored.tags == ["outdoors", "walking"]
    revisions = (await session.scalars(select(AssetRevision))).all()
    assert [(r.action, r.version) for r in revisions] == [("CREATED", 1)]
    assert {"nameEn", "nameCy", "location", "category", "tags"} <= set(revisions[0].changed_fields)
    assert "lat" not in revisions[0].changed_fields  # the point is one field
    audit = await session.scalar(
        select(AuditEntry.action).where(AuditEntry.entity_id == sent["id"])
    )
    assert audit == "asset.created"


async def test_moving_the_point_reassigns_the_county(client, session: AsyncSession) -> None:
    from api.auth.principal import Role
    from tests.assets.helpers import token_for
    from tests.people.helpers import CEREDIGION

    token = await token_for(
        client,
        session,
        "two@example.org",
        {Role.LEADER: frozenset({CARMARTHENSHIRE, CEREDIGION})},
    )
    sent = item()
    await sync(client, token, [sent])
    lat, lon = ABERYSTWYTH
    moved = {**sent, "version": 1, "location": {"lat": lat, "lon": lon, "accuracyM": 5.0}}
    [result] = results(await sync(client, token, [moved]))
    assert result["status"] == "UPDATED"
    assert result["asset"]["countyCode"] == CEREDIGION
    assert result["asset"]["version"] == 2
    revision = await session.scalar(select(AssetRevision).where(AssetRevision.version == 2))
    assert revision is not None and revision.changed_fields == ["location", "location.accuracyM"]


async def test_replaying_a_batch_three_times_leaves_the_data_of_one_send(
    client, session: AsyncSession
) -> None:
    token = await leader(client, session)
    first = [item(nameEn=f"Group {n}") for n in range(5)]
    await sync(client, token, first)
    edits = [{**first[0], "version": 1, "nameEn": "Group 0 (renamed)"}, *first[1:], item()]
    statuses = [r["status"] for r in results(await sync(client, token, edits))]
    assert statuses == ["UPDATED", "UNCHANGED", "UNCHANGED", "UNCHANGED", "UNCHANGED", "CREATED"]
    once = await snapshot(session)
    audit_once = await session.scalar(select(func.count()).select_from(AuditEntry))
    for _ in range(2):
        replay = results(await sync(client, token, edits))
        assert [r["status"] for r in replay] == ["UNCHANGED"] * 6
        assert replay[0]["asset"]["version"] == 2
    assert await snapshot(session) == once
    assert await session.scalar(select(func.count()).select_from(AuditEntry)) == audit_once
    assert await table_counts(session) == (6, 7)


async def test_two_phones_editing_one_asset_never_overwrite_each_other(
    client, session: AsyncSession
) -> None:
    token = await leader(client, session)
    other = await leader(client, session, "second@example.org")
    sent = item(nameEn="Chapel hall")
    await sync(client, token, [sent])
    phone_a = {**sent, "version": 1, "nameEn": "Chapel hall (kitchen)"}
    phone_b = {**sent, "version": 1, "nameEn": "Chapel hall (closed Mondays)"}
    [a] = results(await sync(client, token, [phone_a]))
    [b] = results(await sync(client, other, [phone_b]))
    assert a["status"] == "UPDATED"
    assert b["status"] == "CONFLICT"
    assert b["asset"] is None
    assert b["serverCopy"]["nameEn"] == "Chapel hall (kitchen)"
    assert b["serverCopy"]["version"] == 2
    stored = await session.get(Asset, uuid.UUID(sent["id"]), populate_existing=True)
    assert stored is not None and stored.name_en == "Chapel hall (kitchen)"
    # A re-send of a new id the server already holds with other content is a conflict too.
    [again] = results(await sync(client, other, [{**sent, "nameEn": "Something else"}]))
    assert again["status"] == "CONFLICT"


async def test_one_bad_item_never_stops_the_others(client, session: AsyncSession) -> None:
    token = await leader(client, session)
    lat, lon = CARDIFF
    batch = [
        item(nameEn="First"),
        item(nameEn="", nameCy=None),
        item(location={"lat": lat, "lon": lon, "accuracyM": 5.0}),
        item(nameEn="Last"),
    ]
    answered = results(await sync(client, token, batch))
    assert [r["id"] for r in answered] == [b["id"] for b in batch]
    assert [r["status"] for r in answered] == ["CREATED", "REJECTED", "REJECTED", "CREATED"]
    assert answered[1]["userErrors"][0]["field"] == "nameEn"
    assert answered[2]["userErrors"][0]["field"] == "location"
    assert "outside every county" in answered[2]["userErrors"][0]["message"]
    assert await table_counts(session) == (2, 2)


async def test_a_batch_over_the_limit_is_refused_whole(client, session: AsyncSession) -> None:
    token = await leader(client, session)
    batch = [item() for _ in range(201)]
    body = await gql(
        client, operation("SyncAssets"), {"input": batch}, token=token, expect_errors=True
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "input"
    assert await table_counts(session) == (0, 0)


async def test_statements_do_not_grow_with_the_batch(
    client, session: AsyncSession, count_statements
) -> None:
    token = await leader(client, session)
    counted = []
    for size in (5, 50):
        batch = [item(nameEn=f"Asset {n}") for n in range(size)]
        count_statements.statements.clear()
        answered = results(await sync(client, token, batch))
        assert {r["status"] for r in answered} == {"CREATED"}
        counted.append(count_statements.count)
        # the same batch again, now with edits to half of it
        edits = [{**b, "version": 1, "nameEn": b["nameEn"] + "!"} for b in batch[::2]]
        count_statements.statements.clear()
        answered = results(await sync(client, token, edits + batch[1::2]))
        assert {r["status"] for r in answered} == {"UPDATED", "UNCHANGED"}
        counted.append(count_statements.count)
    assert counted[0] == counted[2], counted
    assert counted[1] == counted[3], counted


async def test_create_update_through_single_mutations(client, session: AsyncSession) -> None:
    token = await leader(client, session)
    sent = item(nameEn="Food bank")
    created = await gql(client, operation("CreateAsset"), {"input": sent}, token=token)
    asset = created["data"]["createAsset"]["asset"]
    assert asset["version"] == 1 and asset["name"] == "Food bank"
    update = {**sent, "version": 1, "description": "Open Fridays"}
    updated = await gql(client, operation("UpdateAsset"), {"input": update}, token=token)
    assert updated["data"]["updateAsset"]["asset"]["description"] == "Open Fridays"
    assert updated["data"]["updateAsset"]["asset"]["version"] == 2
    stale = {**sent, "version": 1, "description": "Open Saturdays"}
    refused = await gql(client, operation("UpdateAsset"), {"input": stale}, token=token)
    payload = refused["data"]["updateAsset"]
    assert payload["asset"] is None
    assert payload["userErrors"][0]["code"] == "CONFLICT"
    assert payload["serverCopy"]["version"] == 2
    missing = {**item(), "version": 1}
    absent = await gql(client, operation("UpdateAsset"), {"input": missing}, token=token)
    assert absent["data"]["updateAsset"]["userErrors"][0]["code"] == "NOT_FOUND"
    assert await table_counts(session) == (1, 2)
