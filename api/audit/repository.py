from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import AuditEntry


def add(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)
