"""`panelSummary`: how the panel scored a round's applications, ranked against the budget.
Four statements whatever the number of applications and reviews."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.grants import access, repository
from api.grants.lifecycle import Status
from api.grants.models import GrantApplication, GrantRound, Review
from api.grants.panel import Recommendation, conflicted_ids, counted_reviews

# Reviewers this far apart on one criterion should talk before deciding.
DISAGREEMENT_POINTS = 2
REVIEWED = {
    Status.IN_REVIEW.value,
    Status.AWARDED.value,
    Status.DECLINED.value,
    Status.ACCEPTED.value,
    Status.ACTIVE.value,
    Status.COMPLETED.value,
}


@dataclass(frozen=True)
class CriterionSpread:
    key: str
    min: int
    max: int
    mean: float
    disagreement: bool


@dataclass(frozen=True)
class ApplicationSummary:
    application: GrantApplication
    review_count: int
    weighted_mean: float | None
    criteria: list[CriterionSpread]
    disagreement: bool
    recommendations: dict[Recommendation, int]
    quorum_reached: bool
    recused_ids: list[uuid.UUID]
    rank: int
    running_total_pence: int
    within_budget: bool


@dataclass(frozen=True)
class PanelSummary:
    round: GrantRound
    applications: list[ApplicationSummary]


def weighted_score(round_: GrantRound, review: Review) -> float:
    total_weight = sum(c["weight"] for c in round_.criteria)
    return sum(c["weight"] * review.scores[c["key"]] for c in round_.criteria) / total_weight


def _spreads(round_: GrantRound, reviews: list[Review]) -> list[CriterionSpread]:
    spreads = []
    for criterion in round_.criteria:
        scores = [r.scores[criterion["key"]] for r in reviews]
        if scores:
            low, high = min(scores), max(scores)
            spreads.append(
                CriterionSpread(
                    key=criterion["key"],
                    min=low,
                    max=high,
                    mean=sum(scores) / len(scores),
                    disagreement=high - low >= DISAGREEMENT_POINTS,
                )
            )
    return spreads


async def panel_summary(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID
) -> PanelSummary:
    round_ = await access.load_round(session, round_id)
    access.require_staff(principal, round_)
    applications = [
        a for a in await repository.applications_of_round(session, round_id) if a.status in REVIEWED
    ]
    members = await repository.panel_member_ids(session, round_id)
    conflicts: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    for declaration in await repository.declarations_of_round(session, round_id):
        conflicts[declaration.application_id] |= conflicted_ids([declaration])
    reviews: dict[uuid.UUID, list[Review]] = defaultdict(list)
    for review in await repository.submitted_reviews_of_round(session, round_id):
        reviews[review.application_id].append(review)

    scored = []
    for application in applications:
        counted = counted_reviews(reviews[application.id], members, conflicts[application.id])
        means = [weighted_score(round_, r) for r in counted]
        scored.append((application, counted, sum(means) / len(means) if means else None))
    # Best first; unscored last; ties by amount (smaller first) then id, so the order is stable.
    scored.sort(key=lambda s: (s[2] is None, -(s[2] or 0), s[0].amount_requested_pence, s[0].id))
    summaries, running = [], 0
    for rank, (application, counted, mean) in enumerate(scored, start=1):
        running += application.amount_requested_pence
        spreads = _spreads(round_, counted)
        votes = Counter(Recommendation(r.recommendation) for r in counted)
        summaries.append(
            ApplicationSummary(
                application=application,
                review_count=len(counted),
                weighted_mean=mean,
                criteria=spreads,
                disagreement=any(s.disagreement for s in spreads),
                recommendations={r: votes.get(r, 0) for r in Recommendation},
                quorum_reached=len(counted) >= round_.quorum,
                recused_ids=sorted(conflicts[application.id]),
                rank=rank,
                running_total_pence=running,
                within_budget=running <= round_.budget_pence,
            )
        )
    return PanelSummary(round_, summaries)
