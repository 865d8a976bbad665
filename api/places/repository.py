"""Every SQL statement of the places domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.places.models import County


async def county_codes(session: AsyncSession) -> set[str]:
    return set((await session.scalars(select(County.code))).all())
