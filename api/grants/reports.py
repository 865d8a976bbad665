"""Progress and final reports on funded projects, and staff approving or sending them back.
Wellbeing measures arrive as aggregates (respondents and means): never per-person scores."""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from enum import Enum

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal
from api.errors import InvalidInput
from api.grants import access, payments, repository
from api.grants.defaults import Condition
from api.grants.errors import RuleBroken
from api.grants.lifecycle import Status
from api.grants.models import GrantReport
from api.shared import clock

# Short WEMWBS: 7 items scored 1-5, so a person's total lies between 7 and 35.
WEMWBS_MIN, WEMWBS_MAX = 7, 35


class ReportKind(Enum):
    PROGRESS = "PROGRESS"
    FINAL = "FINAL"


class ReportStatus(Enum):
    SUBMITTED = "SUBMITTED"
    APPROVED = "APPROVED"
    SENT_BACK = "SENT_BACK"


# Approving a report meets the condition of these tranches.
MEETS = {ReportKind.PROGRESS: Condition.PROGRESS_REPORT, ReportKind.FINAL: Condition.FINAL_REPORT}


@dataclass(frozen=True)
class NewReport:
    kind: ReportKind
    text: str
    participants: int
    volunteers: int
    sessions: int
    # (respondents, mean before, mean after), or None
    wellbeing: tuple[int, float, float] | None = None


def _check(new: NewReport) -> list[RuleBroken]:
    problems = []
    if not new.text.strip():
        problems.append(
            RuleBroken(
                "REQUIRED",
                "Say how the project is going.",
                "Dywedwch sut mae'r prosiect yn mynd.",
                field="text",
            )
        )
    for name, value in (
        ("participants", new.participants),
        ("volunteers", new.volunteers),
        ("sessions", new.sessions),
    ):
        if value < 0:
            problems.append(
                RuleBroken(
                    "NEGATIVE_COUNT",
                    "Counts cannot be negative.",
                    "Ni all cyfrif fod yn negyddol.",
                    field=name,
                )
            )
    if new.wellbeing is not None:
        respondents, before, after = new.wellbeing
        if respondents < 1 or not all(
            math.isfinite(m) and WEMWBS_MIN <= m <= WEMWBS_MAX for m in (before, after)
        ):
            problems.append(
                RuleBroken(
                    "WEMWBS_OUT_OF_RANGE",
                    f"Give 1+ respondents and mean totals from {WEMWBS_MIN} to {WEMWBS_MAX}.",
                    f"Rhowch 1 ymatebydd o leiaf, a chyfartaleddau o {WEMWBS_MIN} i {WEMWBS_MAX}.",
                    field="wellbeing",
                )
            )
    return problems


async def submit_report(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID, new: NewReport
) -> GrantReport:
    user_id = principal.require_user()
    application, round_ = await access.load_application(session, application_id)
    access.require_owner_or_staff(principal, application, round_, ("report", "adrodd"))
    if application.status != Status.ACTIVE.value:
        raise RuleBroken(
            "PROJECT_NOT_ACTIVE",
            "Reports are for ACTIVE projects.",
            "Mae adroddiadau ar gyfer prosiectau ACTIVE.",
            field="applicationId",
        )
    problems = _check(new)
    if problems:
        raise InvalidInput(problems)
    respondents, before, after = new.wellbeing or (None, None, None)
    report = GrantReport(
        id=uuid.uuid4(),
        application_id=application_id,
        kind=new.kind.value,
        status=ReportStatus.SUBMITTED.value,
        text=new.text.strip(),
        participants=new.participants,
        volunteers=new.volunteers,
        sessions=new.sessions,
        wemwbs_respondents=respondents,
        wemwbs_mean_before=before,
        wemwbs_mean_after=after,
        submitted_by=user_id,
        created_at=clock.now(),
    )
    repository.add(session, report)
    audit.record(
        session,
        actor_id=user_id,
        action="grants.report.submit",
        entity_type="grant_report",
        entity_id=report.id,
        after={"kind": report.kind, "participants": report.participants},
    )
    await session.commit()
    return report


async def review_report(
    session: AsyncSession,
    principal: Principal,
    report_id: uuid.UUID,
    approve: bool,
    note: str | None,
) -> GrantReport:
    report, _, round_ = await access.load_report(session, report_id)
    user_id = access.require_staff(principal, round_)
    if report.status != ReportStatus.SUBMITTED.value:
        raise RuleBroken(
            "REPORT_NOT_PENDING",
            "This report has already been reviewed.",
            "Mae'r adroddiad hwn eisoes wedi'i adolygu.",
            field="reportId",
        )
    note = (note or "").strip() or None
    if not approve and note is None:
        raise RuleBroken(
            "REASON_REQUIRED",
            "Say what needs changing.",
            "Dywedwch beth sydd angen ei newid.",
            field="note",
        )
    report.status = (ReportStatus.APPROVED if approve else ReportStatus.SENT_BACK).value
    report.review_note = note
    report.reviewed_by = user_id
    if approve:
        await payments.make_due(session, report.application_id, MEETS[ReportKind(report.kind)])
    audit.record(
        session,
        actor_id=user_id,
        action="grants.report.approve" if approve else "grants.report.send_back",
        entity_type="grant_report",
        entity_id=report.id,
        before={"status": ReportStatus.SUBMITTED.value},
        after={"status": report.status, "note": note},
    )
    await session.commit()
    return report
