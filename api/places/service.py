"""Rules of the places domain: geography is public, loaded from files, read by everyone."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.places import repository


async def county_codes(session: AsyncSession) -> set[str]:
    """Codes of every loaded county (for checking role scopes and filters)."""
    return await repository.county_codes(session)
