"""Coded conversations for analysts: one row per conversation, a column per question and
per theme. Never contact details, exact locations or reference codes (a code is enough to
erase a conversation, so it stays with the respondent)."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.conversations import campaigns, repository
from api.conversations.access import CAPTURE
from api.places import service as places

PROFILE_COLUMNS = (
    "conversation_id",
    "question_set_version",
    "collected_at",
    "channel",
    "language",
    "county_code",
    "community_code",
    "grid_ref",
    "age_band",
    "gender",
    "postcode_district",
    "welsh_speaker",
    "disability",
    "carer",
    "may_quote",
)


@dataclass(frozen=True)
class Export:
    header: list[str]
    rows: AsyncIterator[list[Any]]


def _cell(value: Any) -> Any:
    """Answers as a spreadsheet shows them: choices joined, the rest as they are."""
    if isinstance(value, list):
        return "; ".join(str(v) for v in value)
    return value


async def coded_conversations(
    session: AsyncSession, principal: Principal, campaign_id: uuid.UUID
) -> Export:
    """The header, and the rows streamed from the database (staff, within their counties)."""
    principal.require(CAPTURE)
    await campaigns.campaign(session, principal, campaign_id)
    scope = principal.counties(CAPTURE)
    question_keys = _question_keys(await repository.question_sets(session, [campaign_id]))
    themes = [
        t for t in await repository.themes_of(session, campaign_id) if t.merged_into_id is None
    ]
    community_codes = {c.id: c.code for c in await places.default_set_communities(session)}
    header = [*PROFILE_COLUMNS, *question_keys, *(f"theme:{t.key}" for t in themes)]

    async def rows() -> AsyncIterator[list[Any]]:
        async for c, theme_ids in repository.stream_coded(session, campaign_id, scope):
            applied = set(theme_ids or ())
            yield [
                str(c.id),
                c.question_set_version,
                c.collected_at.isoformat(),
                c.channel,
                c.language,
                c.county_code,
                community_codes.get(c.community_id) if c.community_id else None,
                c.grid_ref,
                c.age_band,
                c.gender,
                c.postcode_district,
                c.welsh_speaker,
                c.disability,
                c.carer,
                c.may_quote,
                *(_cell(c.answers.get(k)) for k in question_keys),
                *(int(t.id in applied) for t in themes),
            ]

    return Export(header=header, rows=rows())


def _question_keys(question_sets: dict[tuple[uuid.UUID, int], Any]) -> list[str]:
    """Every question key of every version: the newest version's order, then older keys."""
    keys: list[str] = []
    for _, question_set in sorted(question_sets.items(), key=lambda kv: -kv[0][1]):
        keys += [q.key for q in question_set.questions if q.key not in keys]
    return keys
