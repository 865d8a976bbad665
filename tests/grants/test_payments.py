"""Money after a decision: tranches on acceptance, DUE on their condition, PAID when recorded."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.grants.helpers import make_world
from tests.graphql_client import error_codes, gql, operation, user_errors

DO_IT = {
    "tier": "DO_IT",
    "amountRequestedPence": 150_001,
    "budgetLines": [{"item": "Hall hire", "amountPence": 150_001}],
}


async def _tranches(client: httpx.AsyncClient, application_id: str, token: str) -> list[dict]:
    body = await gql(client, operation("GrantApplication"), {"id": application_id}, token=token)
    return body["data"]["grantApplication"]["tranches"]


async def test_accepting_makes_the_tiers_tranches(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    application_id = await world.awarded(**DO_IT)
    assert await _tranches(client, application_id, world.coordinator) == []
    unaccepted = await world.pay(application_id, 1)
    assert user_errors(unaccepted) == [("applicationId", "AWARD_NOT_ACCEPTED")]

    other = await world.other_applicant()
    body = await gql(
        client,
        operation("AcceptAward"),
        {"applicationId": application_id},
        token=other,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    accepted = await world.call("AcceptAward", {"applicationId": application_id}, world.applicant)
    assert accepted["application"]["status"] == "ACCEPTED"

    tranches = await _tranches(client, application_id, world.applicant)
    assert [
        (t["seq"], t["percent"], t["amountPence"], t["condition"], t["status"]) for t in tranches
    ] == [
        (1, 50, 75_000, "ON_ACCEPTANCE", "DUE"),
        (2, 50, 75_001, "PROGRESS_REPORT", "PENDING"),  # the last tranche takes the rounding
    ]


async def test_a_tranche_is_paid_once_and_only_when_due(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    application_id = await world.active(**DO_IT)

    assert user_errors(await world.pay(application_id, 2)) == [("seq", "TRANCHE_NOT_DUE")]
    assert user_errors(await world.pay(application_id, 3)) == [("seq", "NO_SUCH_TRANCHE")]
    body = await gql(
        client,
        operation("RecordPayment"),
        {
            "applicationId": application_id,
            "input": {"seq": 1, "paidOn": "2027-02-01", "reference": "X"},
        },
        token=world.applicant,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]

    assert user_errors(await world.pay(application_id, 1, "R" * 101)) == [("reference", "TOO_LONG")]
    paid = await world.pay(application_id, 1, "BACS-0001")
    assert paid["tranche"] == {
        "seq": 1,
        "amountPence": 75_000,
        "status": "PAID",
        "paidOn": "2027-02-01",
        "reference": "BACS-0001",
    }
    assert user_errors(await world.pay(application_id, 1)) == [("seq", "TRANCHE_NOT_DUE")]

    report = (await world.report(application_id))["report"]
    await world.review_report(report["id"])
    statuses = [t["status"] for t in await _tranches(client, application_id, world.coordinator)]
    assert statuses == ["PAID", "DUE"]
    assert (await world.pay(application_id, 2, "BACS-0002"))["tranche"]["status"] == "PAID"

    body = await gql(
        client, operation("GrantsReport"), {"roundId": world.round_id}, token=world.coordinator
    )
    totals = body["data"]["grantsReport"]
    assert (totals["awardedPence"], totals["paidPence"], totals["outstandingPence"]) == (
        150_001,
        150_001,
        0,
    )
