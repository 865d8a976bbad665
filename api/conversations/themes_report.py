"""What people said, by theme: counts and shares of the coded conversations a filter
holds, with excerpts from those who agreed to be quoted (staff only: LEADERs see counts)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal, in_scope
from api.conversations import progress, repository
from api.conversations.access import CAPTURE
from api.conversations.inputs import ReportFilter
from api.conversations.models import Theme, ThemeTally
from api.errors import BadInput
from api.settings import Settings
from api.shared.language import Language


@dataclass(frozen=True)
class ThemeLine:
    theme: Theme
    conversations: int
    share: float | None
    quotes: list[tuple[str, str]]


@dataclass(frozen=True)
class ThemeReport:
    coded_conversations: int
    themes: list[ThemeLine]


async def theme_report(
    session: AsyncSession,
    settings: Settings,
    principal: Principal,
    campaign_id: uuid.UUID,
    f: ReportFilter,
    listed_in: Language,
) -> ThemeReport:
    """Themes and sub-themes with counts and shares of the coded conversations the filter
    holds, and consented-to-quote excerpts (never for LEADERs, who see aggregates only);
    themes, then sub-themes, by label in `listed_in`."""
    _, scope = await progress.scope_of(session, principal, campaign_id)
    if f.county_code is not None and not in_scope(scope, f.county_code):
        raise BadInput(
            f"You cannot see county {f.county_code}.",
            field="filter.countyCode",
            cy=f"Ni allwch weld sir {f.county_code}.",
        )
    values = {
        "county_code": f.county_code,
        "community_id": f.community_id,
        "channel": f.channel.value if f.channel is not None else None,
        "language": f.language,
        "age_band": f.age_band.value if f.age_band is not None else None,
    }
    per_theme = settings.conversation_quotes_per_theme if principal.has_any(CAPTURE) else 0
    counted, quotes = await figures(session, campaign_id, scope, values, per_theme)
    themes = await repository.themes_of(session, campaign_id, listed_in)
    total = counted.coded
    return ThemeReport(
        coded_conversations=total,
        themes=[
            ThemeLine(
                t,
                counted.themes.get(t.id, 0),
                counted.themes.get(t.id, 0) / total if total else None,
                quotes.get(t.id, []),
            )
            for t in themes
            if t.merged_into_id is None
        ],
    )


async def figures(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    scope: frozenset[str] | None,
    values: dict[str, Any],
    per_theme: int,
) -> tuple[repository.ThemeCounts, dict[uuid.UUID, list[tuple[str, str]]]]:
    """The counts of the coded conversations in the scope with the filter's `values`
    (column: value, None for any), and up to `per_theme` quotes for each theme coded in
    them: what the report reads once its caller may read it."""
    counted = await repository.theme_counts(
        session, campaign_id, scope, repository.conversation_conditions(on=ThemeTally, **values)
    )
    quotes: dict[uuid.UUID, list[tuple[str, str]]] = {}
    if per_theme:
        found = await repository.quotes(
            session,
            campaign_id,
            scope,
            repository.conversation_conditions(**values),
            per_theme,
            [theme_id for theme_id, n in counted.themes.items() if n],
            narrow=_narrow(counted, per_theme),
        )
        for theme_id, key, excerpt in found:
            quotes.setdefault(theme_id, []).append((key, excerpt))
    return counted, quotes


def _narrow(counted: repository.ThemeCounts, per_theme: int) -> bool:
    """Whether reading the filter's conversations and their codings first reads fewer rows
    than walking each theme's codings until `per_theme` pass the filter, which passes
    about all/held codings per quote (and never more than all). Either way the quotes are
    the same; for a broad filter the walk is short, for a narrow one it is long."""
    walked = sum(
        min(everywhere, per_theme * everywhere / counted.themes[theme_id])
        for theme_id, everywhere in counted.unfiltered.items()
        if counted.themes.get(theme_id)
    )
    return counted.coded + sum(counted.themes.values()) < walked
