"""Making assets the way a phone does, and the accounts that send them."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.assets.models import Asset, AssetRevision
from api.auth.principal import Role, Scope
from tests.graphql_client import gql, operation
from tests.people.helpers import CARMARTHENSHIRE, make_user, sign_in

# Points well inside each county (town centres) and one outside the region (Cardiff).
CARMARTHEN = (51.8576, -4.3121)
ABERYSTWYTH = (52.4153, -4.0829)
HAVERFORDWEST = (51.8015, -4.9695)
CARDIFF = (51.4816, -3.1791)


def item(point: tuple[float, float] = CARMARTHEN, **fields: Any) -> dict[str, Any]:
    """An AssetInput as a phone would send it (a fresh id unless given)."""
    lat, lon = point
    return {
        "id": str(uuid.uuid4()),
        "category": "ASSOCIATION",
        "nameEn": "Walking group",
        "nameCy": "Grŵp cerdded",
        "description": "Meets on Tuesdays at the library.",
        "tags": ["walking", "outdoors"],
        "location": {"lat": lat, "lon": lon, "accuracyM": 12.0},
        "languages": ["CY", "EN"],
        "wellbeing": ["BE_ACTIVE", "CONNECT"],
        **fields,
    }


async def token_for(
    client: httpx.AsyncClient,
    session: AsyncSession,
    email: str,
    roles: dict[Role, Scope] | None = None,
) -> str:
    await make_user(session, email, roles or {Role.LEADER: frozenset({CARMARTHENSHIRE})})
    return (await sign_in(client, email))["accessToken"]


async def leader(
    client: httpx.AsyncClient, session: AsyncSession, email: str = "leader@example.org"
) -> str:
    return await token_for(client, session, email)


async def sync(
    client: httpx.AsyncClient, token: str | None, items: list[dict[str, Any]], **kw: Any
) -> dict[str, Any]:
    return await gql(client, operation("SyncAssets"), {"input": items}, token=token, **kw)


def results(body: dict[str, Any]) -> list[dict[str, Any]]:
    return body["data"]["syncAssets"]["results"]


async def table_counts(session: AsyncSession) -> tuple[int, int]:
    """(assets, revisions) rows: what a refused write must leave alone."""
    assets = await session.scalar(select(func.count()).select_from(Asset))
    revisions = await session.scalar(select(func.count()).select_from(AssetRevision))
    return assets or 0, revisions or 0


async def snapshot(session: AsyncSession) -> list[tuple[Any, ...]]:
    """Every asset and revision row (for comparing a replay with the first send)."""
    assets = await session.execute(
        select(Asset.id, Asset.version, Asset.fingerprint, Asset.updated_at, Asset.name_en)
        .order_by(Asset.id)
        .execution_options(populate_existing=True)
    )
    revisions = await session.execute(
        select(AssetRevision.asset_id, AssetRevision.version, AssetRevision.action).order_by(
            AssetRevision.asset_id, AssetRevision.version
        )
    )
    return [*assets.all(), *revisions.all()]
