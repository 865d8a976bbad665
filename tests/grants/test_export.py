"""360Giving export of a round's awards: JSON and CSV, checked against the standard's
required fields, and only for the round's coordinators."""

from __future__ import annotations

import csv
import io
import re
from datetime import date
from typing import Any

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.places.models import Community, CommunityLsoa, Lsoa
from api.settings import Settings
from tests.grants.helpers import make_world

# The 360Giving Data Standard's grant schema: required fields and their shapes.
REQUIRED_ORG = ("id", "name")


def check_360giving(grant: dict[str, Any]) -> None:
    for name in ("id", "title", "description", "currency", "amountAwarded", "awardDate"):
        assert grant.get(name) not in (None, ""), name
    assert isinstance(grant["id"], str) and not re.search(r"\s", grant["id"])
    assert isinstance(grant["title"], str) and isinstance(grant["description"], str)
    assert re.fullmatch(r"[A-Z]{3}", grant["currency"])
    assert isinstance(grant["amountAwarded"], int | float)
    date.fromisoformat(grant["awardDate"])
    for organisation in ("recipientOrganization", "fundingOrganization"):
        assert isinstance(grant[organisation], list) and grant[organisation], organisation
        for org in grant[organisation]:
            assert all(isinstance(org.get(k), str) and org[k] for k in REQUIRED_ORG), org


async def _export(
    client: httpx.AsyncClient, round_id: str, kind: str, token: str | None
) -> httpx.Response:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return await client.get(f"/exports/grants/{round_id}/360giving.{kind}", headers=headers)


async def _codes(session: AsyncSession, community_id: str) -> set[str]:
    msoa = await session.scalar(select(Community.code).where(Community.id == community_id))
    lsoas = await session.scalars(
        select(Lsoa.code)
        .join(CommunityLsoa, CommunityLsoa.lsoa_id == Lsoa.id)
        .where(CommunityLsoa.community_id == community_id)
    )
    return {msoa, *lsoas.all()}


async def test_the_export_follows_the_standard_and_matches_the_awards(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    world = await make_world(client, session, panel_size=3)
    paid = await world.active(amount=35_050)
    await world.pay(paid, 1, "BACS-9")
    awarded = await world.awarded(titleEn=None, titleCy="Gardd gymunedol")

    response = await _export(client, world.round_id, "json", world.coordinator)
    assert response.status_code == 200
    grants = {g["id"]: g for g in response.json()["grants"]}
    prefix = settings.grants_identifier_prefix
    assert set(grants) == {f"{prefix}-{paid}", f"{prefix}-{awarded}"}
    for grant in grants.values():
        check_360giving(grant)

    first = grants[f"{prefix}-{paid}"]
    assert (first["amountAppliedFor"], first["amountAwarded"], first["amountDisbursed"]) == (
        400.0,
        350.5,
        350.5,
    )
    assert first["currency"] == "GBP" and first["fromOpenCall"] == "Yes"
    assert first["plannedDates"] == [{"startDate": "2027-01-10", "endDate": "2027-06-30"}]
    assert first["recipientOrganization"][0]["name"] == "Cyfeillion y Parc"
    assert first["fundingOrganization"] == [
        {"id": settings.grants_funder_id, "name": settings.grants_funder_name}
    ]
    assert first["grantProgramme"] == [{"code": world.round_id, "title": "Spring round"}]
    locations = first["beneficiaryLocation"]
    assert {loc["geoCode"] for loc in locations} == await _codes(session, world.communities[0])
    assert {loc["geoCodeType"] for loc in locations} == {"MSOA", "LSOA"}
    assert grants[f"{prefix}-{awarded}"]["title"] == "Gardd gymunedol"
    assert grants[f"{prefix}-{awarded}"]["amountDisbursed"] == 0

    response = await _export(client, world.round_id, "csv", world.coordinator)
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    rows = {r["id"]: r for r in csv.DictReader(io.StringIO(response.text))}
    assert set(rows) == set(grants)
    row = rows[f"{prefix}-{paid}"]
    assert row["amountAwarded"] == "350.5" and row["currency"] == "GBP"
    assert row["recipientOrganization/0/name"] == "Cyfeillion y Parc"
    assert row["fundingOrganization/0/id"] == settings.grants_funder_id
    assert row["beneficiaryLocation/0/geoCodeType"] == "MSOA"


async def test_only_the_rounds_coordinators_export(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    assert (await _export(client, world.round_id, "json", None)).status_code == 401
    for token in (world.applicant, world.panel[0]):
        response = await _export(client, world.round_id, "csv", token)
        assert response.status_code == 403
        assert response.json()["error"]["code"] == "FORBIDDEN"
    empty = await _export(client, world.round_id, "json", world.coordinator)
    assert empty.json() == {"grants": []}
