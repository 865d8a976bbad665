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
    SELECT :actor_id, :action, :entity_type, e.entity_id, CAST(e.changes AS jsonb), :request_id
    FROM unnest(CAST(:entity_ids AS text[]), CAST(:changes AS text[])) AS e(entity_id, changes)
    """
).bindparams(bindparam("actor_id", type_=UUID(as_uuid=True)))


async def add_many(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity_type: str,
    request_id: str | None,
    changes: list[tuple[str, dict[str, Any]]],
) -> None:
    """Entries of one actor and action, one per (entity id, changes)."""
    if changes:
        await session.execute(
            ADD_MANY,
            {
                "actor_id": actor_id,
                "action": action,
                "entity_type": entity_type,
                "request_id": request_id,
                "entity_ids": [entity_id for entity_id, _ in changes],
                "changes": [orjson.dumps(c).decode() for _, c in changes],
            },
        )
