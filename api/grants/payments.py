"""Money after a decision: accepting an award makes its tranches; a tranche becomes DUE
when its condition is met and PAID when staff record the payment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.errors import InvalidInput
from api.grants import access, lifecycle, repository
from api.grants.applications import ApplicationView, Viewer
from api.grants.defaults import Condition
from api.grants.errors import RuleBroken, too_long
from api.grants.lifecycle import Status
from api.grants.models import GrantApplication, GrantRound, Tranche
from api.shared import clock

ACCEPTED_STATES = {Status.ACCEPTED.value, Status.ACTIVE.value, Status.COMPLETED.value}


class TrancheStatus(Enum):
    PENDING = "PENDING"
    DUE = "DUE"
    PAID = "PAID"


@dataclass(frozen=True)
class Payment:
    seq: int
    paid_on: date
    reference: str


def tranches_for(round_: GrantRound, application: GrantApplication) -> list[Tranche]:
    """The round's schedule for the tier, in pence; the last tranche takes the rounding."""
    awarded = application.amount_awarded_pence or 0
    parts = round_.payment_schedule[application.tier]
    tranches, given = [], 0
    for seq, part in enumerate(parts, start=1):
        amount = awarded - given if seq == len(parts) else awarded * part["percent"] // 100
        given += amount
        due = part["condition"] == Condition.ON_ACCEPTANCE.value
        tranches.append(
            Tranche(
                id=uuid.uuid4(),
                application_id=application.id,
                seq=seq,
                percent=part["percent"],
                amount_pence=amount,
                condition=part["condition"],
                status=(TrancheStatus.DUE if due else TrancheStatus.PENDING).value,
            )
        )
    return tranches


async def accept_award(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> ApplicationView:
    """The applicant (or staff for them) accepts the terms; the tranches are made."""
    user_id = principal.require_user()
    application, round_ = await access.load_application(session, application_id)
    staff = access.require_owner_or_staff(
        principal, application, round_, ("accept an award", "derbyn dyfarniad")
    )
    lifecycle.actor_for(Status(application.status), Status.ACCEPTED)
    for tranche in tranches_for(round_, application):
        repository.add(session, tranche)
    lifecycle.move(session, application, Status.ACCEPTED, actor_id=user_id, at=clock.now())
    await access.commit(session)
    return ApplicationView(application, Viewer.STAFF if staff else Viewer.OWNER, True)


async def make_due(session: AsyncSession, application_id: uuid.UUID, condition: Condition) -> None:
    """A condition was met (a report approved): its pending tranches fall due."""
    for tranche in await repository.tranches_of(session, [application_id]):
        if tranche.condition == condition.value and tranche.status == TrancheStatus.PENDING.value:
            tranche.status = TrancheStatus.DUE.value


async def record_payment(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, payment: Payment
) -> Tranche:
    application, round_ = await access.load_application(session, application_id)
    user_id = access.require_staff(principal, round_)
    if application.status not in ACCEPTED_STATES:
        raise RuleBroken(
            "AWARD_NOT_ACCEPTED",
            "Payments are made only on accepted awards.",
            "Dim ond ar grantiau a dderbyniwyd y gwneir taliadau.",
            field="applicationId",
        )
    tranche = next(
        (
            t
            for t in await repository.tranches_of(session, [application_id])
            if t.seq == payment.seq
        ),
        None,
    )
    if tranche is None:
        raise RuleBroken(
            "NO_SUCH_TRANCHE",
            "There is no such tranche.",
            "Nid oes rhandaliad o'r fath.",
            field="seq",
        )
    if tranche.status != TrancheStatus.DUE.value:
        raise RuleBroken(
            "TRANCHE_NOT_DUE",
            f"This tranche is {tranche.status}, not DUE.",
            f"Mae'r rhandaliad hwn yn {tranche.status}, nid DUE.",
            field="seq",
        )
    if not payment.reference.strip():
        raise RuleBroken(
            "REQUIRED",
            "Give the payment reference.",
            "Rhowch gyfeirnod y taliad.",
            field="reference",
        )
    problems = too_long({"reference": (payment.reference.strip(), 100)})
    if problems:
        raise InvalidInput(problems)
    tranche.status = TrancheStatus.PAID.value
    tranche.paid_on = payment.paid_on
    tranche.reference = payment.reference.strip()
    tranche.recorded_by = user_id
    audit.record(
        session,
        actor_id=user_id,
        action="grants.tranche.paid",
        entity_type="grant_tranche",
        entity_id=tranche.id,
        before={"status": TrancheStatus.DUE.value},
        after={
            "status": tranche.status,
            "paid_on": payment.paid_on,
            "reference": tranche.reference,
        },
    )
    await session.commit()
    return tranche
