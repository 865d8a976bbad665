"""Status changes that carry only a reason: eligibility, review, activation, completion,
withdrawal. (Submission, decisions and acceptance have their own services.)"""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Principal
from api.errors import Forbidden
from api.grants import access, lifecycle
from api.grants.applications import ApplicationView, Viewer
from api.grants.errors import RuleBroken
from api.grants.lifecycle import Actor, Status
from api.shared import clock


async def move_application(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    target: Status,
    reason: str | None,
) -> ApplicationView:
    user_id = principal.require_user()
    application, round_ = await access.load_application(session, application_id)
    staff = access.require_owner_or_staff(principal, application, round_, ("do this", "gwneud hyn"))
    if target in lifecycle.NEEDS_OWN_MUTATION:
        raise RuleBroken(
            "NEEDS_OWN_MUTATION",
            f"Use the {target.value.lower()} action for this change.",
            f"Defnyddiwch y weithred {target.value.lower()} ar gyfer y newid hwn.",
            field="status",
        )
    actor = lifecycle.actor_for(Status(application.status), target)
    if actor is Actor.STAFF and not staff:
        raise Forbidden(
            "Only the round's coordinators can make this change.",
            cy="Dim ond cydlynwyr y cylch sy'n gallu gwneud y newid hwn.",
        )
    reason = (reason or "").strip() or None
    if target in lifecycle.NEEDS_REASON and reason is None:
        raise RuleBroken(
            "REASON_REQUIRED",
            "Say why.",
            "Dywedwch pam.",
            field="reason",
        )
    if target is Status.INELIGIBLE:
        application.ineligible_reason = reason
    lifecycle.move(session, application, target, actor_id=user_id, at=clock.now(), reason=reason)
    await access.commit(session)
    return ApplicationView(application, Viewer.STAFF if staff else Viewer.OWNER, True)
