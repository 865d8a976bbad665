"""Grant rounds: setting one up, and assigning its panel."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from api.audit import service as audit
from api.auth.principal import Principal, Role
from api.errors import Forbidden, InvalidInput
from api.grants import access, defaults, repository
from api.grants.defaults import Condition, Tier
from api.grants.errors import RuleBroken, too_long
from api.grants.models import GrantRound, PanelMember
from api.people import service as people
from api.places import service as places
from api.shared.limits import COUNTY_CODES_MAX, check_caps, members
from api.shared.pagination import Page, PageRequest


@dataclass(frozen=True)
class NewRound:
    name_en: str
    county_codes: Sequence[str]
    opens_at: datetime
    closes_at: datetime
    budget_pence: int
    name_cy: str | None = None
    quorum: int = defaults.QUORUM
    # None: the defaults in api.grants.defaults.
    criteria: list[dict[str, Any]] | None = None
    tiers: list[dict[str, Any]] | None = None
    # (tier, its payments), one entry per tier.
    payment_schedule: Sequence[tuple[str, list[dict[str, Any]]]] | None = None


# A round scores on a handful of criteria, and pays a micro-grant in a few instalments.
CRITERIA_MAX = 20
SCHEDULE_PARTS_MAX = 10


def _bad(code: str, en: str, cy: str, field: str) -> RuleBroken:
    return RuleBroken(code, en, cy, field=field)


def _check_criteria(criteria: list[dict[str, Any]]) -> list[RuleBroken]:
    keys = [c["key"] for c in criteria]
    if not criteria or len(set(keys)) != len(keys) or not all(k.strip() for k in keys):
        return [
            _bad(
                "CRITERIA_INVALID",
                "Give at least one criterion, each with its own key.",
                "Rhowch o leiaf un maen prawf, pob un â'i allwedd ei hun.",
                "criteria",
            )
        ]
    if any(c["weight"] <= 0 or not 2 <= c["scaleMax"] <= 10 for c in criteria):
        return [
            _bad(
                "CRITERIA_INVALID",
                "Criterion weights must be above 0 and scales run from 1 to between 2 and 10.",
                "Rhaid i bwysau meini prawf fod yn uwch na 0 a graddfeydd rhwng 2 a 10.",
                "criteria",
            )
        ]
    return []


def _check_tiers(tiers: list[dict[str, Any]]) -> list[RuleBroken]:
    names = sorted(t["tier"] for t in tiers)
    if names != sorted(t.value for t in Tier) or any(
        not 1 <= t["minPence"] <= t["maxPence"] for t in tiers
    ):
        return [
            _bad(
                "TIERS_INVALID",
                "Give one band for each tier, each from at least 1p up to its maximum.",
                "Rhowch un band i bob haen, pob un o 1c o leiaf hyd at ei uchafswm.",
                "tiers",
            )
        ]
    return []


def _check_schedule(schedule: dict[str, list[dict[str, Any]]]) -> list[RuleBroken]:
    conditions = {c.value for c in Condition}
    good = sorted(schedule) == sorted(t.value for t in Tier) and all(
        sum(p["percent"] for p in parts) == 100
        and all(p["percent"] > 0 and p["condition"] in conditions for p in parts)
        for parts in schedule.values()
    )
    if good:
        return []
    return [
        _bad(
            "SCHEDULE_INVALID",
            "Each tier's payments must be positive percentages adding up to 100.",
            "Rhaid i daliadau pob haen fod yn ganrannau positif sy'n adio i 100.",
            "paymentSchedule",
        )
    ]


async def create_round(session: AsyncSession, principal: Principal, new: NewRound) -> GrantRound:
    user_id = principal.require_user()
    check_caps(
        (new.county_codes, COUNTY_CODES_MAX, "countyCodes"),
        (new.criteria, CRITERIA_MAX, "criteria"),
        (new.tiers, members(Tier), "tiers"),
        (new.payment_schedule, members(Tier), "paymentSchedule"),
    )
    check_caps(
        *(
            (parts, SCHEDULE_PARTS_MAX, f"paymentSchedule[{n}].parts")
            for n, (_, parts) in enumerate(new.payment_schedule or ())
        )
    )
    counties = frozenset(new.county_codes)
    if not principal.covers_any(access.STAFF_ROLES, counties):
        raise Forbidden(
            "Only a coordinator of every county of the round can set it up.",
            cy="Dim ond cydlynydd pob un o siroedd y cylch sy'n gallu ei sefydlu.",
        )
    criteria = new.criteria if new.criteria is not None else defaults.CRITERIA
    tiers = new.tiers if new.tiers is not None else defaults.TIERS
    schedule = (
        dict(new.payment_schedule)
        if new.payment_schedule is not None
        else defaults.PAYMENT_SCHEDULE
    )
    problems: list[RuleBroken] = []
    if not new.name_en.strip():
        problems.append(
            _bad("REQUIRED", "Give the round a name.", "Rhowch enw i'r cylch.", "nameEn")
        )
    problems += too_long({"nameEn": (new.name_en, 200), "nameCy": (new.name_cy, 200)})
    zoned = new.opens_at.tzinfo is not None and new.closes_at.tzinfo is not None
    if not zoned:
        problems.append(
            _bad(
                "TIMEZONE_REQUIRED",
                "Give times with their time zone, e.g. 2027-01-31T17:00:00Z.",
                "Rhowch amseroedd gyda'u cylchfa amser, e.e. 2027-01-31T17:00:00Z.",
                "opensAt" if new.opens_at.tzinfo is None else "closesAt",
            )
        )
    unknown = counties - await places.county_codes(session)
    if not counties or unknown:
        problems.append(
            _bad(
                "UNKNOWN_COUNTY",
                "Give one or more known county codes.",
                "Rhowch un neu ragor o godau sir hysbys.",
                "countyCodes",
            )
        )
    if zoned and new.closes_at <= new.opens_at:
        problems.append(
            _bad(
                "DATES_OUT_OF_ORDER",
                "The round must close after it opens.",
                "Rhaid i'r cylch gau ar ôl iddo agor.",
                "closesAt",
            )
        )
    if new.budget_pence <= 0:
        problems.append(
            _bad(
                "BUDGET_INVALID",
                "The budget must be above zero.",
                "Rhaid i'r gyllideb fod yn fwy na sero.",
                "budgetPence",
            )
        )
    if new.quorum < 1:
        problems.append(
            _bad(
                "QUORUM_INVALID",
                "The quorum must be at least 1.",
                "Rhaid i'r cworwm fod yn 1 o leiaf.",
                "quorum",
            )
        )
    problems += _check_criteria(criteria) + _check_tiers(tiers) + _check_schedule(schedule)
    if problems:
        raise InvalidInput(problems)
    round_ = GrantRound(
        id=uuid.uuid4(),
        name_en=new.name_en.strip(),
        name_cy=new.name_cy,
        county_codes=sorted(counties),
        opens_at=new.opens_at,
        closes_at=new.closes_at,
        budget_pence=new.budget_pence,
        awarded_pence=0,
        quorum=new.quorum,
        criteria=criteria,
        tiers=tiers,
        payment_schedule=schedule,
        created_by=user_id,
    )
    repository.add(session, round_)
    audit.record(
        session,
        actor_id=user_id,
        action="grants.round.create",
        entity_type="grant_round",
        entity_id=round_.id,
        after={"name": round_.name_en, "counties": round_.county_codes, "budget": new.budget_pence},
    )
    await session.commit()
    return round_


async def get_round(session: AsyncSession, principal: Principal, round_id: uuid.UUID) -> GrantRound:
    """Rounds are public calls for applications: anyone signed in may read one."""
    principal.require_user()
    return await access.load_round(session, round_id)


def round_cursor_key(round_: GrantRound) -> tuple[datetime, uuid.UUID]:
    return (round_.closes_at, round_.id)


ROUND_CURSOR_TYPES = (datetime.fromisoformat, uuid.UUID)


async def list_rounds(
    session: AsyncSession, principal: Principal, page: PageRequest, county_code: str | None
) -> Page[GrantRound]:
    """Every round (or a county's), closing soonest first: calls for applications are open."""
    principal.require_user()
    return await repository.round_page(session, page, county_code)


async def assign_panel_member(
    session: AsyncSession, principal: Principal, round_id: uuid.UUID, user_id: uuid.UUID
) -> GrantRound:
    round_ = await access.load_round(session, round_id)
    actor = access.require_staff(principal, round_)
    grants = (await people.grants_of_users(session, [user_id]))[user_id]
    counties = set(round_.county_codes)
    if not any(
        g.role is Role.PANEL and (g.counties is None or counties & g.counties) for g in grants
    ):
        raise RuleBroken(
            "NOT_A_PANEL_MEMBER",
            "This user does not hold the PANEL role in the round's counties.",
            "Nid oes gan y defnyddiwr hwn rôl PANEL yn siroedd y cylch.",
            field="userId",
        )
    if not await repository.is_panel_member(session, round_id, user_id):
        repository.add(session, PanelMember(round_id=round_id, user_id=user_id))
        audit.record(
            session,
            actor_id=actor,
            action="grants.panel.assign",
            entity_type="grant_round",
            entity_id=round_id,
            after={"panel_member": user_id},
        )
        await session.commit()
    return round_
