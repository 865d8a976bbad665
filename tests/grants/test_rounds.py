"""Rounds: defaults from the issue, overrides, bad set-ups, and who may set one up."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Role
from api.grants.models import GrantRound
from tests.grants.helpers import make_world, round_input, user_token
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION, audit_actions


async def test_a_round_starts_with_the_issue_defaults(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    round_ = world.round
    assert round_["quorum"] == 3
    assert round_["budgetPence"] == 1_000_000 and round_["remainingPence"] == 1_000_000
    assert round_["tiers"] == [
        {"tier": "TRY_IT", "minPence": 1, "maxPence": 50_000},
        {"tier": "DO_IT", "minPence": 50_100, "maxPence": 200_000},
        {"tier": "BUILD_IT", "minPence": 200_100, "maxPence": 500_000},
    ]
    schedule = {s["tier"]: [p["percent"] for p in s["parts"]] for s in round_["paymentSchedule"]}
    assert schedule == {"TRY_IT": [100], "DO_IT": [50, 50], "BUILD_IT": [40, 40, 20]}
    assert [c["scaleMax"] for c in round_["criteria"]] == [5] * 5
    assert round_["criteria"][0]["label"] == "Community benefit"
    assert (await audit_actions(session, "grant_round", round_["id"]))[0] == "grants.round.create"

    welsh = await gql(
        client, operation("GrantRound"), {"id": round_["id"]}, token=world.applicant, language="cy"
    )
    assert welsh["data"]["grantRound"]["name"] == "Cylch y gwanwyn"
    assert welsh["data"]["grantRound"]["criteria"][0]["label"] == "Budd i'r gymuned"


async def test_a_round_overrides_quorum_criteria_tiers_and_schedule(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, _ = await user_token(client, session, "c@example.org", {Role.COORDINATOR: None})
    custom = round_input(
        quorum=2,
        criteria=[
            {
                "key": "impact",
                "labelEn": "Impact",
                "labelCy": "Effaith",
                "weight": 2,
                "scaleMax": 10,
            }
        ],
        tiers=[
            {"tier": "TRY_IT", "minPence": 10_000, "maxPence": 30_000},
            {"tier": "DO_IT", "minPence": 30_001, "maxPence": 100_000},
            {"tier": "BUILD_IT", "minPence": 100_001, "maxPence": 300_000},
        ],
        paymentSchedule=[
            {"tier": "TRY_IT", "parts": [{"percent": 100, "condition": "ON_ACCEPTANCE"}]},
            {"tier": "DO_IT", "parts": [{"percent": 100, "condition": "ON_ACCEPTANCE"}]},
            {
                "tier": "BUILD_IT",
                "parts": [
                    {"percent": 70, "condition": "ON_ACCEPTANCE"},
                    {"percent": 30, "condition": "FINAL_REPORT"},
                ],
            },
        ],
    )
    body = await gql(client, operation("CreateGrantRound"), {"input": custom}, token=token)
    round_ = body["data"]["createGrantRound"]["round"]
    assert round_["quorum"] == 2
    assert round_["criteria"] == [
        {
            "key": "impact",
            "label": "Impact",
            "labelEn": "Impact",
            "labelCy": "Effaith",
            "weight": 2.0,
            "scaleMax": 10,
        }
    ]
    assert round_["tiers"][0]["minPence"] == 10_000
    assert round_["paymentSchedule"][2]["parts"][1] == {"percent": 30, "condition": "FINAL_REPORT"}


async def test_a_bad_round_names_each_field_and_writes_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, _ = await user_token(client, session, "c@example.org", {Role.COORDINATOR: None})
    bad = round_input(
        countyCodes=["W06999999"],
        closesAt="2020-01-01T00:00:00+00:00",
        budgetPence=0,
        quorum=0,
        criteria=[{"key": "a", "labelEn": "A", "scaleMax": 11}],
        tiers=[{"tier": "TRY_IT", "minPence": 500, "maxPence": 100}],
        paymentSchedule=[
            {"tier": t, "parts": [{"percent": 60, "condition": "ON_ACCEPTANCE"}]}
            for t in ("TRY_IT", "DO_IT", "BUILD_IT")
        ],
    )
    body = await gql(client, operation("CreateGrantRound"), {"input": bad}, token=token)
    payload = body["data"]["createGrantRound"]
    assert payload["round"] is None
    assert set(user_errors(payload)) == {
        ("countyCodes", "UNKNOWN_COUNTY"),
        ("closesAt", "DATES_OUT_OF_ORDER"),
        ("budgetPence", "BUDGET_INVALID"),
        ("quorum", "QUORUM_INVALID"),
        ("criteria", "CRITERIA_INVALID"),
        ("tiers", "TIERS_INVALID"),
        ("paymentSchedule", "SCHEDULE_INVALID"),
    }
    assert await session.scalar(select(func.count()).select_from(GrantRound)) == 0


async def test_only_a_coordinator_of_the_rounds_counties_sets_one_up(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    elsewhere, _ = await user_token(
        client, session, "cere@example.org", {Role.COORDINATOR: {CEREDIGION}}
    )
    applicant, _ = await user_token(
        client, session, "app@example.org", {Role.APPLICANT: {CARMARTHENSHIRE}}
    )
    for token in (elsewhere, applicant):
        body = await gql(
            client,
            operation("CreateGrantRound"),
            {"input": round_input()},
            token=token,
            expect_errors=True,
        )
        assert error_codes(body) == ["FORBIDDEN"]
    here, _ = await user_token(
        client, session, "carm@example.org", {Role.COORDINATOR: {CARMARTHENSHIRE}}
    )
    body = await gql(client, operation("CreateGrantRound"), {"input": round_input()}, token=here)
    assert body["data"]["createGrantRound"]["round"]["countyCodes"] == [CARMARTHENSHIRE]


async def test_only_panel_role_holders_join_a_panel_and_only_staff_assign_them(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=1)
    _, stranger = await user_token(
        client, session, "nopanel@example.org", {Role.APPLICANT: {CARMARTHENSHIRE}}
    )
    refused = await world.call(
        "AssignPanelMember", {"roundId": world.round_id, "userId": stranger}, world.coordinator
    )
    assert [e["code"] for e in refused["userErrors"]] == ["NOT_A_PANEL_MEMBER"]
    body = await gql(
        client,
        operation("AssignPanelMember"),
        {"roundId": world.round_id, "userId": world.panel_ids[0]},
        token=world.panel[0],
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]


async def test_rounds_are_listed_closing_soonest_first_and_by_county(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, _ = await user_token(client, session, "c@example.org", {Role.COORDINATOR: None})
    made = []
    for name, counties, closes in (
        ("Later", [CARMARTHENSHIRE], "2031-01-01T00:00:00+00:00"),
        ("Sooner", [CARMARTHENSHIRE, CEREDIGION], "2030-01-01T00:00:00+00:00"),
        ("Elsewhere", [CEREDIGION], "2029-01-01T00:00:00+00:00"),
    ):
        given = round_input(nameEn=name, countyCodes=counties, closesAt=closes)
        body = await gql(client, operation("CreateGrantRound"), {"input": given}, token=token)
        made.append(body["data"]["createGrantRound"]["round"]["id"])

    async def names(**variables: object) -> tuple[list[str], dict]:
        body = await gql(client, operation("GrantRounds"), variables, token=token)
        rounds = body["data"]["grantRounds"]
        return [e["node"]["name"] for e in rounds["edges"]], rounds["pageInfo"]

    assert (await names())[0] == ["Elsewhere", "Sooner", "Later"]
    first, page_info = await names(countyCode=CARMARTHENSHIRE, first=1)
    assert first == ["Sooner"] and page_info["hasNextPage"] is True
    rest, page_info = await names(countyCode=CARMARTHENSHIRE, after=page_info["endCursor"])
    assert rest == ["Later"] and page_info["hasNextPage"] is False
    anonymous = await gql(client, operation("GrantRounds"), {}, expect_errors=True)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]


async def test_round_times_need_a_zone_and_names_a_sane_length(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, _ = await user_token(client, session, "c@example.org", {Role.COORDINATOR: None})
    bad = round_input(opensAt="2027-01-01T09:00:00", nameEn="x" * 201)
    body = await gql(client, operation("CreateGrantRound"), {"input": bad}, token=token)
    payload = body["data"]["createGrantRound"]
    assert set(user_errors(payload)) == {
        ("opensAt", "TIMEZONE_REQUIRED"),
        ("nameEn", "TOO_LONG"),
    }
    assert await session.scalar(select(func.count()).select_from(GrantRound)) == 0
