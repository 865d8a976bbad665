"""GraphQL for campaign progress and theme reports."""

from __future__ import annotations

import uuid

import strawberry

from api.context import Info
from api.conversations import progress, themes_report
from api.conversations.inputs import AgeBand, Channel, ReportFilter
from api.conversations.progress import AreaProgress
from api.conversations.schema_coding import ThemeType
from api.shared.language import Language, pick


@strawberry.type
class AreaCount:
    id: uuid.UUID
    code: str
    name: str
    county_code: str
    conversations: int
    target: int = strawberry.field(
        description="Its own target, or its population's share of the one above it."
    )

    @classmethod
    def of(cls, a: AreaProgress, language: Language) -> AreaCount:
        return cls(
            id=a.id,
            code=a.code,
            name=pick(language, a.name_en, a.name_cy) or a.name_en,
            county_code=a.county_code,
            conversations=a.conversations,
            target=a.target,
        )


@strawberry.type
class KeyCount:
    key: str
    conversations: int


@strawberry.type
class AgeBandShare:
    band: str = strawberry.field(description="A population age band, e.g. age_16_64.")
    respondents: int
    respondent_share: float | None = strawberry.field(
        description="Of the respondents who gave their age."
    )
    population_share: float | None = strawberry.field(
        description="Of the region's population (its LSOAs' age figures); null where "
        "they are not all known."
    )


@strawberry.type
class CampaignProgress:
    target: int
    conversations: int
    withdrawn: int | None = strawberry.field(
        description="Withdrawn conversations (region-wide readers only: they keep no county)."
    )
    counties: list[AreaCount]
    communities: list[AreaCount]
    channels: list[KeyCount]
    languages: list[KeyCount]
    weeks: list[KeyCount] = strawberry.field(description="By ISO week, e.g. 2026-W10.")
    age_unknown: int
    representativeness: list[AgeBandShare]


def _keys(counts: dict[str, int]) -> list[KeyCount]:
    return [KeyCount(key=k, conversations=v) for k, v in counts.items()]


@strawberry.input
class ThemeReportFilter:
    county_code: str | None = None
    community_id: uuid.UUID | None = None
    age_band: AgeBand | None = None
    language: Language | None = None
    channel: Channel | None = None


@strawberry.type
class Quote:
    question_key: str
    excerpt: str


@strawberry.type
class ThemeCount:
    theme: ThemeType
    conversations: int
    share: float | None = strawberry.field(description="Of the coded conversations.")
    quotes: list[Quote] = strawberry.field(
        description="Excerpts the respondents agreed may be quoted (not shown to LEADERs)."
    )


@strawberry.type
class ThemeReport:
    coded_conversations: int
    themes: list[ThemeCount]


@strawberry.type
class Query:
    @strawberry.field(
        description="Progress against the targets, within your counties; counties and "
        "communities by name in the language asked for."
    )
    async def campaign_progress(self, info: Info, campaign_id: uuid.UUID) -> CampaignProgress:
        language = info.context.language
        p = await progress.campaign_progress(
            info.context.session, await info.context.principal(), campaign_id, language
        )
        return CampaignProgress(
            target=p.campaign.target,
            conversations=p.conversations,
            withdrawn=p.withdrawn,
            counties=[AreaCount.of(c, language) for c in p.counties],
            communities=[AreaCount.of(c, language) for c in p.communities],
            channels=_keys(p.channels),
            languages=_keys(p.languages),
            weeks=_keys(p.weeks),
            age_unknown=p.age_unknown,
            representativeness=[
                AgeBandShare(
                    band=b.band,
                    respondents=b.respondents,
                    respondent_share=b.respondent_share,
                    population_share=b.population_share,
                )
                for b in p.representativeness
            ],
        )

    @strawberry.field(
        description="Themes and sub-themes of the coded conversations, by label in the "
        "language asked for."
    )
    async def theme_report(
        self, info: Info, campaign_id: uuid.UUID, filter: ThemeReportFilter | None = None
    ) -> ThemeReport:
        f = filter or ThemeReportFilter()
        language = info.context.language
        report = await themes_report.theme_report(
            info.context.session,
            info.context.settings,
            await info.context.principal(),
            campaign_id,
            ReportFilter(
                county_code=f.county_code,
                community_id=f.community_id,
                age_band=f.age_band,
                language=f.language.value if f.language else None,
                channel=f.channel,
            ),
            language,
        )
        return ThemeReport(
            coded_conversations=report.coded_conversations,
            themes=[
                ThemeCount(
                    theme=ThemeType.of(line.theme, language),
                    conversations=line.conversations,
                    share=line.share,
                    quotes=[Quote(question_key=k, excerpt=e) for k, e in line.quotes],
                )
                for line in report.themes
            ],
        )
