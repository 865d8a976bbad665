"""Strawberry inputs of the grants domain, each turning itself into the service's plain input."""

from __future__ import annotations

import uuid
from datetime import date, datetime

import strawberry

import api.grants.enums  # noqa: F401  (registers the enums first)
from api.grants.applications import Draft, FiveWays, GroupType
from api.grants.decisions import Decision
from api.grants.defaults import Condition, Tier
from api.grants.lifecycle import Status
from api.grants.panel import Recommendation, ReviewInput
from api.grants.payments import Payment
from api.grants.reports import NewReport, ReportKind
from api.grants.rounds import NewRound


@strawberry.input
class CriterionInput:
    key: str
    label_en: str
    label_cy: str | None = None
    weight: float = 1.0
    scale_max: int = 5


@strawberry.input
class TierBandInput:
    tier: Tier
    min_pence: int
    max_pence: int


@strawberry.input
class SchedulePartInput:
    percent: int
    condition: Condition


@strawberry.input
class TierScheduleInput:
    tier: Tier
    parts: list[SchedulePartInput]


@strawberry.input(description="A new round. Criteria, tiers and schedule default when left out.")
class GrantRoundInput:
    name_en: str
    county_codes: list[str]
    opens_at: datetime
    closes_at: datetime
    budget_pence: int
    name_cy: str | None = None
    quorum: int = 3
    criteria: list[CriterionInput] | None = None
    tiers: list[TierBandInput] | None = None
    payment_schedule: list[TierScheduleInput] | None = None

    def plain(self) -> NewRound:
        return NewRound(
            name_en=self.name_en,
            name_cy=self.name_cy,
            county_codes=self.county_codes,
            opens_at=self.opens_at,
            closes_at=self.closes_at,
            budget_pence=self.budget_pence,
            quorum=self.quorum,
            criteria=None
            if self.criteria is None
            else [
                {
                    "key": c.key,
                    "labelEn": c.label_en,
                    "labelCy": c.label_cy,
                    "weight": c.weight,
                    "scaleMax": c.scale_max,
                }
                for c in self.criteria
            ],
            tiers=None
            if self.tiers is None
            else [
                {"tier": t.tier.value, "minPence": t.min_pence, "maxPence": t.max_pence}
                for t in self.tiers
            ],
            payment_schedule=None
            if self.payment_schedule is None
            else [
                (
                    s.tier.value,
                    [{"percent": p.percent, "condition": p.condition.value} for p in s.parts],
                )
                for s in self.payment_schedule
            ],
        )


@strawberry.input
class BudgetLineInput:
    item: str
    amount_pence: int


@strawberry.input(
    name="ApplicationPointInput",
    description="A point from a phone (WGS84 degrees); the community covering it is used.",
)
class PointInput:
    lat: float
    lon: float


@strawberry.input(description="An application. Give communityId, or point to find it.")
class GrantApplicationInput:
    group_name: str
    group_type: GroupType
    contact: str
    tier: Tier
    amount_requested_pence: int
    community_id: uuid.UUID | None = None
    point: PointInput | None = None
    title_en: str | None = None
    title_cy: str | None = None
    description_en: str | None = None
    description_cy: str | None = None
    budget_lines: list[BudgetLineInput] = strawberry.field(default_factory=list)
    starts_on: date | None = None
    ends_on: date | None = None
    involves: str | None = None
    five_ways: list[FiveWays] = strawberry.field(default_factory=list)

    def plain(self) -> Draft:
        return Draft(
            group_name=self.group_name,
            group_type=self.group_type,
            contact=self.contact,
            tier=self.tier.value,
            amount_requested_pence=self.amount_requested_pence,
            community_id=self.community_id,
            point=None if self.point is None else (self.point.lat, self.point.lon),
            title_en=self.title_en,
            title_cy=self.title_cy,
            description_en=self.description_en,
            description_cy=self.description_cy,
            budget_lines=[(b.item, b.amount_pence) for b in self.budget_lines],
            starts_on=self.starts_on,
            ends_on=self.ends_on,
            involves=self.involves,
            five_ways=self.five_ways,
        )


@strawberry.input
class ScoreInput:
    key: str
    score: int


@strawberry.input(
    name="ReviewInput", description="A review; submit=false keeps it as a draft only you can see."
)
class ReviewInputType:
    scores: list[ScoreInput]
    recommendation: Recommendation
    comment: str | None = None
    submit: bool = False

    def plain(self) -> ReviewInput:
        return ReviewInput(
            scores=[(s.key, s.score) for s in self.scores],
            recommendation=self.recommendation,
            comment=self.comment,
            submit=self.submit,
        )


@strawberry.input(
    description="AWARDED (amount defaults to the request) or DECLINED (with feedback)."
)
class DecisionInput:
    outcome: Status
    rationale: str
    amount_pence: int | None = None
    feedback: str | None = None

    def plain(self) -> Decision:
        return Decision(
            outcome=self.outcome,
            rationale=self.rationale,
            amount_pence=self.amount_pence,
            feedback=self.feedback,
        )


@strawberry.input
class PaymentInput:
    seq: int
    paid_on: date
    reference: str

    def plain(self) -> Payment:
        return Payment(seq=self.seq, paid_on=self.paid_on, reference=self.reference)


@strawberry.input
class WellbeingInput:
    respondents: int
    mean_before: float
    mean_after: float


@strawberry.input
class GrantReportInput:
    kind: ReportKind
    text: str
    participants: int
    volunteers: int
    sessions: int
    wellbeing: WellbeingInput | None = None

    def plain(self) -> NewReport:
        w = self.wellbeing
        return NewReport(
            kind=self.kind,
            text=self.text,
            participants=self.participants,
            volunteers=self.volunteers,
            sessions=self.sessions,
            wellbeing=None if w is None else (w.respondents, w.mean_before, w.mean_after),
        )
