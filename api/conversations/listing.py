"""Listing a campaign's conversations for staff who work on them (ENGAGEMENT, COORDINATOR,
ADMIN) in their counties, a page at a time. LEADERs and the public see aggregates only."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal, Scope, in_scope
from api.conversations import campaigns, repository
from api.conversations.access import CAPTURE
from api.conversations.inputs import Channel
from api.conversations.models import Conversation, ThemeTally
from api.errors import BadInput
from api.places import service as places
from api.shared.pagination import Page, PageRequest

KEY_TYPES = (datetime.fromisoformat, uuid.UUID)


@dataclass(frozen=True)
class ListFilter:
    county_code: str | None = None
    community_id: uuid.UUID | None = None
    channel: Channel | None = None
    language: str | None = None
    coded: bool | None = None  # by a first coder
    collected_since: datetime | None = None


def conditions(f: ListFilter) -> list[Any]:
    return repository.conversation_conditions(
        county_code=f.county_code,
        community_id=f.community_id,
        channel=f.channel.value if f.channel is not None else None,
        language=f.language,
        coded=f.coded,
        collected_since=f.collected_since,
    )


def sort_key(c: Conversation) -> tuple[datetime, uuid.UUID]:
    return (c.collected_at, c.id)


async def _check(session: AsyncSession, f: ListFilter, scope: Scope) -> None:
    if f.county_code is not None:
        if f.county_code not in await places.county_codes(session):
            raise places.no_such_county(f.county_code, field="filter.countyCode")
        if not in_scope(scope, f.county_code):
            raise BadInput(
                f"You cannot see county {f.county_code}.",
                field="filter.countyCode",
                cy=f"Ni allwch weld sir {f.county_code}.",
            )
    if f.community_id is not None and await places.community(session, f.community_id) is None:
        raise places.no_such_community(field="filter.communityId")
    if f.collected_since is not None and f.collected_since.tzinfo is None:
        raise BadInput(
            "Give a time zone, e.g. 2026-03-01T00:00:00Z.",
            field="filter.collectedSince",
            cy="Rhowch gylchfa amser, e.e. 2026-03-01T00:00:00Z.",
        )


async def conversations(
    session: AsyncSession,
    principal: Principal,
    campaign_id: uuid.UUID,
    f: ListFilter,
    first: int | None,
    after: str | None,
    page_size_max: int,
    with_total: bool = False,
) -> Page[Conversation]:
    """A page of the campaign's conversations in the caller's counties, oldest collected
    first (then by id); with `with_total`, how many the filter holds in all (one statement
    more)."""
    principal.require(CAPTURE)
    page = PageRequest.parse(first, after, page_size_max, KEY_TYPES)
    await campaigns.campaign(session, principal, campaign_id)
    scope = principal.counties(CAPTURE)
    await _check(session, f, scope)
    rows, has_next = await repository.conversations_page(
        session, campaign_id, scope, conditions(f), page.limit, page.after
    )
    total = await _total(session, campaign_id, scope, f) if with_total else None
    return Page(rows=rows, has_next=has_next, total=total)


async def _total(session: AsyncSession, campaign_id: uuid.UUID, scope: Scope, f: ListFilter) -> int:
    """How many conversations the filter holds: summed from the campaign's tallies where
    they keep that count, else counted with the page's own conditions."""
    counties = scope if f.county_code is None else frozenset({f.county_code})
    if f.collected_since is None:  # the tallies keep no times
        if f.coded:  # the theme tallies count the coded conversations by all other values
            where = repository.conversation_conditions(
                on=ThemeTally,
                community_id=f.community_id,
                channel=f.channel.value if f.channel is not None else None,
                language=f.language,
            )
            return await repository.coded_count(session, campaign_id, counties, where)
        # The conversation tallies count one value at a time (within a county).
        values = {
            dimension: value
            for dimension, value in (
                ("community", f.community_id and str(f.community_id)),
                ("channel", f.channel and f.channel.value),
                ("language", f.language),
            )
            if value is not None
        }
        if f.coded is None and len(values) <= 1:
            dimension, value = next(iter(values.items()), ("county", None))
            return await repository.tallied_count(session, campaign_id, counties, dimension, value)
    return await repository.count_conversations(session, campaign_id, scope, conditions(f))
