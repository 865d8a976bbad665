from __future__ import annotations

import uuid
from typing import Any

import orjson
from sqlalchemy import bindparam, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import AuditEntry


def add(session: AsyncSession, entry: AuditEntry) -> None:
    session.add(entry)


# One execution for a whole batch (an executemany would run the INSERT once per entry).
ADD_MANY = text(
    """
    INSERT INTO audit_log (actor_id, action, entity_type, entity_id, changes, request_id)
    SELECT :actor_id, e.action, :entity_type, e.entity_id, CAST(e.changes AS jsonb), :request_id
    FROM unnest(CAST(:actions AS text[]), CAST(:entity_ids AS text[]), CAST(:changes AS text[]))
      AS e(action, entity_id, changes)
    """
).bindparams(bindparam("actor_id", type_=UUID(as_uuid=True)))


async def add_many(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID | None,
    entity_type: str,
    request_id: str | None,
    entries: list[tuple[str, str, dict[str, Any]]],
) -> None:
    """Entries of one actor, one per (action, entity id, changes)."""
    if entries:
        await session.execute(
            ADD_MANY,
            {
                "actor_id": actor_id,
                "entity_type": entity_type,
                "request_id": request_id,
                "actions": [action for action, _, _ in entries],
                "entity_ids": [entity_id for _, entity_id, _ in entries],
                "changes": [orjson.dumps(c).decode() for _, _, c in entries],
            },
        )
