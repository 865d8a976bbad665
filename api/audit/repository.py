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


def new_records_sql(source: str, entity_id: str, after: dict[str, str]) -> str:
    """An INSERT of one audit entry per row of `source` (the name of a CTE holding rows a
    statement has just written): for a write that audits itself in the same statement,
    with no round trip and nothing built in Python per row. `entity_id` and each value of
    `after` ({field: SQL expression}) are SQL over `source`'s columns; the entries read as
    `service.record_changes` writes a new record's. Its parameters: `new_records_parameters`."""
    changes = ", ".join(
        f"'{name}', jsonb_build_object('before', NULL, 'after', CAST({expression} AS text))"
        for name, expression in sorted(after.items())
    )
    return f"""
        INSERT INTO audit_log (actor_id, action, entity_type, entity_id, changes, request_id)
        SELECT :audit_actor_id, :audit_action, :audit_entity_type, {entity_id},
               jsonb_build_object({changes}), :audit_request_id
        FROM {source}
    """
