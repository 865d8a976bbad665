"""The one helper every write calls to leave an audit entry."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import repository
from api.audit.models import AuditEntry
from api.request_id import current_request_id


def _plain(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple | set | frozenset):
        return sorted((_plain(v) for v in value), key=str)
    return str(value)


def changed_fields(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None
) -> dict[str, dict[str, Any]]:
    """{field: {"before": x, "after": y}} for the fields whose value differs."""
    before, after = before or {}, after or {}
    diff: dict[str, dict[str, Any]] = {}
    for name in sorted(set(before) | set(after)):
        old, new = _plain(before.get(name)), _plain(after.get(name))
        if old != new:
            diff[name] = {"before": old, "after": new}
    return diff


def record(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    entity_type: str,
    entity_id: object | None,
    before: Mapping[str, Any] | None = None,
    after: Mapping[str, Any] | None = None,
) -> None:
    """Add the entry to the caller's transaction: it commits or rolls back with the write."""
    repository.add(
        session,
        AuditEntry(
            actor_id=actor_id,
            action=action,
            entity_type=entity_type,
            entity_id=None if entity_id is None else str(entity_id),
            changes=changed_fields(before, after),
            request_id=current_request_id(),
        ),
    )


@dataclass(frozen=True)
class Change:
    """One write of a batch, for `record_changes`."""

    action: str
    entity_id: object
    before: Mapping[str, Any] | None = None
    after: Mapping[str, Any] | None = None


async def record_changes(
    session: AsyncSession,
    *,
    actor_id: uuid.UUID | None,
    entity_type: str,
    changes: Iterable[Change],
) -> None:
    """One entry per change of a batch, all written in one statement in the caller's
    transaction (a batch of hundreds would otherwise go through the unit of work one object
    at a time)."""
    await repository.add_many(
        session,
        actor_id=actor_id,
        entity_type=entity_type,
        request_id=current_request_id(),
        entries=[(c.action, str(c.entity_id), changed_fields(c.before, c.after)) for c in changes],
    )


def new_records_parameters(
    *, actor_id: uuid.UUID | None, action: str, entity_type: str
) -> dict[str, Any]:
    """The parameters of `repository.new_records_sql` for this request."""
    return {
        "audit_actor_id": actor_id,
        "audit_action": action,
        "audit_entity_type": entity_type,
        "audit_request_id": current_request_id(),
    }
