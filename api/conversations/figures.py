"""Aggregate figures other domains may read (community selection): never a conversation,
only counts and the themes people raised most."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations import repository
from api.conversations.models import Theme

TOP_THEMES = 3


async def counts_within(
    session: AsyncSession, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, int]:
    """Conversations recorded in each community (of any community set)."""
    return await repository.counts_within(session, community_ids)


async def top_themes_within(
    session: AsyncSession, community_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[Theme, int]]]:
    """Each community's most coded themes, with how many conversations raised them."""
    return await repository.top_themes_within(session, community_ids, TOP_THEMES)
