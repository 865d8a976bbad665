"""Strawberry output types of the panel: declarations, reviews and the panel summary."""

from __future__ import annotations

import uuid
from datetime import datetime

import strawberry

import api.grants.enums  # noqa: F401  (registers the enums first)
from api.grants.defaults import Tier
from api.grants.lifecycle import Status
from api.grants.models import ConflictDeclaration, Review
from api.grants.panel import Recommendation
from api.grants.summary import ApplicationSummary, PanelSummary
from api.shared.language import Language, pick


@strawberry.type(name="ConflictDeclaration")
class ConflictDeclarationType:
    application_id: uuid.UUID
    user_id: uuid.UUID
    conflict: bool
    note: str | None
    declared_at: datetime

    @classmethod
    def of(cls, d: ConflictDeclaration) -> ConflictDeclarationType:
        return cls(
            application_id=d.application_id,
            user_id=d.user_id,
            conflict=d.conflict,
            note=d.note,
            declared_at=d.declared_at,
        )


@strawberry.type
class Score:
    key: str
    score: int


@strawberry.type(name="Review", description="A panel member's review of one application.")
class ReviewType:
    id: uuid.UUID
    application_id: uuid.UUID
    reviewer_id: uuid.UUID
    scores: list[Score]
    recommendation: Recommendation
    comment: str | None
    submitted: bool
    submitted_at: datetime | None

    @classmethod
    def of(cls, r: Review) -> ReviewType:
        return cls(
            id=r.id,
            application_id=r.application_id,
            reviewer_id=r.reviewer_id,
            scores=[Score(key=k, score=v) for k, v in sorted(r.scores.items())],
            recommendation=Recommendation(r.recommendation),
            comment=r.comment,
            submitted=r.submitted_at is not None,
            submitted_at=r.submitted_at,
        )


@strawberry.type
class CriterionSpread:
    key: str
    min: int
    max: int
    mean: float
    disagreement: bool = strawberry.field(description="Reviewers differ by 2 or more points.")


@strawberry.type
class RecommendationCount:
    recommendation: Recommendation
    count: int


@strawberry.type(description="One application in the panel summary, in ranked order.")
class ApplicationScore:
    application_id: uuid.UUID
    title: str | None
    tier: Tier
    status: Status
    amount_requested_pence: int
    review_count: int
    weighted_mean: float | None
    criteria: list[CriterionSpread]
    disagreement: bool
    recommendations: list[RecommendationCount]
    quorum_reached: bool
    recused_user_ids: list[uuid.UUID]
    rank: int
    running_total_pence: int = strawberry.field(
        description="Requested amounts of this and every higher-ranked application."
    )
    within_budget: bool

    @classmethod
    def of(cls, s: ApplicationSummary, language: Language) -> ApplicationScore:
        a = s.application
        return cls(
            application_id=a.id,
            title=pick(language, a.title_en, a.title_cy),
            tier=Tier(a.tier),
            status=Status(a.status),
            amount_requested_pence=a.amount_requested_pence,
            review_count=s.review_count,
            weighted_mean=s.weighted_mean,
            criteria=[
                CriterionSpread(
                    key=c.key, min=c.min, max=c.max, mean=c.mean, disagreement=c.disagreement
                )
                for c in s.criteria
            ],
            disagreement=s.disagreement,
            recommendations=[
                RecommendationCount(recommendation=r, count=n) for r, n in s.recommendations.items()
            ],
            quorum_reached=s.quorum_reached,
            recused_user_ids=s.recused_ids,
            rank=s.rank,
            running_total_pence=s.running_total_pence,
            within_budget=s.within_budget,
        )


@strawberry.type(name="PanelSummary")
class PanelSummaryType:
    round_id: uuid.UUID
    budget_pence: int
    quorum: int
    applications: list[ApplicationScore]

    @classmethod
    def of(cls, s: PanelSummary, language: Language) -> PanelSummaryType:
        return cls(
            round_id=s.round.id,
            budget_pence=s.round.budget_pence,
            quorum=s.round.quorum,
            applications=[ApplicationScore.of(a, language) for a in s.applications],
        )
