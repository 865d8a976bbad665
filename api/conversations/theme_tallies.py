"""The theme report's tallies: which (conversation, theme) pairs a coding adds or takes
away, and a recount from the codings for when they must be rebuilt."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy.ext.asyncio import AsyncSession

from api.conversations import repository

# A tally key: a theme, or None for the coded conversations themselves.
Key = uuid.UUID | None


def _pairs(coded: bool, themes: Iterable[tuple[uuid.UUID, uuid.UUID | None]]) -> set[Key]:
    """What one conversation counts in: each theme with its parent (once, however many of
    its sub-themes were coded), and the coded conversations if it is coded."""
    keys: set[Key] = {None} if coded else set()
    for theme_id, parent_id in themes:
        keys.add(theme_id)
        if parent_id is not None:
            keys.add(parent_id)
    return keys


def deltas(
    was_coded: bool,
    before: Iterable[tuple[uuid.UUID, uuid.UUID | None]],
    after: Iterable[tuple[uuid.UUID, uuid.UUID | None]],
) -> dict[Key, int]:
    """+1 for each tally a first coding puts the conversation in, -1 for each it leaves;
    (theme, parent) of its codings before and after."""
    old, new = _pairs(was_coded, before), _pairs(True, after)
    return {**{k: -1 for k in old - new}, **{k: 1 for k in new - old}}


async def recount(session: AsyncSession, campaign_ids: Iterable[uuid.UUID] | None = None) -> int:
    """Rebuild these campaigns' (or every campaign's) theme tallies from their codings;
    returns how many campaigns."""
    if campaign_ids is None:
        campaign_ids = [c.id for c in await repository.campaigns(session)]
    counted = 0
    for campaign_id in campaign_ids:
        await repository.recount_theme_tallies(session, campaign_id)
        counted += 1
    return counted
