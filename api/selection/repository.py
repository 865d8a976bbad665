"""Every SQL statement of the selection domain."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from api.selection.models import SelectionCriterion, SelectionDecision, SelectionRound


async def add_round(
    session: AsyncSession, round_: SelectionRound, criteria: list[SelectionCriterion]
) -> None:
    session.add(round_)
    await session.flush()
    session.add_all(criteria)
    await session.flush()


async def round_by_id(session: AsyncSession, round_id: uuid.UUID) -> SelectionRound | None:
    return await session.get(SelectionRound, round_id)


async def criteria_of(session: AsyncSession, round_id: uuid.UUID) -> list[SelectionCriterion]:
    rows = await session.scalars(
        select(SelectionCriterion)
        .where(SelectionCriterion.round_id == round_id)
        .order_by(SelectionCriterion.position)
    )
    return list(rows.all())


async def replace_criteria(
    session: AsyncSession, round_id: uuid.UUID, criteria: list[SelectionCriterion]
) -> None:
    for old in await criteria_of(session, round_id):
        await session.delete(old)
    await session.flush()
    session.add_all(criteria)
    await session.flush()


async def decisions_of(session: AsyncSession, round_id: uuid.UUID) -> list[SelectionDecision]:
    rows = await session.scalars(
        select(SelectionDecision)
        .where(SelectionDecision.round_id == round_id)
        .order_by(SelectionDecision.decided_at, SelectionDecision.id)
    )
    return list(rows.all())


async def count_decisions(session: AsyncSession, round_id: uuid.UUID) -> int:
    return int(
        await session.scalar(select(func.count()).where(SelectionDecision.round_id == round_id))
        or 0
    )


async def add_decision(session: AsyncSession, decision: SelectionDecision) -> bool:
    """False (nothing written) when the same decision was already recorded."""
    try:
        async with session.begin_nested():
            session.add(decision)
            await session.flush()
    except IntegrityError:
        return False
    return True


async def selected_counties(session: AsyncSession, round_id: uuid.UUID) -> set[str]:
    rows = await session.scalars(
        select(SelectionDecision.county_code)
        .where(SelectionDecision.round_id == round_id, SelectionDecision.kind == "SELECTED")
        .distinct()
    )
    return set(rows.all())


async def set_status(
    session: AsyncSession, round_id: uuid.UUID, status: str, **values: object
) -> None:
    await session.execute(
        update(SelectionRound)
        .where(SelectionRound.id == round_id)
        .values(status=status, **values)
        .execution_options(synchronize_session="fetch")
    )


async def rounds(session: AsyncSession) -> Sequence[SelectionRound]:
    return (
        await session.scalars(
            select(SelectionRound).order_by(SelectionRound.created_at.desc(), SelectionRound.id)
        )
    ).all()
