"""Who may do what with a round or an application, and loading them (or NOT_FOUND)."""

from __future__ import annotations

import uuid

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.exc import StaleDataError

from api.auth.principal import Principal, Role
from api.errors import Conflict, Forbidden, NotFound
from api.grants import repository
from api.grants.models import GrantApplication, GrantReport, GrantRound

STAFF_ROLES = (Role.ADMIN, Role.COORDINATOR)


def is_staff(principal: Principal, round_: GrantRound) -> bool:
    """COORDINATORs (and ADMINs) manage rounds over counties they hold the role in."""
    counties = frozenset(round_.county_codes)
    return principal.covers_any(STAFF_ROLES, counties)


def require_staff(principal: Principal, round_: GrantRound) -> uuid.UUID:
    user_id = principal.require_user()
    if not is_staff(principal, round_):
        raise Forbidden(
            "Only the round's coordinators can do this.",
            cy="Dim ond cydlynwyr y cylch sy'n gallu gwneud hyn.",
        )
    return user_id


def is_owner(principal: Principal, application: GrantApplication) -> bool:
    return principal.user_id is not None and application.applicant_id == principal.user_id


def require_owner_or_staff(
    principal: Principal, application: GrantApplication, round_: GrantRound, doing: tuple[str, str]
) -> bool:
    """The applicant, or the round's coordinators acting for them (people without a
    smartphone apply through staff). True for staff. `doing` ends "… can ___" (en, cy)."""
    if is_staff(principal, round_):
        return True
    if is_owner(principal, application):
        return False
    en, cy = doing
    raise Forbidden(
        f"Only the applicant or the round's coordinators can {en}.",
        cy=f"Dim ond yr ymgeisydd neu gydlynwyr y cylch sy'n gallu {cy}.",
    )


async def load_round(session: AsyncSession, round_id: uuid.UUID) -> GrantRound:
    found = await repository.round_by_id(session, round_id)
    if found is None:
        raise NotFound(
            "There is no grant round with this id.", cy="Nid oes cylch grantiau â'r id hwn."
        )
    return found


async def load_application(
    session: AsyncSession, application_id: uuid.UUID
) -> tuple[GrantApplication, GrantRound]:
    found = await repository.application_by_id(session, application_id)
    if found is None:
        raise NotFound(
            "There is no grant application with this id.", cy="Nid oes cais am grant â'r id hwn."
        )
    return found, await load_round(session, found.round_id)


async def load_report(
    session: AsyncSession, report_id: uuid.UUID
) -> tuple[GrantReport, GrantApplication, GrantRound]:
    report = await repository.report_by_id(session, report_id)
    if report is None:
        raise NotFound("There is no report with this id.", cy="Nid oes adroddiad â'r id hwn.")
    return report, *await load_application(session, report.application_id)


async def commit(session: AsyncSession) -> None:
    """Commit a change to an application; if someone changed it at the same moment, theirs
    stands and this one is a CONFLICT (its version no longer matches)."""
    try:
        await session.commit()
    except StaleDataError:
        await session.rollback()
        raise Conflict(
            "This application was changed by someone else just now: reload it and try again.",
            cy="Mae rhywun arall newydd newid y cais hwn: ail-lwythwch ef a rhowch gynnig arall "
            "arni.",
        ) from None
