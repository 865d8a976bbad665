"""`grantsReport`: what a round (or a county's rounds) funded, paid and achieved.
A fixed handful of statements whatever the number of awards."""

from __future__ import annotations

import math
import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.errors import BadInput, Forbidden
from api.grants import access, repository
from api.grants.lifecycle import Status
from api.grants.models import GrantApplication, GrantReport
from api.grants.payments import TrancheStatus
from api.grants.reports import ReportStatus
from api.places import service as places


@dataclass(frozen=True)
class Breakdown:
    key: str
    awards: int
    awarded_pence: int


@dataclass(frozen=True)
class Reach:
    participants: int
    volunteers: int
    sessions: int
    wellbeing_respondents: int
    wellbeing_mean_before: float | None
    wellbeing_mean_after: float | None


@dataclass(frozen=True)
class GrantsReport:
    awards: int
    awarded_pence: int
    paid_pence: int
    outstanding_pence: int
    projects_completed: int
    by_tier: list[Breakdown]
    by_county: list[Breakdown]
    by_community: list[Breakdown]
    # By the decile of the community's most deprived LSOA: "1" is the most deprived tenth
    # nationally; "unknown" where the community has no ranks.
    by_deprivation_decile: list[Breakdown]
    reach: Reach


def _breakdown(
    awards: Iterable[GrantApplication], key: Callable[[GrantApplication], str]
) -> list[Breakdown]:
    counts: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for a in awards:
        counts[key(a)][0] += 1
        counts[key(a)][1] += a.amount_awarded_pence or 0
    return [Breakdown(k, n, pence) for k, (n, pence) in sorted(counts.items())]


def _reach(reports: Iterable[GrantReport]) -> Reach:
    """Each project counts once: its latest approved report (final after progress)."""
    latest: dict[uuid.UUID, GrantReport] = {}
    for report in reports:  # oldest first
        if report.status == ReportStatus.APPROVED.value:
            latest[report.application_id] = report
    chosen = list(latest.values())
    measured = [r for r in chosen if r.wemwbs_respondents]
    respondents = sum(r.wemwbs_respondents or 0 for r in measured)

    def mean(attr: str) -> float | None:
        if not respondents:
            return None
        return sum((r.wemwbs_respondents or 0) * getattr(r, attr) for r in measured) / respondents

    return Reach(
        participants=sum(r.participants for r in chosen),
        volunteers=sum(r.volunteers for r in chosen),
        sessions=sum(r.sessions for r in chosen),
        wellbeing_respondents=respondents,
        wellbeing_mean_before=mean("wemwbs_mean_before"),
        wellbeing_mean_after=mean("wemwbs_mean_after"),
    )


async def _authorise(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID | None, county: str | None
) -> None:
    principal.require_user()
    if (round_id is None) == (county is None):
        raise BadInput(
            "Give either roundId or countyCode.",
            field="roundId",
            cy="Rhowch naill ai roundId neu countyCode.",
        )
    if round_id is not None:
        access.require_staff(principal, await access.load_round(session, round_id))
    elif not principal.has_any(access.STAFF_ROLES, county):
        raise Forbidden(
            "Only the county's coordinators can see its grants report.",
            cy="Dim ond cydlynwyr y sir sy'n gallu gweld ei hadroddiad grantiau.",
        )


async def grants_report(
    session: AsyncSession,
    principal: Principal,
    *,
    round_id: uuid.UUID | None = None,
    county_code: str | None = None,
) -> GrantsReport:
    await _authorise(session, principal, round_id, county_code)
    awards = list(
        await repository.applications_for_report(
            session, round_id=round_id, county_code=county_code
        )
    )
    ids = [a.id for a in awards]
    tranches = await repository.tranches_of(session, ids) if ids else []
    reports = await repository.reports_of(session, ids) if ids else []
    community_ids = sorted({a.community_id for a in awards})
    figures = await places.community_figures(session, community_ids) if awards else {}

    def decile(a: GrantApplication) -> str:
        f = figures.get(a.community_id)
        if f is None or not f.most_deprived_rank or not f.deprivation_areas:
            return "unknown"
        return str(math.ceil(f.most_deprived_rank * 10 / f.deprivation_areas))

    awarded = sum(a.amount_awarded_pence or 0 for a in awards)
    paid = sum(t.amount_pence for t in tranches if t.status == TrancheStatus.PAID.value)
    return GrantsReport(
        awards=len(awards),
        awarded_pence=awarded,
        paid_pence=paid,
        outstanding_pence=awarded - paid,
        projects_completed=sum(a.status == Status.COMPLETED.value for a in awards),
        by_tier=_breakdown(awards, lambda a: a.tier),
        by_county=_breakdown(awards, lambda a: a.county_code),
        by_community=_breakdown(awards, lambda a: str(a.community_id)),
        by_deprivation_decile=_breakdown(awards, decile),
        reach=_reach(reports),
    )
