"""COORDINATORs manage only rounds in their counties: a coordinator elsewhere is refused
every staff action on this round, while this round's coordinator is allowed (other tests)."""

from __future__ import annotations

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Role
from tests.grants.helpers import make_world, user_token
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import CEREDIGION


async def test_a_coordinator_of_another_county_cannot_manage_the_round(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=3)
    elsewhere, _ = await user_token(
        client, session, "cere@example.org", {Role.COORDINATOR: {CEREDIGION}}
    )
    submitted = await world.apply()
    await world.call("SubmitGrantApplication", {"id": submitted["id"]}, world.applicant)
    active = await world.active()
    report = (await world.report(active))["report"]

    attempts = [
        ("AssignPanelMember", {"roundId": world.round_id, "userId": world.panel_ids[0]}),
        ("MoveGrantApplication", {"id": submitted["id"], "status": "ELIGIBILITY_CHECKED"}),
        (
            "RecordPayment",
            {
                "applicationId": active,
                "input": {"seq": 1, "paidOn": "2027-01-01", "reference": "X"},
            },
        ),
        ("ReviewGrantReport", {"reportId": report["id"], "approve": True}),
        ("PanelSummary", {"roundId": world.round_id}),
        ("GrantApplication", {"id": submitted["id"]}),
        ("ApplicationReviews", {"applicationId": active}),
    ]
    for name, variables in attempts:
        body = await gql(client, operation(name), variables, token=elsewhere, expect_errors=True)
        assert error_codes(body) == ["FORBIDDEN"], name
    listed = await gql(
        client, operation("GrantApplications"), {"roundId": world.round_id}, token=elsewhere
    )
    assert listed["data"]["grantApplications"]["edges"] == []
