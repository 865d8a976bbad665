"""The application state machine: one table of allowed transitions, and the one function
that moves an application and stores who, when and why."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.grants import repository
from api.grants.errors import RuleBroken
from api.grants.models import GrantApplication, GrantTransition


class Status(Enum):
    DRAFT = "DRAFT"
    SUBMITTED = "SUBMITTED"
    ELIGIBILITY_CHECKED = "ELIGIBILITY_CHECKED"
    INELIGIBLE = "INELIGIBLE"
    IN_REVIEW = "IN_REVIEW"
    AWARDED = "AWARDED"
    DECLINED = "DECLINED"
    ACCEPTED = "ACCEPTED"
    ACTIVE = "ACTIVE"
    COMPLETED = "COMPLETED"
    WITHDRAWN = "WITHDRAWN"


class Actor(Enum):
    """Who may make a transition: staff of the round, or also the application's owner."""

    STAFF = "STAFF"
    OWNER_OR_STAFF = "OWNER_OR_STAFF"


S = Status
BEFORE_DECISION = (S.DRAFT, S.SUBMITTED, S.ELIGIBILITY_CHECKED, S.IN_REVIEW)

TRANSITIONS: dict[tuple[Status, Status], Actor] = {
    (S.DRAFT, S.SUBMITTED): Actor.OWNER_OR_STAFF,
    (S.SUBMITTED, S.ELIGIBILITY_CHECKED): Actor.STAFF,
    (S.SUBMITTED, S.INELIGIBLE): Actor.STAFF,
    (S.ELIGIBILITY_CHECKED, S.IN_REVIEW): Actor.STAFF,
    (S.IN_REVIEW, S.AWARDED): Actor.STAFF,
    (S.IN_REVIEW, S.DECLINED): Actor.STAFF,
    (S.AWARDED, S.ACCEPTED): Actor.OWNER_OR_STAFF,
    (S.ACCEPTED, S.ACTIVE): Actor.STAFF,
    (S.ACTIVE, S.COMPLETED): Actor.STAFF,
    **{(state, S.WITHDRAWN): Actor.OWNER_OR_STAFF for state in BEFORE_DECISION},
}

# Transitions that carry more than a reason go through their own mutation.
NEEDS_OWN_MUTATION = {S.SUBMITTED, S.AWARDED, S.DECLINED, S.ACCEPTED}
# A reason is required where the applicant must be told why.
NEEDS_REASON = {S.INELIGIBLE, S.WITHDRAWN}


def actor_for(current: Status, target: Status) -> Actor:
    """Who may move from `current` to `target`; an illegal move is refused here."""
    actor = TRANSITIONS.get((current, target))
    if actor is None:
        raise RuleBroken(
            "ILLEGAL_TRANSITION",
            f"An application that is {current.value} cannot become {target.value}.",
            f"Ni all cais sy'n {current.value} ddod yn {target.value}.",
            field="status",
        )
    return actor


def move(
    session: AsyncSession,
    application: GrantApplication,
    target: Status,
    *,
    actor_id: uuid.UUID,
    at: datetime,
    reason: str | None = None,
    details: Mapping[str, Any] | None = None,
) -> None:
    """Change the status (the caller has checked the actor) and store the transition;
    `details` (e.g. an award's amount) go into the audit entry beside it."""
    current = Status(application.status)
    actor_for(current, target)
    application.status = target.value
    repository.add(
        session,
        GrantTransition(
            application_id=application.id,
            from_status=current.value,
            to_status=target.value,
            actor_id=actor_id,
            reason=reason,
            at=at,
        ),
    )
    audit.record(
        session,
        actor_id=actor_id,
        action=f"grants.application.{target.value.lower()}",
        entity_type="grant_application",
        entity_id=application.id,
        before={"status": current.value},
        after={"status": target.value, "reason": reason, **(details or {})},
    )
