"""`decideApplication`: award or decline, with quorum, within the round's budget."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value

from api.auth.principal import Principal
from api.grants import access, lifecycle, panel, repository
from api.grants.applications import ApplicationView, Viewer
from api.grants.errors import RuleBroken
from api.grants.lifecycle import Status
from api.shared import clock


@dataclass(frozen=True)
class Decision:
    outcome: Status  # AWARDED or DECLINED
    rationale: str
    amount_pence: int | None = None  # AWARDED: defaults to the amount requested
    feedback: str | None = None  # DECLINED: what the applicant is told


def _refuse(code: str, en: str, cy: str, field: str) -> RuleBroken:
    return RuleBroken(code, en, cy, field=field)


async def decide_application(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, decision: Decision
) -> ApplicationView:
    application, round_ = await access.load_application(session, application_id)
    user_id = access.require_staff(principal, round_)
    if decision.outcome not in (Status.AWARDED, Status.DECLINED):
        raise _refuse(
            "ILLEGAL_TRANSITION",
            "A decision is AWARDED or DECLINED.",
            "Mae penderfyniad naill ai'n AWARDED neu'n DECLINED.",
            "outcome",
        )
    lifecycle.actor_for(Status(application.status), decision.outcome)
    if not decision.rationale.strip():
        raise _refuse(
            "RATIONALE_REQUIRED", "Give the rationale.", "Rhowch y rhesymeg.", "rationale"
        )
    reviews, recused = await panel.quorum_of(session, application)
    if reviews < round_.quorum:
        raise _refuse(
            "NO_QUORUM",
            f"The panel has {reviews} of the {round_.quorum} reviews needed to decide.",
            f"Mae gan y panel {reviews} o'r {round_.quorum} adolygiad sydd eu hangen i benderfynu.",
            "applicationId",
        )
    if decision.outcome is Status.AWARDED:
        requested = application.amount_requested_pence
        amount = requested if decision.amount_pence is None else decision.amount_pence
        if amount <= 0:
            raise _refuse(
                "AMOUNT_NOT_POSITIVE",
                "An award is more than zero: decline the application instead.",
                "Mae grant yn fwy na sero: gwrthodwch y cais yn lle hynny.",
                "amountPence",
            )
        if amount > requested:
            raise _refuse(
                "AMOUNT_ABOVE_REQUEST",
                "An award is no more than the amount requested.",
                "Nid yw grant yn fwy na'r swm a ofynnwyd.",
                "amountPence",
            )
        total = await repository.add_to_awarded(session, round_.id, amount)
        if total is None:
            raise _refuse(
                "OVER_BUDGET",
                "This award would take the round over its budget.",
                "Byddai'r grant hwn yn mynd â'r cylch dros ei gyllideb.",
                "amountPence",
            )
        set_committed_value(round_, "awarded_pence", total)
        application.amount_awarded_pence = amount
    else:
        if not (decision.feedback or "").strip():
            raise _refuse(
                "FEEDBACK_REQUIRED",
                "Give feedback for the applicant.",
                "Rhowch adborth i'r ymgeisydd.",
                "feedback",
            )
        application.feedback = decision.feedback
    at = clock.now()
    application.decided_at = at
    application.decided_by = user_id
    application.decision_rationale = decision.rationale
    application.recused_ids = sorted(recused)
    lifecycle.move(
        session,
        application,
        decision.outcome,
        actor_id=user_id,
        at=at,
        reason=decision.rationale,
        details={
            "amount_awarded_pence": application.amount_awarded_pence,
            "recused": application.recused_ids,
        },
    )
    # Someone deciding the same application at the same moment makes this a CONFLICT.
    await access.commit(session)
    return ApplicationView(application, Viewer.STAFF, True)
