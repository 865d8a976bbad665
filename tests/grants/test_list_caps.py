"""The lists of a grant round, an application and a review are capped: one over is refused
naming the field, with nothing written; a list at the cap is accepted."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import AuditEntry
from api.auth.principal import Role
from api.grants.applications import BUDGET_LINES_MAX
from api.grants.rounds import CRITERIA_MAX, SCHEDULE_PARTS_MAX
from api.shared.limits import COUNTY_CODES_MAX
from tests.grants.helpers import (
    CRITERIA,
    application_input,
    make_world,
    round_input,
    scores,
    user_token,
)
from tests.graphql_client import gql, operation, refused_fields
from tests.people.helpers import CARMARTHENSHIRE

TIERS = [
    {"tier": "TRY_IT", "minPence": 10_000, "maxPence": 30_000},
    {"tier": "DO_IT", "minPence": 30_001, "maxPence": 100_000},
    {"tier": "BUILD_IT", "minPence": 100_001, "maxPence": 300_000},
]
ONCE = [{"percent": 100, "condition": "ON_ACCEPTANCE"}]
SCHEDULE = [{"tier": t["tier"], "parts": ONCE} for t in TIERS]
TENTHS = [{"percent": 10, "condition": "ON_ACCEPTANCE"}] * SCHEDULE_PARTS_MAX


def _criteria(n: int) -> list[dict]:
    return [{"key": f"c{i}", "labelEn": f"Criterion {i}"} for i in range(n)]


async def _audited(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(AuditEntry))


async def test_a_round_s_lists_are_capped(client: httpx.AsyncClient, session: AsyncSession) -> None:
    token, _ = await user_token(client, session, "c@example.org", {Role.COORDINATOR: None})
    before = await _audited(session)
    for overrides, field in [
        ({"countyCodes": [CARMARTHENSHIRE] * (COUNTY_CODES_MAX + 1)}, "countyCodes"),
        ({"criteria": _criteria(CRITERIA_MAX + 1)}, "criteria"),
        ({"tiers": [*TIERS, TIERS[0]]}, "tiers"),
        ({"paymentSchedule": [*SCHEDULE, SCHEDULE[0]]}, "paymentSchedule"),
        (
            {"paymentSchedule": [{**SCHEDULE[0], "parts": [*TENTHS, ONCE[0]]}, *SCHEDULE[1:]]},
            "paymentSchedule[0].parts",
        ),
    ]:
        body = await gql(
            client, operation("CreateGrantRound"), {"input": round_input(**overrides)}, token=token
        )
        assert body["data"]["createGrantRound"]["round"] is None
        assert refused_fields(body) == {field}
    assert await _audited(session) == before

    at_cap = round_input(
        criteria=_criteria(CRITERIA_MAX),
        tiers=TIERS,
        paymentSchedule=[{**SCHEDULE[0], "parts": TENTHS}, *SCHEDULE[1:]],
    )
    body = await gql(client, operation("CreateGrantRound"), {"input": at_cap}, token=token)
    made = body["data"]["createGrantRound"]["round"]
    assert len(made["criteria"]) == CRITERIA_MAX
    assert made["paymentSchedule"][0]["parts"] == TENTHS


async def test_an_application_s_budget_lines_and_five_ways_are_capped(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    before = await _audited(session)
    line = {"item": "Tea", "amountPence": 1_000}
    for overrides, field in [
        (
            {"budgetLines": [line] * (BUDGET_LINES_MAX + 1), "amountRequestedPence": 51_000},
            "budgetLines",
        ),
        ({"fiveWays": ["CONNECT"] * 6}, "fiveWays"),
    ]:
        variables = {
            "roundId": world.round_id,
            "input": application_input(world.communities[0], **overrides),
        }
        body = await gql(
            client, operation("CreateGrantApplication"), variables, token=world.applicant
        )
        assert body["data"]["createGrantApplication"]["application"] is None
        assert refused_fields(body) == {field}
    assert await _audited(session) == before

    made = await world.apply(
        budgetLines=[line] * BUDGET_LINES_MAX,
        amountRequestedPence=50_000,
        fiveWays=["CONNECT", "BE_ACTIVE", "TAKE_NOTICE", "KEEP_LEARNING", "GIVE"],
    )
    body = await gql(
        client, operation("GrantApplication"), {"id": made["id"]}, token=world.applicant
    )
    assert len(body["data"]["grantApplication"]["detail"]["budgetLines"]) == BUDGET_LINES_MAX


async def test_a_review_gives_one_score_per_criterion(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    application_id = await world.in_review()
    await world.declare(0, application_id)
    before = await _audited(session)
    review = {"scores": [*scores(), scores()[0]], "recommendation": "FUND", "submit": True}
    body = await gql(
        client,
        operation("SaveReview"),
        {"applicationId": application_id, "input": review},
        token=world.panel[0],
    )
    assert body["data"]["saveReview"]["review"] is None
    assert refused_fields(body) == {"scores"}
    assert await _audited(session) == before
    assert len(scores()) == len(CRITERIA)
    assert (await world.review(0, application_id))["userErrors"] == []
