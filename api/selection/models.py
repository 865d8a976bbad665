from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, Float, ForeignKey, Integer, String, UniqueConstraint, func
from sqlalchemy.dialects.postgresql import ARRAY, UUID
from sqlalchemy.orm import Mapped, mapped_column

from api.db import Base


class SelectionRound(Base):
    """Choosing communities of one set, in some counties, for a programme. Changing the
    criteria once decisions exist makes a new version; the old one stays as it was."""

    __tablename__ = "selection_rounds"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    programme: Mapped[str] = mapped_column(String(200), nullable=False)
    name: Mapped[str] = mapped_column(String(200), nullable=False)
    set_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("community_sets.id"), nullable=False)
    county_codes: Mapped[list[str]] = mapped_column(ARRAY(String(32)), nullable=False)
    normalisation: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(16), nullable=False)
    round_version: Mapped[int] = mapped_column(Integer, nullable=False)
    previous_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("selection_rounds.id"))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    created_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), nullable=False, server_default=func.clock_timestamp()
    )
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    closed_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class SelectionCriterion(Base):
    __tablename__ = "selection_criteria"

    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("selection_rounds.id", ondelete="CASCADE"), primary_key=True
    )
    indicator: Mapped[str] = mapped_column(String(64), primary_key=True)
    position: Mapped[int] = mapped_column(Integer, nullable=False)
    weight: Mapped[float] = mapped_column(Float, nullable=False)
    direction: Mapped[str] = mapped_column(String(8), nullable=False)


class SelectionDecision(Base):
    """A community shortlisted or selected in a round: why, by whom, when."""

    __tablename__ = "selection_decisions"
    __table_args__ = (
        UniqueConstraint(
            "round_id", "community_id", "kind", name="uq_selection_decisions_round_community_kind"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    round_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("selection_rounds.id", ondelete="CASCADE"), nullable=False
    )
    community_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("communities.id"), nullable=False)
    county_code: Mapped[str] = mapped_column(String(32), nullable=False)
    kind: Mapped[str] = mapped_column(String(16), nullable=False)
    rationale: Mapped[str] = mapped_column(String(4000), nullable=False)
    decided_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), nullable=False)
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
