"""Applications: writing them (applicants, or staff for people without a smartphone),
submitting them while the round is open, and who may read them."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal, Role
from api.errors import Conflict, DomainError, Forbidden, InvalidInput
from api.grants import access, lifecycle, repository
from api.grants.errors import RuleBroken, too_long
from api.grants.lifecycle import Status
from api.grants.models import GrantApplication, GrantRound
from api.places import service as places
from api.shared import clock
from api.shared.limits import check_caps, members
from api.shared.pagination import Page, PageRequest
from api.shared.versioning import check_version


class GroupType(Enum):
    UNCONSTITUTED = "UNCONSTITUTED"
    CHARITY = "CHARITY"
    CIC = "CIC"
    OTHER = "OTHER"


class FiveWays(Enum):
    CONNECT = "CONNECT"
    BE_ACTIVE = "BE_ACTIVE"
    TAKE_NOTICE = "TAKE_NOTICE"
    KEEP_LEARNING = "KEEP_LEARNING"
    GIVE = "GIVE"


class Viewer(Enum):
    STAFF = "STAFF"
    PANEL = "PANEL"
    OWNER = "OWNER"


@dataclass(frozen=True)
class Draft:
    """What an applicant writes; the same shape creates and replaces a draft."""

    group_name: str
    group_type: GroupType
    contact: str
    tier: str
    amount_requested_pence: int
    community_id: uuid.UUID | None = None
    # Instead of community_id: the community covering this point.
    point: tuple[float, float] | None = None
    title_en: str | None = None
    title_cy: str | None = None
    description_en: str | None = None
    description_cy: str | None = None
    budget_lines: Sequence[tuple[str, int]] = ()
    starts_on: date | None = None
    ends_on: date | None = None
    involves: str | None = None
    five_ways: Sequence[FiveWays] = ()


DECISIONS = {Status.AWARDED.value, Status.DECLINED.value}


@dataclass(frozen=True)
class ApplicationView:
    """An application as one viewer may see it."""

    application: GrantApplication
    viewer: Viewer
    # False for a panel member who has not yet declared a conflict (or none) on it.
    detail_visible: bool

    @property
    def sees_panel_reasoning(self) -> bool:
        """Applicants see a decision's feedback, never the panel's rationale, who was
        recused, or the reasons written on the decision in the status history."""
        return self.viewer is not Viewer.OWNER

    def transition_reason(self, to_status: str, reason: str | None) -> str | None:
        if to_status in DECISIONS and not self.sees_panel_reasoning:
            return None
        return reason


def _bad(code: str, en: str, cy: str, field: str) -> RuleBroken:
    return RuleBroken(code, en, cy, field=field)


async def _community(
    session: AsyncSession, round_: GrantRound, draft: Draft
) -> tuple[uuid.UUID, str]:
    """The community (and its county code) the project serves, chosen or found from a point."""
    found = None
    if draft.point is not None:
        county, community, _ = await places.place_at(session, *draft.point)
        found = (community, county.code) if community is not None and county else None
    elif draft.community_id is not None:
        found = await places.community_with_county(session, draft.community_id)
    if found is None:
        raise _bad(
            "COMMUNITY_NOT_FOUND",
            "Choose a community, or give a point inside one.",
            "Dewiswch gymuned, neu rhowch bwynt o'i mewn.",
            "communityId",
        )
    community, county_code = found
    if county_code not in round_.county_codes:
        raise _bad(
            "COMMUNITY_OUTSIDE_ROUND",
            "This community is outside the counties of the round.",
            "Mae'r gymuned hon y tu allan i siroedd y cylch.",
            "communityId",
        )
    return community.id, county_code


# A micro-grant's budget fits on a page.
BUDGET_LINES_MAX = 50


def _check_lists(draft: Draft) -> None:
    check_caps(
        (draft.budget_lines, BUDGET_LINES_MAX, "budgetLines"),
        (draft.five_ways, members(FiveWays), "fiveWays"),
    )


def _check(round_: GrantRound, draft: Draft) -> list[DomainError]:
    problems: list[DomainError] = []
    if not draft.group_name.strip():
        problems.append(
            _bad("REQUIRED", "Give the group's name.", "Rhowch enw'r grŵp.", "groupName")
        )
    if not draft.contact.strip():
        problems.append(_bad("REQUIRED", "Give a contact.", "Rhowch gyswllt.", "contact"))
    problems += too_long(
        {
            "groupName": (draft.group_name, 200),
            "contact": (draft.contact, 500),
            "titleEn": (draft.title_en, 200),
            "titleCy": (draft.title_cy, 200),
        }
    )
    band = next((t for t in round_.tiers if t["tier"] == draft.tier), None)
    if band is None:
        problems.append(
            _bad(
                "UNKNOWN_TIER",
                "Choose one of the round's tiers.",
                "Dewiswch un o haenau'r cylch.",
                "tier",
            )
        )
    elif not band["minPence"] <= draft.amount_requested_pence <= band["maxPence"]:
        problems.append(
            _bad(
                "AMOUNT_OUTSIDE_TIER",
                f"{draft.tier} awards are from {band['minPence']}p to {band['maxPence']}p.",
                f"Mae grantiau {draft.tier} rhwng {band['minPence']}c a {band['maxPence']}c.",
                "amountRequestedPence",
            )
        )
    lines = draft.budget_lines
    if any(amount <= 0 or not item.strip() for item, amount in lines) or (
        lines and sum(a for _, a in lines) != draft.amount_requested_pence
    ):
        problems.append(
            _bad(
                "BUDGET_NOT_SUMMING",
                "Each budget line needs an item and a positive amount; together they make"
                " the amount requested.",
                "Mae angen eitem a swm positif ar bob llinell; gyda'i gilydd maent yn gwneud y"
                " swm a ofynnwyd.",
                "budgetLines",
            )
        )
    if draft.starts_on and draft.ends_on and draft.ends_on < draft.starts_on:
        problems.append(
            _bad(
                "DATES_OUT_OF_ORDER",
                "The project must end after it starts.",
                "Rhaid i'r prosiect orffen ar ôl iddo ddechrau.",
                "endsOn",
            )
        )
    return problems


def _incomplete(application: GrantApplication) -> list[DomainError]:
    """What a draft still lacks before it can be submitted."""
    missing = {
        "titleEn": not (application.title_en or application.title_cy),
        "descriptionEn": not (application.description_en or application.description_cy),
        "budgetLines": not application.budget_lines,
        "startsOn": application.starts_on is None,
        "endsOn": application.ends_on is None,
        "involves": not application.involves,
        "fiveWays": not application.five_ways,
    }
    return [
        _bad(
            "APPLICATION_INCOMPLETE",
            "This is needed before the application can be submitted.",
            "Mae angen hwn cyn y gellir cyflwyno'r cais.",
            name,
        )
        for name, lacking in missing.items()
        if lacking
    ]


def _fields(draft: Draft, community_id: uuid.UUID, county: str) -> dict[str, Any]:
    """The stored columns a draft sets."""
    return {
        "group_name": draft.group_name.strip(),
        "group_type": draft.group_type.value,
        "contact": draft.contact.strip(),
        "title_en": draft.title_en,
        "title_cy": draft.title_cy,
        "description_en": draft.description_en,
        "description_cy": draft.description_cy,
        "community_id": community_id,
        "county_code": county,
        "tier": draft.tier,
        "amount_requested_pence": draft.amount_requested_pence,
        "budget_lines": [{"item": i.strip(), "amountPence": a} for i, a in draft.budget_lines],
        "starts_on": draft.starts_on,
        "ends_on": draft.ends_on,
        "involves": draft.involves,
        "five_ways": [w.value for w in draft.five_ways],
    }


def _fill(application: GrantApplication, fields: dict[str, Any]) -> None:
    for name, value in fields.items():
        setattr(application, name, value)


def _same(application: GrantApplication, fields: dict[str, Any]) -> bool:
    return all(getattr(application, name) == value for name, value in fields.items())


async def _checked_place(
    session: AsyncSession, round_: GrantRound, draft: Draft
) -> tuple[uuid.UUID, str]:
    problems = _check(round_, draft)
    try:
        place = await _community(session, round_, draft)
    except RuleBroken as error:
        problems.append(error)
    if problems:
        raise InvalidInput(problems)
    return place


def _snapshot(application: GrantApplication) -> dict[str, object]:
    return {
        "status": application.status,
        "tier": application.tier,
        "amount": application.amount_requested_pence,
        "community": application.community_id,
        "title_en": application.title_en,
    }


async def create_application(
    session: AsyncSession,
    principal: Principal,
    round_id: uuid.UUID,
    draft: Draft,
    client_id: uuid.UUID | None = None,
) -> ApplicationView:
    """A new draft. A phone that wrote it offline sends its own id: sending the same id and
    content again returns the stored draft; the same id with other content is a CONFLICT."""
    user_id = principal.require_user()
    _check_lists(draft)
    round_ = await access.load_round(session, round_id)
    staff = access.is_staff(principal, round_)
    if not staff and not principal.has(Role.APPLICANT):
        raise Forbidden(
            "Only applicants, or the round's coordinators, can write an application.",
            cy="Dim ond ymgeiswyr, neu gydlynwyr y cylch, sy'n gallu ysgrifennu cais.",
        )
    community_id, county = await _checked_place(session, round_, draft)
    if not staff and not principal.has(Role.APPLICANT, county):
        raise Forbidden(
            "Your APPLICANT role does not cover this community's county.",
            cy="Nid yw eich rôl APPLICANT yn cynnwys sir y gymuned hon.",
        )
    fields = _fields(draft, community_id, county)
    viewer = Viewer.STAFF if staff else Viewer.OWNER
    if client_id is not None:
        stored = await repository.application_by_id(session, client_id)
        if stored is not None:
            if (
                stored.entered_by == user_id
                and stored.round_id == round_id
                and _same(stored, fields)
            ):
                return ApplicationView(stored, viewer, True)
            raise Conflict(
                "An application with this id already exists with other content.",
                field="id",
                cy="Mae cais â'r id hwn yn bod eisoes, gyda chynnwys gwahanol.",
            )
    application = GrantApplication(
        id=client_id or uuid.uuid4(),
        round_id=round_.id,
        # Staff entering an application for someone without an account own it themselves.
        applicant_id=None if staff else user_id,
        entered_by=user_id,
        status=Status.DRAFT.value,
        recused_ids=[],
    )
    _fill(application, fields)
    repository.add(session, application)
    audit.record(
        session,
        actor_id=user_id,
        action="grants.application.create",
        entity_type="grant_application",
        entity_id=application.id,
        after=_snapshot(application),
    )
    await session.commit()
    return ApplicationView(application, viewer, True)


def _require_editor(
    principal: Principal, application: GrantApplication, round_: GrantRound
) -> Viewer:
    staff = access.require_owner_or_staff(
        principal, application, round_, ("change this application", "newid y cais hwn")
    )
    return Viewer.STAFF if staff else Viewer.OWNER


async def update_application(
    session: AsyncSession,
    principal: Principal,
    application_id: uuid.UUID,
    draft: Draft,
    version: int | None,
) -> ApplicationView:
    user_id = principal.require_user()
    _check_lists(draft)
    application, round_ = await access.load_application(session, application_id)
    viewer = _require_editor(principal, application, round_)
    if application.status != Status.DRAFT.value:
        raise RuleBroken(
            "NOT_EDITABLE",
            "Only a draft application can be changed.",
            "Dim ond cais drafft y gellir ei newid.",
            field="id",
        )
    check_version(application.version, version)
    community_id, county = await _checked_place(session, round_, draft)
    before = _snapshot(application)
    _fill(application, _fields(draft, community_id, county))
    audit.record(
        session,
        actor_id=user_id,
        action="grants.application.update",
        entity_type="grant_application",
        entity_id=application.id,
        before=before,
        after=_snapshot(application),
    )
    await access.commit(session)
    return ApplicationView(application, viewer, True)


async def submit_application(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> ApplicationView:
    user_id = principal.require_user()
    application, round_ = await access.load_application(session, application_id)
    viewer = _require_editor(principal, application, round_)
    lifecycle.actor_for(Status(application.status), Status.SUBMITTED)
    at = clock.now()
    if at < round_.opens_at:
        raise RuleBroken(
            "ROUND_NOT_OPEN",
            "The round has not opened for applications yet.",
            "Nid yw'r cylch wedi agor i geisiadau eto.",
            field="roundId",
        )
    if at >= round_.closes_at:
        raise RuleBroken(
            "ROUND_CLOSED",
            "The round has closed for applications.",
            "Mae'r cylch wedi cau i geisiadau.",
            field="roundId",
        )
    problems = _incomplete(application)
    if problems:
        raise InvalidInput(problems)
    application.submitted_at = at
    lifecycle.move(session, application, Status.SUBMITTED, actor_id=user_id, at=at)
    await access.commit(session)
    return ApplicationView(application, viewer, True)


async def _panel_view(
    session: AsyncSession, principal: Principal, application: GrantApplication
) -> ApplicationView:
    assert principal.user_id is not None
    declared = await repository.declaration(session, application.id, principal.user_id)
    return ApplicationView(application, Viewer.PANEL, declared is not None)


async def _may_see_as_panel(
    session: AsyncSession, principal: Principal, application: GrantApplication
) -> bool:
    return (
        principal.user_id is not None
        and application.status != Status.DRAFT.value
        and await repository.is_panel_member(session, application.round_id, principal.user_id)
    )


async def get_application(
    session: AsyncSession, principal: Principal, application_id: uuid.UUID
) -> ApplicationView:
    principal.require_user()
    application, round_ = await access.load_application(session, application_id)
    if access.is_staff(principal, round_):
        return ApplicationView(application, Viewer.STAFF, True)
    if access.is_owner(principal, application):
        return ApplicationView(application, Viewer.OWNER, True)
    if await _may_see_as_panel(session, principal, application):
        return await _panel_view(session, principal, application)
    raise Forbidden("You cannot see this application.", cy="Ni allwch weld y cais hwn.")


async def list_applications(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID, page: PageRequest
) -> Page[ApplicationView]:
    """Staff see every application, panel members the submitted ones, applicants their own."""
    user_id = principal.require_user()
    round_ = await access.load_round(session, round_id)
    if access.is_staff(principal, round_):
        rows = await repository.application_page(session, page, round_id)
        return Page([ApplicationView(a, Viewer.STAFF, True) for a in rows.rows], rows.has_next)
    if await repository.is_panel_member(session, round_id, user_id):
        rows = await repository.application_page(
            session, page, round_id, exclude_status=Status.DRAFT.value
        )
        declared = await repository.declared_by(session, user_id, [a.id for a in rows.rows])
        return Page(
            [ApplicationView(a, Viewer.PANEL, a.id in declared) for a in rows.rows], rows.has_next
        )
    rows = await repository.application_page(session, page, round_id, applicant_id=user_id)
    return Page([ApplicationView(a, Viewer.OWNER, True) for a in rows.rows], rows.has_next)
