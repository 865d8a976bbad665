from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import AuditEntry


def add(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)


async def for_entity(
    session: AsyncSession, entity_type: str, entity_id: str
) -> Sequence[AuditEntry]:
    rows = await session.scalars(
        select(AuditEntry)
        .where(AuditEntry.entity_type == entity_type, AuditEntry.entity_id == entity_id)
        .order_by(AuditEntry.id)
    )
    return rows.all()
