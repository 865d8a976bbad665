"""Reports on funded projects: only on ACTIVE ones, aggregates only, approved or sent back;
and the grants report over a round or a county."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Role
from tests.conftest import StatementCounter
from tests.grants.helpers import make_world, user_token
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION


async def test_reports_only_on_active_projects_with_sane_figures(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    application_id = await world.awarded()
    early = await world.report(application_id)
    assert user_errors(early) == [("applicationId", "PROJECT_NOT_ACTIVE")]

    await world.call("AcceptAward", {"applicationId": application_id}, world.applicant)
    await world.move(application_id, "ACTIVE")
    bad = await world.report(
        application_id,
        participants=-1,
        wellbeing={"respondents": 10, "meanBefore": 6.5, "meanAfter": 24.0},
    )
    assert sorted(user_errors(bad)) == [
        ("participants", "NEGATIVE_COUNT"),
        ("wellbeing", "WEMWBS_OUT_OF_RANGE"),
    ]
    good = await world.report(
        application_id, wellbeing={"respondents": 12, "meanBefore": 19.5, "meanAfter": 23.25}
    )
    assert good["report"]["status"] == "SUBMITTED"
    assert good["report"]["wellbeing"] == {
        "respondents": 12,
        "meanBefore": 19.5,
        "meanAfter": 23.25,
    }


async def test_staff_approve_or_send_back_a_report(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    application_id = await world.active()
    report = (await world.report(application_id))["report"]

    body = await gql(
        client,
        operation("ReviewGrantReport"),
        {"reportId": report["id"], "approve": True},
        token=world.applicant,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert user_errors(await world.review_report(report["id"], approve=False)) == [
        ("note", "REASON_REQUIRED")
    ]
    sent_back = await world.review_report(report["id"], approve=False, note="Add the numbers")
    assert sent_back["report"] == {
        "id": report["id"],
        "status": "SENT_BACK",
        "reviewNote": "Add the numbers",
    }
    assert user_errors(await world.review_report(report["id"])) == [
        ("reportId", "REPORT_NOT_PENDING")
    ]


async def test_the_grants_report_adds_up_a_round_and_a_county(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    first = await world.active(amount=30_000)
    await world.awarded(
        communityId=world.communities[1],
        tier="DO_IT",
        amountRequestedPence=100_000,
        budgetLines=[{"item": "Kit", "amountPence": 100_000}],
    )
    declined = await world.in_review()
    await world.reviewed(declined)
    await world.decide(declined, outcome="DECLINED", feedback="Not this time")

    await world.pay(first, 1)
    for kind, people, wellbeing in (
        ("PROGRESS", 10, None),
        ("FINAL", 25, {"respondents": 10, "meanBefore": 20.0, "meanAfter": 24.0}),
    ):
        report = await world.report(first, kind, participants=people, wellbeing=wellbeing)
        await world.review_report(report["report"]["id"])
    await world.move(first, "COMPLETED")

    body = await gql(
        client, operation("GrantsReport"), {"roundId": world.round_id}, token=world.coordinator
    )
    report = body["data"]["grantsReport"]
    assert report["awards"] == 2 and report["projectsCompleted"] == 1
    assert (report["awardedPence"], report["paidPence"], report["outstandingPence"]) == (
        130_000,
        30_000,
        100_000,
    )
    assert report["byTier"] == [
        {"key": "DO_IT", "awards": 1, "awardedPence": 100_000},
        {"key": "TRY_IT", "awards": 1, "awardedPence": 30_000},
    ]
    assert report["byCounty"] == [{"key": CARMARTHENSHIRE, "awards": 2, "awardedPence": 130_000}]
    assert sorted(r["key"] for r in report["byCommunity"]) == sorted(world.communities[:2])
    assert sum(r["awards"] for r in report["byDeprivationDecile"]) == 2
    assert all(r["key"] in {str(d) for d in range(1, 11)} for r in report["byDeprivationDecile"])
    assert report["reach"]["participants"] == 25  # the latest approved report, once
    assert report["reach"]["wellbeingRespondents"] == 10
    assert report["reach"]["wellbeingMeanAfter"] == pytest.approx(24.0)

    county = await gql(
        client, operation("GrantsReport"), {"countyCode": CARMARTHENSHIRE}, token=world.coordinator
    )
    assert county["data"]["grantsReport"]["awardedPence"] == 130_000

    elsewhere, _ = await user_token(
        client, session, "cere@example.org", {Role.COORDINATOR: {CEREDIGION}}
    )
    for token, variables in (
        (elsewhere, {"countyCode": CARMARTHENSHIRE}),
        (elsewhere, {"roundId": world.round_id}),
        (world.applicant, {"roundId": world.round_id}),
    ):
        body = await gql(
            client, operation("GrantsReport"), variables, token=token, expect_errors=True
        )
        assert error_codes(body) == ["FORBIDDEN"]
    both = await gql(
        client, operation("GrantsReport"), {}, token=world.coordinator, expect_errors=True
    )
    assert error_codes(both) == ["BAD_USER_INPUT"]


async def test_the_grants_report_takes_the_same_statements_for_any_number_of_awards(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    world = await make_world(client, session, panel_size=3)

    async def statements() -> int:
        before = count_statements.count
        await gql(
            client, operation("GrantsReport"), {"roundId": world.round_id}, token=world.coordinator
        )
        return count_statements.count - before

    await world.active()
    one = await statements()
    await world.active(communityId=world.communities[1])
    await world.awarded(communityId=world.communities[2])
    assert await statements() == one
