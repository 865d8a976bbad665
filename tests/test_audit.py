"""The audit helper: who, what, when, which fields changed, and the request it came from."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from api.audit import service as audit
from api.audit.models import AuditEntry
from api.db import RequestSession
from api.request_id import _current


def test_only_changed_fields_are_kept() -> None:
    diff = audit.changed_fields(
        {"name": "Old", "roles": ["LEADER"], "active": True},
        {"name": "New", "roles": ["LEADER"], "active": True, "email": "a@b.cymru"},
    )
    assert diff == {
        "name": {"before": "Old", "after": "New"},
        "email": {"before": None, "after": "a@b.cymru"},
    }


async def test_an_entry_records_actor_change_and_request(session: RequestSession) -> None:
    actor, thing = uuid.uuid4(), uuid.uuid4()
    token = _current.set("req-123")
    try:
        audit.record(
            session,
            actor_id=actor,
            action="thing.renamed",
            entity_type="thing",
            entity_id=thing,
            before={"name": "a"},
            after={"name": "b"},
        )
        await session.flush()
    finally:
        _current.reset(token)
    entry = await session.scalar(select(AuditEntry).where(AuditEntry.entity_id == str(thing)))
    assert entry is not None
    assert (entry.actor_id, entry.action, entry.request_id) == (actor, "thing.renamed", "req-123")
    assert entry.changes == {"name": {"before": "a", "after": "b"}}
    assert entry.at is not None
