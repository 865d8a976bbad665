"""`panelSummary`: weighted means, spread, votes, quorum and a ranked running total."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from tests.conftest import StatementCounter
from tests.grants.helpers import make_world
from tests.graphql_client import error_codes, gql, operation


async def _summary(client: httpx.AsyncClient, round_id: str, token: str) -> dict:
    body = await gql(client, operation("PanelSummary"), {"roundId": round_id}, token=token)
    return body["data"]["panelSummary"]


async def test_the_summary_scores_ranks_and_flags_disagreement(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(
        client,
        session,
        panel_size=4,
        budgetPence=200_000,
        criteria=[
            {"key": "community_benefit", "labelEn": "Benefit", "weight": 3},
            {"key": "community_ownership", "labelEn": "Ownership", "weight": 1},
            {"key": "feasibility", "labelEn": "Feasibility", "weight": 1},
            {"key": "value_for_money", "labelEn": "Value", "weight": 1},
            {"key": "deprived_reach", "labelEn": "Reach", "weight": 2},
        ],
    )
    strong = await world.in_review(
        tier="DO_IT",
        amountRequestedPence=150_000,
        budgetLines=[{"item": "Hall hire", "amountPence": 150_000}],
    )
    weak = await world.in_review()  # TRY_IT, £400
    unreviewed = await world.in_review(titleEn="Not yet reviewed")

    for member in (0, 1, 2):
        await world.declare(member, strong)
        await world.declare(member, weak)
    await world.declare(3, strong, conflict=True, note="Trustee of the group")
    await world.review(0, strong, [5, 4, 4, 4, 5])
    await world.review(1, strong, [5, 4, 4, 4, 5], "FUND_WITH_CONDITIONS")
    await world.review(2, strong, [5, 4, 4, 4, 5])
    await world.review(0, weak, [1, 3, 3, 3, 3], "DO_NOT_FUND")
    await world.review(1, weak, [3, 3, 3, 3, 3])
    await world.review(2, weak, [3, 3, 3, 3, 3], submit=False)  # a draft does not count

    summary = await _summary(client, world.round_id, world.coordinator)
    assert summary["quorum"] == 3 and summary["budgetPence"] == 200_000
    first, second, third = summary["applications"]
    assert [a["applicationId"] for a in summary["applications"]] == [strong, weak, unreviewed]
    assert [a["rank"] for a in summary["applications"]] == [1, 2, 3]

    # (3*5 + 4 + 4 + 4 + 2*5) / 8 = 37 / 8
    assert first["weightedMean"] == pytest.approx(37 / 8)
    assert first["reviewCount"] == 3 and first["quorumReached"] is True
    assert first["disagreement"] is False
    assert first["recusedUserIds"] == [world.panel_ids[3]]
    assert {r["recommendation"]: r["count"] for r in first["recommendations"]} == {
        "FUND": 2,
        "FUND_WITH_CONDITIONS": 1,
        "DO_NOT_FUND": 0,
    }
    assert first["runningTotalPence"] == 150_000 and first["withinBudget"] is True

    assert second["reviewCount"] == 2 and second["quorumReached"] is False
    benefit = next(c for c in second["criteria"] if c["key"] == "community_benefit")
    assert (benefit["min"], benefit["max"], benefit["disagreement"]) == (1, 3, True)
    assert second["disagreement"] is True
    assert second["weightedMean"] == pytest.approx(((3 + 3 + 3 + 3 + 6) / 8 + 24 / 8) / 2)
    assert second["runningTotalPence"] == 190_000 and second["withinBudget"] is True

    assert third["weightedMean"] is None and third["reviewCount"] == 0
    assert third["runningTotalPence"] == 230_000 and third["withinBudget"] is False


async def test_the_summary_is_for_staff_only(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    for token in (world.applicant, world.panel[0]):
        body = await gql(
            client,
            operation("PanelSummary"),
            {"roundId": world.round_id},
            token=token,
            expect_errors=True,
        )
        assert error_codes(body) == ["FORBIDDEN"]


async def test_the_summary_takes_the_same_statements_for_any_number_of_applications(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    world = await make_world(client, session, panel_size=3, quorum=1)

    async def statements() -> int:
        before = count_statements.count
        await _summary(client, world.round_id, world.coordinator)
        return count_statements.count - before

    first = await world.in_review()
    await world.reviewed(first)
    one = await statements()
    for _ in range(3):
        await world.reviewed(await world.in_review())
    assert await statements() == one
