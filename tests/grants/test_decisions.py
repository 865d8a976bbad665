"""`decideApplication`: quorum, amounts within the request and the budget, recusals, and
what a declined applicant is told."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.audit.models import AuditEntry
from api.auth.principal import Role
from api.grants.models import GrantRound
from tests.grants.helpers import make_world, user_token
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import CEREDIGION


async def test_no_decision_without_a_quorum_of_unconflicted_reviews(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    application_id = await world.in_review()
    await world.reviewed(application_id, members=[0, 1])
    await world.declare(2, application_id, conflict=True, note="Neighbour")
    refused = await world.decide(application_id)
    assert user_errors(refused) == [("applicationId", "NO_QUORUM")]
    assert refused["application"] is None


async def test_an_award_may_be_lower_and_lists_who_was_recused(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=4)
    application_id = await world.in_review()
    await world.reviewed(application_id)
    await world.declare(3, application_id, conflict=True, note="Trustee")

    above = await world.decide(application_id, amountPence=40_001)
    assert user_errors(above) == [("amountPence", "AMOUNT_ABOVE_REQUEST")]
    nothing = await world.decide(application_id, amountPence=0)
    assert user_errors(nothing) == [("amountPence", "AMOUNT_NOT_POSITIVE")]
    awarded = await world.decide(application_id, amountPence=35_000)
    decision = awarded["application"]["decision"]
    assert awarded["application"]["status"] == "AWARDED"
    assert decision["outcome"] == "AWARDED" and decision["amountAwardedPence"] == 35_000
    assert decision["recusedUserIds"] == [world.panel_ids[3]]
    assert decision["rationale"] == "Strong community support"
    entry = await session.scalar(
        select(AuditEntry).where(
            AuditEntry.entity_id == application_id,
            AuditEntry.action == "grants.application.awarded",
        )
    )
    assert entry.changes["amount_awarded_pence"] == {"before": None, "after": 35_000}

    body = await gql(client, operation("GrantRound"), {"id": world.round_id}, token=world.applicant)
    assert body["data"]["grantRound"]["awardedPence"] == 35_000
    assert body["data"]["grantRound"]["remainingPence"] == 1_000_000 - 35_000

    mine = await gql(
        client, operation("GrantApplication"), {"id": application_id}, token=world.applicant
    )
    seen = mine["data"]["grantApplication"]["decision"]
    assert seen["amountAwardedPence"] == 35_000
    assert seen["rationale"] is None and seen["recusedUserIds"] == []

    late = await world.call(
        "MoveGrantApplication",
        {"id": application_id, "status": "WITHDRAWN", "reason": "Too late"},
        world.applicant,
    )
    assert user_errors(late) == [("status", "ILLEGAL_TRANSITION")]
    again = await world.decide(application_id)
    assert user_errors(again) == [("status", "ILLEGAL_TRANSITION")]


async def test_a_declined_applicant_sees_the_feedback_but_not_the_scores(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    application_id = await world.in_review()
    await world.reviewed(application_id)
    silent = await world.decide(application_id, outcome="DECLINED")
    assert user_errors(silent) == [("feedback", "FEEDBACK_REQUIRED")]
    declined = await world.decide(
        application_id,
        outcome="DECLINED",
        rationale="Scored low on feasibility (2.1)",
        feedback="We would welcome a smaller bid next round.",
    )
    assert declined["application"]["status"] == "DECLINED"

    mine = await gql(
        client, operation("GrantApplication"), {"id": application_id}, token=world.applicant
    )
    decision = mine["data"]["grantApplication"]["decision"]
    assert decision["feedback"] == "We would welcome a smaller bid next round."
    assert decision["rationale"] is None
    history = mine["data"]["grantApplication"]["transitions"]
    assert history[-1]["toStatus"] == "DECLINED" and history[-1]["reason"] is None
    staff = await gql(
        client, operation("GrantApplication"), {"id": application_id}, token=world.coordinator
    )
    assert staff["data"]["grantApplication"]["transitions"][-1]["reason"].startswith("Scored")
    reviews = await gql(
        client,
        operation("ApplicationReviews"),
        {"applicationId": application_id},
        token=world.applicant,
        expect_errors=True,
    )
    assert error_codes(reviews) == ["FORBIDDEN"]


async def test_awards_never_exceed_the_budget(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1, quorum=1, budgetPence=70_000)
    first, second = await world.in_review(), await world.in_review()
    for application_id in (first, second):
        await world.reviewed(application_id, members=[0])
    assert (await world.decide(first))["application"]["status"] == "AWARDED"
    over = await world.decide(second)
    assert user_errors(over) == [("amountPence", "OVER_BUDGET")]
    within = await world.decide(second, amountPence=30_000)
    assert within["application"]["decision"]["amountAwardedPence"] == 30_000
    stored = await session.get(GrantRound, world.round_id)
    await session.refresh(stored)
    assert stored.awarded_pence == 70_000


async def test_only_the_rounds_coordinators_decide(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    application_id = await world.in_review()
    await world.reviewed(application_id)
    elsewhere, _ = await user_token(
        client, session, "cere@example.org", {Role.COORDINATOR: {CEREDIGION}}
    )
    for token in (world.panel[0], world.applicant, elsewhere):
        body = await gql(
            client,
            operation("DecideApplication"),
            {
                "applicationId": application_id,
                "input": {"outcome": "AWARDED", "rationale": "Mine"},
            },
            token=token,
            expect_errors=True,
        )
        assert error_codes(body) == ["FORBIDDEN"]
    admin, _ = await user_token(client, session, "admin@example.org", {Role.ADMIN: None})
    assert (await world.decide(application_id, token=admin))["application"]["status"] == "AWARDED"
