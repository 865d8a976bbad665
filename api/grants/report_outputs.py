"""Strawberry output types of the grants report."""

from __future__ import annotations

import strawberry

from api.grants.outcomes import Breakdown, GrantsReport


@strawberry.type(description="Awards in one group (a tier, county, community or decile).")
class AwardBreakdown:
    key: str
    awards: int
    awarded_pence: int


@strawberry.type(description="People reached, from each project's latest approved report.")
class ReachType:
    participants: int
    volunteers: int
    sessions: int
    wellbeing_respondents: int
    wellbeing_mean_before: float | None = strawberry.field(
        description="Mean short WEMWBS total before, weighted by respondents (aggregate only)."
    )
    wellbeing_mean_after: float | None


@strawberry.type(name="GrantsReport")
class GrantsReportType:
    awards: int
    awarded_pence: int
    paid_pence: int
    outstanding_pence: int
    projects_completed: int
    by_tier: list[AwardBreakdown]
    by_county: list[AwardBreakdown]
    by_community: list[AwardBreakdown]
    by_deprivation_decile: list[AwardBreakdown] = strawberry.field(
        description="By the WIMD decile of each community's most deprived LSOA (1 = most)."
    )
    reach: ReachType

    @classmethod
    def of(cls, r: GrantsReport) -> GrantsReportType:
        def rows(items: list[Breakdown]) -> list[AwardBreakdown]:
            return [
                AwardBreakdown(key=b.key, awards=b.awards, awarded_pence=b.awarded_pence)
                for b in items
            ]

        reach = r.reach
        return cls(
            awards=r.awards,
            awarded_pence=r.awarded_pence,
            paid_pence=r.paid_pence,
            outstanding_pence=r.outstanding_pence,
            projects_completed=r.projects_completed,
            by_tier=rows(r.by_tier),
            by_county=rows(r.by_county),
            by_community=rows(r.by_community),
            by_deprivation_decile=rows(r.by_deprivation_decile),
            reach=ReachType(
                participants=reach.participants,
                volunteers=reach.volunteers,
                sessions=reach.sessions,
                wellbeing_respondents=reach.wellbeing_respondents,
                wellbeing_mean_before=reach.wellbeing_mean_before,
                wellbeing_mean_after=reach.wellbeing_mean_after,
            ),
        )
