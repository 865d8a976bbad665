"""Every SQL statement of the grants domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import any_, func, select, tuple_, update
from sqlalchemy.ext.asyncio import AsyncSession

from api.grants.models import (
    Attachment,
    ConflictDeclaration,
    GrantApplication,
    GrantReport,
    GrantRound,
    GrantTransition,
    PanelMember,
    Review,
    Tranche,
)
from api.shared.pagination import Page, PageRequest


def add(session: AsyncSession, row: Any) -> None:
    session.add(row)


async def round_by_id(session: AsyncSession, round_id: uuid.UUID) -> GrantRound | None:
    return await session.get(GrantRound, round_id)


async def round_page(
    session: AsyncSession, page: PageRequest, county_code: str | None
) -> Page[GrantRound]:
    """Rounds by closing time (soonest first), then id; optionally those covering a county."""
    query = select(GrantRound)
    if county_code is not None:
        query = query.where(any_(GrantRound.county_codes) == county_code)
    if page.after is not None:
        query = query.where(tuple_(GrantRound.closes_at, GrantRound.id) > tuple_(*page.after))
    rows = list(
        (
            await session.scalars(
                query.order_by(GrantRound.closes_at, GrantRound.id).limit(page.limit + 1)
            )
        ).all()
    )
    return Page(rows=rows[: page.limit], has_next=len(rows) > page.limit)


async def add_to_awarded(session: AsyncSession, round_id: uuid.UUID, amount: int) -> int | None:
    """Raise the round's awarded total if it stays within budget; the new total, or None.

    One conditional UPDATE: a second decision at the same moment waits on the row lock
    and then re-checks the condition against the first one's committed total.
    """
    return await session.scalar(
        update(GrantRound)
        .where(
            GrantRound.id == round_id,
            GrantRound.awarded_pence + amount <= GrantRound.budget_pence,
        )
        .values(awarded_pence=GrantRound.awarded_pence + amount)
        .returning(GrantRound.awarded_pence)
        .execution_options(synchronize_session=False)
    )


async def application_by_id(
    session: AsyncSession, application_id: uuid.UUID
) -> GrantApplication | None:
    return await session.get(GrantApplication, application_id)


async def applications_of_round(
    session: AsyncSession, round_id: uuid.UUID
) -> Sequence[GrantApplication]:
    rows = await session.scalars(
        select(GrantApplication)
        .where(GrantApplication.round_id == round_id)
        .order_by(GrantApplication.id)
    )
    return rows.all()


async def application_page(
    session: AsyncSession,
    page: PageRequest,
    round_id: uuid.UUID,
    *,
    applicant_id: uuid.UUID | None = None,
    exclude_status: str | None = None,
) -> Page[GrantApplication]:
    """A page of a round's applications by id, optionally one applicant's or not drafts."""
    query = select(GrantApplication).where(GrantApplication.round_id == round_id)
    if applicant_id is not None:
        query = query.where(GrantApplication.applicant_id == applicant_id)
    if exclude_status is not None:
        query = query.where(GrantApplication.status != exclude_status)
    if page.after is not None:
        query = query.where(GrantApplication.id > page.after[0])
    rows = list(
        (await session.scalars(query.order_by(GrantApplication.id).limit(page.limit + 1))).all()
    )
    return Page(rows=rows[: page.limit], has_next=len(rows) > page.limit)


async def applications_for_report(
    session: AsyncSession, *, round_id: uuid.UUID | None, county_code: str | None
) -> Sequence[GrantApplication]:
    query = select(GrantApplication).where(GrantApplication.amount_awarded_pence.is_not(None))
    if round_id is not None:
        query = query.where(GrantApplication.round_id == round_id)
    if county_code is not None:
        query = query.where(GrantApplication.county_code == county_code)
    return (await session.scalars(query.order_by(GrantApplication.id))).all()


async def transitions_of(
    session: AsyncSession, application_ids: Sequence[uuid.UUID]
) -> Sequence[GrantTransition]:
    rows = await session.scalars(
        select(GrantTransition)
        .where(GrantTransition.application_id.in_(application_ids))
        .order_by(GrantTransition.at, GrantTransition.id)
    )
    return rows.all()


async def panel_member_ids(session: AsyncSession, round_id: uuid.UUID) -> set[uuid.UUID]:
    rows = await session.scalars(
        select(PanelMember.user_id).where(PanelMember.round_id == round_id)
    )
    return set(rows.all())


async def is_panel_member(session: AsyncSession, round_id: uuid.UUID, user_id: uuid.UUID) -> bool:
    found = await session.scalar(
        select(func.count())
        .select_from(PanelMember)
        .where(PanelMember.round_id == round_id, PanelMember.user_id == user_id)
    )
    return bool(found)


async def declaration(
    session: AsyncSession, application_id: uuid.UUID, user_id: uuid.UUID
) -> ConflictDeclaration | None:
    return await session.get(ConflictDeclaration, (application_id, user_id))


async def declarations_of_round(
    session: AsyncSession, round_id: uuid.UUID
) -> Sequence[ConflictDeclaration]:
    rows = await session.scalars(
        select(ConflictDeclaration)
        .join(GrantApplication, GrantApplication.id == ConflictDeclaration.application_id)
        .where(GrantApplication.round_id == round_id)
    )
    return rows.all()


async def declared_by(
    session: AsyncSession, user_id: uuid.UUID, application_ids: Sequence[uuid.UUID]
) -> set[uuid.UUID]:
    """Which of these applications the user has made a declaration on."""
    rows = await session.scalars(
        select(ConflictDeclaration.application_id).where(
            ConflictDeclaration.user_id == user_id,
            ConflictDeclaration.application_id.in_(application_ids),
        )
    )
    return set(rows.all())


async def declarations_of(
    session: AsyncSession, application_id: uuid.UUID
) -> Sequence[ConflictDeclaration]:
    rows = await session.scalars(
        select(ConflictDeclaration).where(ConflictDeclaration.application_id == application_id)
    )
    return rows.all()


async def review_of(
    session: AsyncSession, application_id: uuid.UUID, reviewer_id: uuid.UUID
) -> Review | None:
    return await session.scalar(
        select(Review).where(
            Review.application_id == application_id, Review.reviewer_id == reviewer_id
        )
    )


async def reviews_of(session: AsyncSession, application_id: uuid.UUID) -> Sequence[Review]:
    rows = await session.scalars(
        select(Review).where(Review.application_id == application_id).order_by(Review.id)
    )
    return rows.all()


async def submitted_reviews_of_round(
    session: AsyncSession, round_id: uuid.UUID
) -> Sequence[Review]:
    rows = await session.scalars(
        select(Review)
        .join(GrantApplication, GrantApplication.id == Review.application_id)
        .where(GrantApplication.round_id == round_id, Review.submitted_at.is_not(None))
        .order_by(Review.id)
    )
    return rows.all()


async def tranches_of(
    session: AsyncSession, application_ids: Sequence[uuid.UUID]
) -> Sequence[Tranche]:
    rows = await session.scalars(
        select(Tranche)
        .where(Tranche.application_id.in_(application_ids))
        .order_by(Tranche.application_id, Tranche.seq)
    )
    return rows.all()


async def report_by_id(session: AsyncSession, report_id: uuid.UUID) -> GrantReport | None:
    return await session.get(GrantReport, report_id)


async def reports_of(
    session: AsyncSession, application_ids: Sequence[uuid.UUID]
) -> Sequence[GrantReport]:
    rows = await session.scalars(
        select(GrantReport)
        .where(GrantReport.application_id.in_(application_ids))
        .order_by(GrantReport.created_at, GrantReport.id)
    )
    return rows.all()


async def attachments_of(
    session: AsyncSession, application_ids: Sequence[uuid.UUID]
) -> Sequence[Attachment]:
    """The applications' own attachments (report photos are listed with their reports)."""
    rows = await session.scalars(
        select(Attachment)
        .where(Attachment.application_id.in_(application_ids), Attachment.report_id.is_(None))
        .order_by(Attachment.created_at, Attachment.id)
    )
    return rows.all()


async def photos_of_reports(
    session: AsyncSession, report_ids: Sequence[uuid.UUID]
) -> Sequence[Attachment]:
    rows = await session.scalars(
        select(Attachment)
        .where(Attachment.report_id.in_(report_ids))
        .order_by(Attachment.created_at, Attachment.id)
    )
    return rows.all()


async def attachment_by_id(session: AsyncSession, attachment_id: uuid.UUID) -> Attachment | None:
    return await session.get(Attachment, attachment_id)
