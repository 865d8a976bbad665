"""The state machine: exactly the issue's transitions, refused otherwise, each one stored."""

from __future__ import annotations

import httpx
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from api.grants.lifecycle import TRANSITIONS, Status
from api.grants.models import GrantTransition
from tests.grants.helpers import make_world
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import audit_actions

S = Status


def test_the_table_holds_exactly_the_issues_transitions() -> None:
    expected = {
        (S.DRAFT, S.SUBMITTED),
        (S.SUBMITTED, S.ELIGIBILITY_CHECKED),
        (S.SUBMITTED, S.INELIGIBLE),
        (S.ELIGIBILITY_CHECKED, S.IN_REVIEW),
        (S.IN_REVIEW, S.AWARDED),
        (S.IN_REVIEW, S.DECLINED),
        (S.AWARDED, S.ACCEPTED),
        (S.ACCEPTED, S.ACTIVE),
        (S.ACTIVE, S.COMPLETED),
    } | {(s, S.WITHDRAWN) for s in (S.DRAFT, S.SUBMITTED, S.ELIGIBILITY_CHECKED, S.IN_REVIEW)}
    assert set(TRANSITIONS) == expected


async def test_illegal_moves_are_refused_with_their_own_codes(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    draft = await world.apply()

    async def move(status: str, reason: str | None = None, token: str | None = None) -> dict:
        return await world.call(
            "MoveGrantApplication",
            {"id": draft["id"], "status": status, "reason": reason},
            token or world.coordinator,
        )

    skipped = await move("IN_REVIEW")
    assert user_errors(skipped) == [("status", "ILLEGAL_TRANSITION")]
    award = await move("AWARDED")
    assert [e["code"] for e in award["userErrors"]] == ["NEEDS_OWN_MUTATION"]

    await world.call("SubmitGrantApplication", {"id": draft["id"]}, world.applicant)
    no_reason = await move("INELIGIBLE")
    assert [e["code"] for e in no_reason["userErrors"]] == ["REASON_REQUIRED"]
    body = await gql(
        client,
        operation("MoveGrantApplication"),
        {"id": draft["id"], "status": "ELIGIBILITY_CHECKED"},
        token=world.applicant,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]

    ineligible = await move("INELIGIBLE", "Not a community group")
    assert ineligible["application"]["status"] == "INELIGIBLE"
    assert ineligible["application"]["detail"]["ineligibleReason"] == "Not a community group"
    again = await move("ELIGIBILITY_CHECKED")
    assert [e["code"] for e in again["userErrors"]] == ["ILLEGAL_TRANSITION"]

    rows = (
        await session.scalars(
            select(GrantTransition)
            .where(GrantTransition.application_id == draft["id"])
            .order_by(GrantTransition.at)
        )
    ).all()
    assert [(r.from_status, r.to_status, r.reason) for r in rows] == [
        ("DRAFT", "SUBMITTED", None),
        ("SUBMITTED", "INELIGIBLE", "Not a community group"),
    ]
    assert await audit_actions(session, "grant_application", draft["id"]) == [
        "grants.application.create",
        "grants.application.submitted",
        "grants.application.ineligible",
    ]


async def test_an_applicant_withdraws_before_a_decision_with_a_reason(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    application_id = await world.in_review()
    withdrawn = await world.call(
        "MoveGrantApplication",
        {"id": application_id, "status": "WITHDRAWN", "reason": "Found other funding"},
        world.applicant,
    )
    assert withdrawn["application"]["status"] == "WITHDRAWN"
    body = await gql(
        client, operation("GrantApplication"), {"id": application_id}, token=world.applicant
    )
    history = body["data"]["grantApplication"]["transitions"]
    assert [t["toStatus"] for t in history] == [
        "SUBMITTED",
        "ELIGIBILITY_CHECKED",
        "IN_REVIEW",
        "WITHDRAWN",
    ]
    assert history[-1]["reason"] == "Found other funding"


async def test_refusals_are_told_in_welsh_when_asked(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    draft = await world.apply()
    body = await gql(
        client,
        operation("MoveGrantApplication"),
        {"id": draft["id"], "status": "IN_REVIEW"},
        token=world.coordinator,
        language="cy",
    )
    [error] = body["data"]["moveGrantApplication"]["userErrors"]
    assert error["code"] == "ILLEGAL_TRANSITION"
    assert error["message"] == "Ni all cais sy'n DRAFT ddod yn IN_REVIEW."
