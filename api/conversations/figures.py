"""Aggregate figures other domains may read (community selection): never a conversation,
only counts and the themes people raised most."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations import repository

TOP_THEMES = 3


@dataclass(frozen=True)
class RaisedTheme:
    label_en: str
    label_cy: str | None
    conversations: int


async def counts_within(
    session: AsyncSession, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Conversations recorded in each community (of any community set)."""
    return await repository.counts_within(session, community_ids)


async def top_themes_within(
    session: AsyncSession, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[RaisedTheme]]:
    """Each community's most coded themes (sub-themes counted in their theme), with how
    many conversations raised them; read from the theme tallies."""
    found = await repository.top_themes_within(session, community_ids, TOP_THEMES)
    return {
        community: [RaisedTheme(t.label_en, t.label_cy, n) for t, n in themes]
        for community, themes in found.items()
    }
