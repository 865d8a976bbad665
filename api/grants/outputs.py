"""Strawberry output types of the grants domain: thin mappings of service results."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

import strawberry

import api.grants.enums  # noqa: F401  (registers the enums first)
from api.context import Info
from api.grants import loaders
from api.grants.applications import ApplicationView, FiveWays, GroupType
from api.grants.defaults import Condition, Tier
from api.grants.lifecycle import Status
from api.grants.models import (
    Attachment,
    GrantReport,
    GrantRound,
    Tranche,
)
from api.grants.payments import TrancheStatus
from api.grants.reports import ReportKind, ReportStatus
from api.shared.language import Language, pick


@strawberry.type(description="A scoring criterion, scored from 1 to scaleMax.")
class Criterion:
    key: str
    label_en: str
    label_cy: str | None
    label: str
    weight: float
    scale_max: int

    @classmethod
    def of(cls, c: dict[str, Any], language: Language) -> Criterion:
        return cls(
            key=c["key"],
            label_en=c["labelEn"],
            label_cy=c.get("labelCy"),
            label=pick(language, c["labelEn"], c.get("labelCy")) or c["key"],
            weight=c["weight"],
            scale_max=c["scaleMax"],
        )


@strawberry.type(description="The amounts (pence) a tier may ask for.")
class TierBand:
    tier: Tier
    min_pence: int
    max_pence: int


@strawberry.type
class SchedulePart:
    percent: int
    condition: Condition


@strawberry.type(description="How a tier's awards are paid.")
class TierSchedule:
    tier: Tier
    parts: list[SchedulePart]


@strawberry.type(name="GrantRound", description="A call for micro-grant applications.")
class GrantRoundType:
    id: uuid.UUID
    name_en: str
    name_cy: str | None
    name: str
    county_codes: list[str]
    opens_at: datetime
    closes_at: datetime
    budget_pence: int
    awarded_pence: int
    remaining_pence: int
    quorum: int
    criteria: list[Criterion]
    tiers: list[TierBand]
    payment_schedule: list[TierSchedule]

    @classmethod
    def of(cls, r: GrantRound, language: Language) -> GrantRoundType:
        return cls(
            id=r.id,
            name_en=r.name_en,
            name_cy=r.name_cy,
            name=pick(language, r.name_en, r.name_cy) or r.name_en,
            county_codes=list(r.county_codes),
            opens_at=r.opens_at,
            closes_at=r.closes_at,
            budget_pence=r.budget_pence,
            awarded_pence=r.awarded_pence,
            remaining_pence=r.budget_pence - r.awarded_pence,
            quorum=r.quorum,
            criteria=[Criterion.of(c, language) for c in r.criteria],
            tiers=[
                TierBand(tier=Tier(t["tier"]), min_pence=t["minPence"], max_pence=t["maxPence"])
                for t in r.tiers
            ],
            payment_schedule=[
                TierSchedule(
                    tier=Tier(tier),
                    parts=[
                        SchedulePart(percent=p["percent"], condition=Condition(p["condition"]))
                        for p in parts
                    ],
                )
                for tier, parts in r.payment_schedule.items()
            ],
        )


@strawberry.type
class BudgetLine:
    item: str
    amount_pence: int


@strawberry.type(description="An application's detail: a panel member sees it after declaring.")
class ApplicationDetail:
    contact: str
    description_en: str | None
    description_cy: str | None
    description: str | None
    budget_lines: list[BudgetLine]
    starts_on: date | None
    ends_on: date | None
    involves: str | None
    five_ways: list[FiveWays]
    ineligible_reason: str | None


@strawberry.type(
    description="The panel's decision. Applicants see the outcome, amount and feedback."
)
class Decision:
    outcome: Status
    amount_awarded_pence: int | None
    feedback: str | None
    decided_at: datetime | None
    rationale: str | None = strawberry.field(description="Staff and panel only.")
    recused_user_ids: list[uuid.UUID] = strawberry.field(
        description="Panel members recused by a conflict of interest (staff and panel only)."
    )


@strawberry.type(description="A change of status: who, when and why.")
class Transition:
    from_status: Status
    to_status: Status
    actor_id: uuid.UUID
    reason: str | None
    at: datetime


@strawberry.type(name="Tranche", description="One payment of an award.")
class TrancheType:
    id: uuid.UUID
    seq: int
    percent: int
    amount_pence: int
    condition: Condition
    status: TrancheStatus
    paid_on: date | None
    reference: str | None

    @classmethod
    def of(cls, t: Tranche) -> TrancheType:
        return cls(
            id=t.id,
            seq=t.seq,
            percent=t.percent,
            amount_pence=t.amount_pence,
            condition=Condition(t.condition),
            status=TrancheStatus(t.status),
            paid_on=t.paid_on,
            reference=t.reference,
        )


@strawberry.type(description="Wellbeing (short WEMWBS 7-item totals) as aggregates only.")
class Wellbeing:
    respondents: int
    mean_before: float
    mean_after: float


@strawberry.type(name="GrantReport", description="A progress or final report on a funded project.")
class GrantReportType:
    id: uuid.UUID
    kind: ReportKind
    status: ReportStatus
    text: str
    participants: int
    volunteers: int
    sessions: int
    wellbeing: Wellbeing | None
    review_note: str | None
    created_at: datetime

    @strawberry.field(description="Photos added to the report (metadata removed).")
    async def photos(self, info: Info) -> list[ApplicationAttachment]:
        rows = await loaders.report_photos(info.context).load(self.id)
        return [ApplicationAttachment.of(a) for a in rows]

    @classmethod
    def of(cls, r: GrantReport) -> GrantReportType:
        wellbeing = None
        if r.wemwbs_respondents is not None:
            wellbeing = Wellbeing(
                respondents=r.wemwbs_respondents,
                mean_before=r.wemwbs_mean_before or 0.0,
                mean_after=r.wemwbs_mean_after or 0.0,
            )
        return cls(
            id=r.id,
            kind=ReportKind(r.kind),
            status=ReportStatus(r.status),
            text=r.text,
            participants=r.participants,
            volunteers=r.volunteers,
            sessions=r.sessions,
            wellbeing=wellbeing,
            review_note=r.review_note,
            created_at=r.created_at,
        )


@strawberry.type(description="A file attached to an application (metadata removed).")
class ApplicationAttachment:
    id: uuid.UUID
    content_type: str
    width: int
    height: int
    caption: str | None
    url: str = strawberry.field(description="Send the same Authorization header to fetch it.")
    thumbnail_url: str

    @classmethod
    def of(cls, a: Attachment) -> ApplicationAttachment:
        url = f"/grants/attachments/{a.id}"
        return cls(
            id=a.id,
            content_type=a.content_type,
            width=a.width,
            height=a.height,
            caption=a.caption,
            url=url,
            thumbnail_url=f"{url}/thumbnail",
        )


@strawberry.type(name="GrantApplication", description="An application for a micro-grant.")
class GrantApplicationType:
    id: uuid.UUID
    round_id: uuid.UUID
    status: Status
    tier: Tier
    group_name: str
    group_type: GroupType
    title_en: str | None
    title_cy: str | None
    title: str | None
    community_id: uuid.UUID
    county_code: str
    amount_requested_pence: int
    submitted_at: datetime | None
    version: int
    detail: ApplicationDetail | None = strawberry.field(
        description="Null for a panel member who has not yet declared a conflict (or none)."
    )
    decision: Decision | None
    view: strawberry.Private[ApplicationView]

    @strawberry.field(
        description="Every change of status, oldest first. Applicants do not see the panel's "
        "rationale for a decision (they see its feedback)."
    )
    async def transitions(self, info: Info) -> list[Transition]:
        rows = await loaders.transitions(info.context).load(self.id)
        return [
            Transition(
                from_status=Status(t.from_status),
                to_status=Status(t.to_status),
                actor_id=t.actor_id,
                reason=self.view.transition_reason(t.to_status, t.reason),
                at=t.at,
            )
            for t in rows
        ]

    @strawberry.field(description="Attached files; empty while the detail is hidden.")
    async def attachments(self, info: Info) -> list[ApplicationAttachment]:
        if not self.view.detail_visible:
            return []
        rows = await loaders.attachments_of(info.context).load(self.id)
        return [ApplicationAttachment.of(a) for a in rows]

    @strawberry.field(
        description="The award's payments, once accepted; empty while the detail is hidden."
    )
    async def tranches(self, info: Info) -> list[TrancheType]:
        if not self.view.detail_visible:
            return []
        return [TrancheType.of(t) for t in await loaders.tranches(info.context).load(self.id)]

    @strawberry.field(
        description="Progress and final reports, oldest first; empty while the detail is hidden."
    )
    async def reports(self, info: Info) -> list[GrantReportType]:
        if not self.view.detail_visible:
            return []
        return [GrantReportType.of(r) for r in await loaders.reports_of(info.context).load(self.id)]

    @classmethod
    def of(cls, view: ApplicationView, language: Language) -> GrantApplicationType:
        a = view.application
        detail = None
        if view.detail_visible:
            detail = ApplicationDetail(
                contact=a.contact,
                description_en=a.description_en,
                description_cy=a.description_cy,
                description=pick(language, a.description_en, a.description_cy),
                budget_lines=[
                    BudgetLine(item=b["item"], amount_pence=b["amountPence"])
                    for b in a.budget_lines
                ],
                starts_on=a.starts_on,
                ends_on=a.ends_on,
                involves=a.involves,
                five_ways=[FiveWays(w) for w in a.five_ways],
                ineligible_reason=a.ineligible_reason,
            )
        decision = None
        if a.decided_at is not None:
            internal = view.sees_panel_reasoning
            decision = Decision(
                outcome=Status.AWARDED if a.amount_awarded_pence is not None else Status.DECLINED,
                amount_awarded_pence=a.amount_awarded_pence,
                feedback=a.feedback,
                decided_at=a.decided_at,
                rationale=a.decision_rationale if internal else None,
                recused_user_ids=list(a.recused_ids) if internal else [],
            )
        return cls(
            id=a.id,
            round_id=a.round_id,
            status=Status(a.status),
            tier=Tier(a.tier),
            group_name=a.group_name,
            group_type=GroupType(a.group_type),
            title_en=a.title_en,
            title_cy=a.title_cy,
            title=pick(language, a.title_en, a.title_cy),
            community_id=a.community_id,
            county_code=a.county_code,
            amount_requested_pence=a.amount_requested_pence,
            submitted_at=a.submitted_at,
            version=a.version,
            detail=detail,
            decision=decision,
            view=view,
        )
