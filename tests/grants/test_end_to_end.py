"""A whole round through GraphQL, from set-up to a 360Giving export whose figures match."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Role
from api.settings import Settings
from tests.grants.helpers import application_input, community_ids, round_input, scores, user_token
from tests.graphql_client import gql, operation
from tests.people.helpers import CARMARTHENSHIRE, PEMBROKESHIRE

TIERS = {"TRY_IT": 45_000, "DO_IT": 150_000, "BUILD_IT": 400_000}


async def test_a_round_from_set_up_to_export(
    client: httpx.AsyncClient, session: AsyncSession, settings: Settings
) -> None:
    async def run(document: str, variables: dict[str, Any], token: str) -> dict[str, Any]:
        body = await gql(client, document, variables, token=token)
        payload = next(iter(body["data"].values()))
        assert not payload.get("userErrors"), payload
        return payload

    counties = {Role.COORDINATOR: {CARMARTHENSHIRE, PEMBROKESHIRE}}
    coordinator, _ = await user_token(client, session, "coordinator@example.org", counties)
    applicant, _ = await user_token(
        client, session, "applicant@example.org", {Role.APPLICANT: {CARMARTHENSHIRE, PEMBROKESHIRE}}
    )
    panel = [
        await user_token(client, session, f"panel{n}@example.org", {Role.PANEL: {CARMARTHENSHIRE}})
        for n in range(4)
    ]

    # Set-up: a two-county round of £6,000 with the default tiers, quorum and schedule.
    round_ = (
        await run(
            operation("CreateGrantRound"),
            {
                "input": round_input(
                    countyCodes=[CARMARTHENSHIRE, PEMBROKESHIRE], budgetPence=600_000
                )
            },
            coordinator,
        )
    )["round"]
    round_id = round_["id"]
    for _, user_id in panel:
        await run(
            operation("AssignPanelMember"), {"roundId": round_id, "userId": user_id}, coordinator
        )

    # Three applications in three tiers, in both counties; submitted, checked, in review.
    places = await community_ids(session, CARMARTHENSHIRE, 2) + await community_ids(
        session, PEMBROKESHIRE, 1
    )
    ids: dict[str, str] = {}
    for (tier, amount), community in zip(TIERS.items(), places, strict=True):
        given = application_input(
            community,
            tier=tier,
            amountRequestedPence=amount,
            titleEn=f"{tier} project",
            budgetLines=[
                {"item": "Equipment", "amountPence": amount - 5_000},
                {"item": "Refreshments", "amountPence": 5_000},
            ],
        )
        created = await run(
            operation("CreateGrantApplication"), {"roundId": round_id, "input": given}, applicant
        )
        ids[tier] = created["application"]["id"]
        await run(operation("SubmitGrantApplication"), {"id": ids[tier]}, applicant)
        for status in ("ELIGIBILITY_CHECKED", "IN_REVIEW"):
            await run(
                operation("MoveGrantApplication"), {"id": ids[tier], "status": status}, coordinator
            )

    # Declarations (one recusal) and reviews.
    conflicted = panel[3]
    for tier, application_id in ids.items():
        for n, (token, _) in enumerate(panel):
            recuse = token == conflicted[0] and tier == "BUILD_IT"
            await run(
                operation("DeclareConflict"),
                {
                    "applicationId": application_id,
                    "conflict": recuse,
                    "note": "I chair the group" if recuse else None,
                },
                token,
            )
            if not recuse:
                review = {"scores": scores(5 - n % 2), "recommendation": "FUND", "submit": True}
                await run(
                    operation("SaveReview"),
                    {"applicationId": application_id, "input": review},
                    token,
                )

    summary = await run(operation("PanelSummary"), {"roundId": round_id}, coordinator)
    by_id = {a["applicationId"]: a for a in summary["applications"]}
    assert all(a["quorumReached"] for a in by_id.values())
    assert by_id[ids["BUILD_IT"]]["recusedUserIds"] == [conflicted[1]]
    assert by_id[ids["BUILD_IT"]]["reviewCount"] == 3
    assert summary["applications"][-1]["runningTotalPence"] == sum(TIERS.values())

    # Decisions within budget: Build It gets less than it asked for.
    awards = {"TRY_IT": 45_000, "DO_IT": 150_000, "BUILD_IT": 380_000}
    for tier, application_id in ids.items():
        decided = await run(
            operation("DecideApplication"),
            {
                "applicationId": application_id,
                "input": {"outcome": "AWARDED", "amountPence": awards[tier], "rationale": "Agreed"},
            },
            coordinator,
        )
        assert decided["application"]["decision"]["amountAwardedPence"] == awards[tier]
    assert decided["application"]["decision"]["recusedUserIds"] == [conflicted[1]]
    remaining = await gql(client, operation("GrantRound"), {"id": round_id}, token=applicant)
    assert remaining["data"]["grantRound"]["remainingPence"] == 600_000 - sum(awards.values())

    # Acceptance, activity, reports and every tranche paid.
    for tier, application_id in ids.items():
        await run(operation("AcceptAward"), {"applicationId": application_id}, applicant)
        await run(
            operation("MoveGrantApplication"),
            {"id": application_id, "status": "ACTIVE"},
            coordinator,
        )
        for kind in ("PROGRESS", "FINAL"):
            report = await run(
                operation("SubmitGrantReport"),
                {
                    "applicationId": application_id,
                    "input": {
                        "kind": kind,
                        "text": f"{kind} report",
                        "participants": 30,
                        "volunteers": 5,
                        "sessions": 8,
                        "wellbeing": {"respondents": 10, "meanBefore": 21.0, "meanAfter": 24.5},
                    },
                },
                applicant,
            )
            await run(
                operation("ReviewGrantReport"),
                {"reportId": report["report"]["id"], "approve": True},
                coordinator,
            )
        body = await gql(
            client, operation("GrantApplication"), {"id": application_id}, token=coordinator
        )
        tranches = body["data"]["grantApplication"]["tranches"]
        assert sum(t["amountPence"] for t in tranches) == awards[tier]
        for tranche in tranches:
            assert tranche["status"] == "DUE"
            paid = await run(
                operation("RecordPayment"),
                {
                    "applicationId": application_id,
                    "input": {
                        "seq": tranche["seq"],
                        "paidOn": "2027-03-01",
                        "reference": f"P-{tier}",
                    },
                },
                coordinator,
            )
            assert paid["tranche"]["status"] == "PAID"
        await run(
            operation("MoveGrantApplication"),
            {"id": application_id, "status": "COMPLETED"},
            coordinator,
        )

    report = (
        await gql(client, operation("GrantsReport"), {"roundId": round_id}, token=coordinator)
    )["data"]["grantsReport"]
    total = sum(awards.values())
    assert (report["awardedPence"], report["paidPence"], report["outstandingPence"]) == (
        total,
        total,
        0,
    )
    assert report["projectsCompleted"] == 3
    assert {r["key"] for r in report["byCounty"]} == {CARMARTHENSHIRE, PEMBROKESHIRE}
    assert report["reach"]["participants"] == 90

    # The 360Giving export agrees with the round.
    exported = await client.get(
        f"/exports/grants/{round_id}/360giving.json",
        headers={"Authorization": f"Bearer {coordinator}"},
    )
    grants = exported.json()["grants"]
    assert len(grants) == 3
    assert sum(g["amountAwarded"] for g in grants) * 100 == total
    assert sum(g["amountDisbursed"] for g in grants) * 100 == total
    assert sorted(g["amountAppliedFor"] * 100 for g in grants) == sorted(TIERS.values())
    assert all(g["id"].startswith(settings.grants_identifier_prefix) for g in grants)
