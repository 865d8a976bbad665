"""Micro-grants: rounds, applications and their history, the panel, money and reports.

A round's criteria, tier bands and payment schedule are small, read whole and never
queried inside, so they are JSONB documents on the round rather than tables of their own.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB, UUID
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base
from api.shared.versioning import Versioned


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _created_at() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, server_default=func.now())


class GrantRound(Base):
    __tablename__ = "grant_rounds"
    __table_args__ = (
        # The last line of defence for "awards never exceed the budget": decisions raise
        # awarded_pence with a conditional UPDATE, and this refuses anything that slips by.
        CheckConstraint("awarded_pence <= budget_pence", name="within_budget"),
    )

    id: Mapped[uuid.UUID] = _id()
    name_en: Mapped[str] = mapped_column(String(200), nullable=False)
    name_cy: Mapped[str | None] = mapped_column(String(200))
    county_codes: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    opens_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    closes_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    budget_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    awarded_pence: Mapped[int] = mapped_column(BigInteger, nullable=False, default=0)
    quorum: Mapped[int] = mapped_column(Integer, nullable=False)
    # [{key, labelEn, labelCy, weight, scaleMax}]
    criteria: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    # [{tier, minPence, maxPence}]
    tiers: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    # {tier: [{percent, condition}]}
    payment_schedule: Mapped[dict[str, Any]] = mapped_column(JSONB, nullable=False)
    created_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _created_at()


class GrantApplication(Versioned, Base):
    __tablename__ = "grant_applications"

    id: Mapped[uuid.UUID] = _id()
    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_rounds.id"), nullable=False, index=True
    )
    # The applicant's account; NULL when staff entered it for someone without one.
    applicant_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    entered_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    status: Mapped[str] = mapped_column(String(24), nullable=False)
    group_name: Mapped[str] = mapped_column(String(200), nullable=False)
    group_type: Mapped[str] = mapped_column(String(24), nullable=False)
    contact: Mapped[str] = mapped_column(String(500), nullable=False)
    title_en: Mapped[str | None] = mapped_column(String(200))
    title_cy: Mapped[str | None] = mapped_column(String(200))
    description_en: Mapped[str | None] = mapped_column(Text)
    description_cy: Mapped[str | None] = mapped_column(Text)
    community_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("communities.id"), nullable=False)
    county_code: Mapped[str] = mapped_column(String(32), nullable=False)
    tier: Mapped[str] = mapped_column(String(16), nullable=False)
    amount_requested_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    # [{item, amountPence}]
    budget_lines: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, nullable=False)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    involves: Mapped[str | None] = mapped_column(Text)
    five_ways: Mapped[list[str]] = mapped_column(ARRAY(String(16)), nullable=False)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    amount_awarded_pence: Mapped[int | None] = mapped_column(BigInteger)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    decision_rationale: Mapped[str | None] = mapped_column(Text)
    # What a DECLINED applicant is told (the scores behind it stay with the panel).
    feedback: Mapped[str | None] = mapped_column(Text)
    ineligible_reason: Mapped[str | None] = mapped_column(Text)
    # Panel members who declared a conflict, as they stood when the decision was made.
    recused_ids: Mapped[list[uuid.UUID]] = mapped_column(
        ARRAY(UUID(as_uuid=True)), nullable=False, default=list
    )


class GrantTransition(Base):
    """Every change of an application's status: who, when and why."""

    __tablename__ = "grant_transitions"

    id: Mapped[uuid.UUID] = _id()
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    from_status: Mapped[str] = mapped_column(String(24), nullable=False)
    to_status: Mapped[str] = mapped_column(String(24), nullable=False)
    actor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class PanelMember(Base):
    __tablename__ = "grant_panel_members"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)


class ConflictDeclaration(Base):
    __tablename__ = "grant_conflicts"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), primary_key=True)
    conflict: Mapped[bool] = mapped_column(Boolean, nullable=False)
    note: Mapped[str | None] = mapped_column(Text)
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)


class Review(Base):
    __tablename__ = "grant_reviews"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[uuid.UUID] = _id()
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), nullable=False
    )
    reviewer_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    # {criterion key: score}
    scores: Mapped[dict[str, int]] = mapped_column(JSONB, nullable=False)
    recommendation: Mapped[str] = mapped_column(String(24), nullable=False)
    comment: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Tranche(Base):
    __tablename__ = "grant_tranches"
    __table_args__ = (UniqueConstraint("application_id", "seq"),)

    id: Mapped[uuid.UUID] = _id()
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), nullable=False
    )
    seq: Mapped[int] = mapped_column(Integer, nullable=False)
    percent: Mapped[int] = mapped_column(Integer, nullable=False)
    amount_pence: Mapped[int] = mapped_column(BigInteger, nullable=False)
    condition: Mapped[str] = mapped_column(String(24), nullable=False)
    status: Mapped[str] = mapped_column(String(8), nullable=False)
    paid_on: Mapped[date | None] = mapped_column(Date)
    reference: Mapped[str | None] = mapped_column(String(100))
    recorded_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class GrantReport(Base):
    """A progress or final report. Wellbeing is stored as aggregates only, never per person."""

    __tablename__ = "grant_reports"

    id: Mapped[uuid.UUID] = _id()
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    kind: Mapped[str] = mapped_column(String(12), nullable=False)
    status: Mapped[str] = mapped_column(String(12), nullable=False)
    text: Mapped[str] = mapped_column(Text, nullable=False)
    participants: Mapped[int] = mapped_column(Integer, nullable=False)
    volunteers: Mapped[int] = mapped_column(Integer, nullable=False)
    sessions: Mapped[int] = mapped_column(Integer, nullable=False)
    wemwbs_respondents: Mapped[int | None] = mapped_column(Integer)
    wemwbs_mean_before: Mapped[float | None] = mapped_column(Float)
    wemwbs_mean_after: Mapped[float | None] = mapped_column(Float)
    submitted_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    review_note: Mapped[str | None] = mapped_column(Text)
    reviewed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = _created_at()


class Attachment(Base):
    """A photo or scan attached to an application, or (report_id set) to one of its
    progress or final reports; stored without its metadata."""

    __tablename__ = "grant_attachments"

    id: Mapped[uuid.UUID] = _id()
    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("grant_applications.id", ondelete="CASCADE"), nullable=False, index=True
    )
    report_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("grant_reports.id", ondelete="CASCADE"), index=True
    )
    image_key: Mapped[str] = mapped_column(String(300), nullable=False)
    thumbnail_key: Mapped[str] = mapped_column(String(300), nullable=False)
    content_type: Mapped[str] = mapped_column(String(32), nullable=False)
    width: Mapped[int] = mapped_column(Integer, nullable=False)
    height: Mapped[int] = mapped_column(Integer, nullable=False)
    caption: Mapped[str | None] = mapped_column(Text)
    uploaded_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = _created_at()
