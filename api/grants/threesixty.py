"""A round's awards in the 360Giving Data Standard (https://standard.threesixtygiving.org):
as the standard's JSON package, and as CSV with its flattened (JSON-path) column names."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.grants import access, repository
from api.grants.models import GrantApplication, GrantRound
from api.grants.payments import TrancheStatus
from api.places import service as places


@dataclass(frozen=True)
class Funder:
    identifier_prefix: str
    id: str
    name: str


# 360Giving geoCodeType values for the community sets loaded from files; communities drawn
# in Cymuned have no official code and are described by their LSOAs alone.
GEO_CODE_TYPES = {"MSOA": "MSOA", "WARD": "WD"}


def _pounds(pence: int) -> float:
    # The standard's amounts are in currency units; pence / 100 is exact to two places.
    return round(pence / 100, 2)


async def _locations(
    session: AsyncSession, community_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, str]]]:
    """Each community by its own code where it is a statistical or electoral area (MSOA,
    ward), and always by its LSOAs."""
    ids = sorted(set(community_ids))
    lsoas = await places.lsoas_of_communities(session, ids)
    communities = await places.communities_by_id(session, ids)
    found: dict[uuid.UUID, list[dict[str, str]]] = {}
    for community_id in ids:
        community = communities[community_id]  # applications reference them by foreign key
        code_type = GEO_CODE_TYPES.get(community.source)
        own = (
            [{"name": community.name_en, "geoCode": community.code, "geoCodeType": code_type}]
            if code_type
            else []
        )
        found[community_id] = own + [
            {"name": lsoa.name_en, "geoCode": lsoa.code, "geoCodeType": "LSOA"}
            for lsoa in sorted(lsoas[community_id], key=lambda lsoa: lsoa.code)
        ]
    return found


def _grant(
    funder: Funder,
    round_: GrantRound,
    a: GrantApplication,
    disbursed: int,
    locations: list[dict[str, str]],
) -> dict[str, Any]:
    prefix = funder.identifier_prefix
    grant: dict[str, Any] = {
        "id": f"{prefix}-{a.id}",
        "title": a.title_en or a.title_cy,
        "description": a.description_en or a.description_cy,
        "currency": "GBP",
        "amountAppliedFor": _pounds(a.amount_requested_pence),
        "amountAwarded": _pounds(a.amount_awarded_pence or 0),
        "amountDisbursed": _pounds(disbursed),
        "awardDate": a.decided_at.date().isoformat() if a.decided_at else None,
        "recipientOrganization": [{"id": f"{prefix}-ORG-{a.id}", "name": a.group_name}],
        "fundingOrganization": [{"id": funder.id, "name": funder.name}],
        "grantProgramme": [{"code": str(round_.id), "title": round_.name_en}],
        "beneficiaryLocation": locations,
        "fromOpenCall": "Yes",
    }
    if a.starts_on and a.ends_on:
        grant["plannedDates"] = [
            {"startDate": a.starts_on.isoformat(), "endDate": a.ends_on.isoformat()}
        ]
    return grant


async def export_round(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID, funder: Funder
) -> list[dict[str, Any]]:
    """The round's awards (AWARDED and after) as 360Giving grants, for its coordinators."""
    round_ = await access.load_round(session, round_id)
    access.require_staff(principal, round_)
    awards = list(
        await repository.applications_for_report(session, round_id=round_id, county_code=None)
    )
    ids = [a.id for a in awards]
    paid: dict[uuid.UUID, int] = dict.fromkeys(ids, 0)
    for tranche in await repository.tranches_of(session, ids) if ids else []:
        if tranche.status == TrancheStatus.PAID.value:
            paid[tranche.application_id] += tranche.amount_pence
    locations = await _locations(session, (a.community_id for a in awards)) if awards else {}
    return [_grant(funder, round_, a, paid[a.id], locations[a.community_id]) for a in awards]


def _flatten(value: Any, path: str, row: dict[str, Any]) -> None:
    if isinstance(value, dict):
        for key, item in value.items():
            _flatten(item, f"{path}/{key}" if path else key, row)
    elif isinstance(value, list):
        for n, item in enumerate(value):
            _flatten(item, f"{path}/{n}", row)
    elif value is not None:
        row[path] = value


def as_csv(grants: list[dict[str, Any]]) -> str:
    """One row per grant; columns are JSON paths, e.g. recipientOrganization/0/id."""
    rows: list[dict[str, Any]] = []
    for grant in grants:
        row: dict[str, Any] = {}
        _flatten(grant, "", row)
        rows.append(row)
    columns: list[str] = []
    for row in rows:
        columns += [c for c in row if c not in columns]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
