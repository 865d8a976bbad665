"""Who may write, review and see what: each rule with an allowed and a refused case."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.assets.models import Asset
from api.auth.principal import Role
from api.places.models import Community
from tests.assets.helpers import (
    ABERYSTWYTH,
    CARMARTHEN,
    item,
    leader,
    results,
    sync,
    table_counts,
    token_for,
)
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION

CARMS = frozenset({CARMARTHENSHIRE})


async def coordinator(client, session, county: str = CARMARTHENSHIRE) -> str:
    return await token_for(
        client, session, f"coord-{county}@example.org", {Role.COORDINATOR: frozenset({county})}
    )


async def _create(client, token: str, **fields) -> dict:
    sent = item(**fields)
    [result] = results(await sync(client, token, [sent]))
    assert result["status"] == "CREATED", result
    return sent


async def test_leaders_write_only_in_their_own_counties(client, session: AsyncSession) -> None:
    token = await leader(client, session)
    lat, lon = ABERYSTWYTH
    answered = results(
        await sync(
            client,
            token,
            [item(), item(location={"lat": lat, "lon": lon, "accuracyM": 3.0})],
        )
    )
    assert [r["status"] for r in answered] == ["CREATED", "REJECTED"]
    assert answered[1]["userErrors"][0]["code"] == "FORBIDDEN"
    assert answered[1]["userErrors"][0]["field"] == "location"
    assert await table_counts(session) == (1, 1)


async def test_writing_needs_a_writer_role(client, session: AsyncSession) -> None:
    anonymous = await sync(client, None, [item()], expect_errors=True)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    panel = await token_for(client, session, "panel@example.org", {Role.PANEL: CARMS})
    refused = await sync(client, panel, [item()], expect_errors=True)
    assert error_codes(refused) == ["FORBIDDEN"]
    assert await table_counts(session) == (0, 0)


async def test_coordinators_and_second_leaders_verify_but_not_the_creator(
    client, session: AsyncSession
) -> None:
    creator = await leader(client, session)
    sent = await _create(client, creator)
    own = await gql(
        client, operation("VerifyAsset"), {"id": sent["id"]}, token=creator, expect_errors=True
    )
    assert error_codes(own) == ["FORBIDDEN"]
    elsewhere = await coordinator(client, session, CEREDIGION)
    far = await gql(
        client, operation("VerifyAsset"), {"id": sent["id"]}, token=elsewhere, expect_errors=True
    )
    assert error_codes(far) == ["NOT_FOUND"]  # a PENDING asset of another county is unseen

    second = await leader(client, session, "second@example.org")
    done = await gql(
        client, operation("VerifyAsset"), {"id": sent["id"], "version": 1}, token=second
    )
    assert done["data"]["verifyAsset"]["asset"] == {
        "id": sent["id"],
        "version": 2,
        "status": "VERIFIED",
        "statusReason": None,
    }
    stored = await session.get(Asset, uuid.UUID(sent["id"]))
    assert stored is not None and stored.verified_by is not None

    other = await _create(client, creator)
    coord = await coordinator(client, session)
    by_coord = await gql(client, operation("VerifyAsset"), {"id": other["id"]}, token=coord)
    assert by_coord["data"]["verifyAsset"]["asset"]["status"] == "VERIFIED"
    twice = await gql(client, operation("VerifyAsset"), {"id": other["id"]}, token=coord)
    assert twice["data"]["verifyAsset"]["userErrors"][0]["field"] == "status"


async def test_only_reviewers_reject_and_they_say_why(client, session: AsyncSession) -> None:
    creator = await leader(client, session)
    sent = await _create(client, creator)
    refused = await gql(
        client,
        operation("RejectAsset"),
        {"id": sent["id"], "reason": "duplicate"},
        token=creator,
        expect_errors=True,
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    coord = await coordinator(client, session)
    blank = await gql(
        client, operation("RejectAsset"), {"id": sent["id"], "reason": "  "}, token=coord
    )
    assert blank["data"]["rejectAsset"]["userErrors"][0]["field"] == "reason"
    rejected = await gql(
        client,
        operation("RejectAsset"),
        {"id": sent["id"], "reason": "Duplicate of the chapel hall", "version": 1},
        token=coord,
    )
    assert rejected["data"]["rejectAsset"]["asset"]["status"] == "REJECTED"
    assert (
        rejected["data"]["rejectAsset"]["asset"]["statusReason"] == "Duplicate of the chapel hall"
    )
    detail = await gql(client, operation("Asset"), {"id": sent["id"]}, token=coord)
    revisions = detail["data"]["asset"]["revisions"]
    assert [(r["action"], r["reason"]) for r in revisions] == [
        ("CREATED", None),
        ("REJECTED", "Duplicate of the chapel hall"),
    ]


async def test_only_reviewers_archive_and_archived_assets_stay_as_they_are(
    client, session: AsyncSession
) -> None:
    creator = await leader(client, session)
    sent = await _create(client, creator)
    refused = await gql(
        client, operation("ArchiveAsset"), {"id": sent["id"]}, token=creator, expect_errors=True
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    coord = await coordinator(client, session)
    stale = await gql(
        client, operation("ArchiveAsset"), {"id": sent["id"], "version": 7}, token=coord
    )
    assert stale["data"]["archiveAsset"]["userErrors"][0]["code"] == "CONFLICT"
    archived = await gql(
        client,
        operation("ArchiveAsset"),
        {"id": sent["id"], "version": 1, "reason": "Closed"},
        token=coord,
    )
    assert archived["data"]["archiveAsset"]["asset"]["status"] == "ARCHIVED"
    edit = {**sent, "version": 2, "nameEn": "Reopened?"}
    [result] = results(await sync(client, creator, [edit]))
    assert result["status"] == "REJECTED"
    assert result["userErrors"][0]["field"] == "id"
    assert "archived" in result["userErrors"][0]["message"]
    stored = await session.get(Asset, uuid.UUID(sent["id"]), populate_existing=True)
    assert stored is not None and stored.name_en == "Walking group" and stored.version == 2


async def _verified(client, session, **fields) -> dict:
    creator = await leader(client, session, f"{uuid.uuid4().hex[:8]}@example.org")
    sent = await _create(client, creator, **fields)
    coord = await coordinator(client, session, f"{CARMARTHENSHIRE}")
    await gql(client, operation("VerifyAsset"), {"id": sent["id"]}, token=coord)
    return sent


async def test_the_public_sees_only_verified_assets_that_are_not_people(
    client, session: AsyncSession
) -> None:
    verified = await _verified(client, session, nameEn="Library")
    creator = await leader(client, session, "pending@example.org")
    pending = await _create(client, creator, nameEn="Pending hall")
    person = await _create(client, creator, category="INDIVIDUAL", nameEn="Teaches Welsh")
    public = await gql(client, operation("Assets"), {})
    assert [e["node"]["id"] for e in public["data"]["assets"]["edges"]] == [verified["id"]]
    hidden = await gql(client, operation("Asset"), {"id": pending["id"]})
    assert hidden["data"]["asset"] is None
    staff = await gql(client, operation("Assets"), {}, token=creator)
    seen = {e["node"]["id"] for e in staff["data"]["assets"]["edges"]}
    assert seen == {verified["id"], pending["id"], person["id"]}


async def test_individuals_are_shown_at_their_community_and_their_contact_only_to_county_staff(
    client, session: AsyncSession
) -> None:
    creator = await leader(client, session)
    person = await _create(
        client,
        creator,
        category="INDIVIDUAL",
        nameEn="Teaches Welsh",
        address="3 Heol y Dre",
        postcode="sa31 1aa",
        contact={"phone": "01267 000000", "email": "dysgu@example.org"},
    )
    coord = await coordinator(client, session)
    await gql(client, operation("VerifyAsset"), {"id": person["id"]}, token=coord)
    lat, lon = CARMARTHEN
    stored = await session.get(Asset, uuid.UUID(person["id"]))
    assert stored is not None and stored.community_id is not None
    snapped = await session.execute(
        select(
            func.ST_Y(func.ST_PointOnSurface(Community.geom)),
            func.ST_X(func.ST_PointOnSurface(Community.geom)),
        ).where(Community.id == stored.community_id)
    )
    expected = snapped.one()

    staff = (await gql(client, operation("Asset"), {"id": person["id"]}, token=creator))["data"]
    location = staff["asset"]["location"]
    assert (location["lat"], location["lon"]) == pytest_approx(expected)
    assert (location["lat"], location["lon"]) != (lat, lon)
    assert location["approximate"] is True and location["accuracyM"] is None
    assert staff["asset"]["contact"]["email"] == "dysgu@example.org"
    assert staff["asset"]["postcode"] == "SA31 1AA"

    outsider = await token_for(
        client, session, "cered@example.org", {Role.LEADER: frozenset({CEREDIGION})}
    )
    other = await gql(client, operation("Asset"), {"id": person["id"]}, token=outsider)
    assert other["data"]["asset"] is None
    anonymous = await gql(client, operation("Asset"), {"id": person["id"]})
    assert anonymous["data"]["asset"] is None
    # Nor does a search near the exact point reveal it.
    near = {"near": {"lat": lat, "lon": lon, "radiusM": 30}}
    found = await gql(client, operation("Assets"), {"filter": near}, token=creator)
    assert found["data"]["assets"]["edges"] == []


def pytest_approx(values):
    import pytest

    return pytest.approx(tuple(values), abs=1e-6)


async def test_an_individuals_point_and_contact_stay_out_of_the_audit_log(
    client, session: AsyncSession
) -> None:
    from api.audit.models import AuditEntry

    creator = await leader(client, session)
    person = item(
        category="INDIVIDUAL",
        nameEn="Teaches Welsh",
        contact={"phone": "01267 000000", "email": "dysgu@example.org"},
    )
    group = item(nameEn="Choir", contact={"email": "cor@example.org"})
    assert [r["status"] for r in results(await sync(client, creator, [person, group]))] == [
        "CREATED",
        "CREATED",
    ]
    entries = {
        e.entity_id: str(e.changes)
        for e in (
            await session.scalars(
                select(AuditEntry).where(AuditEntry.entity_id.in_([person["id"], group["id"]]))
            )
        ).all()
    }
    lat = str(CARMARTHEN[0])
    assert "dysgu@example.org" not in entries[person["id"]]
    assert lat not in entries[person["id"]]
    assert "Teaches Welsh" in entries[person["id"]]
    assert "cor@example.org" in entries[group["id"]]  # groups are not people
