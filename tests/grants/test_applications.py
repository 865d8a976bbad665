"""Applications: writing, checking, submitting while the round is open, and who sees them."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from api.auth.principal import Role
from api.grants.models import GrantApplication
from api.places import service as places
from tests.conftest import StatementCounter
from tests.grants.helpers import application_input, community_ids, make_world, user_token
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION


def codes(payload: dict) -> set[tuple[str, str]]:
    return set(user_errors(payload))


async def _count(session: AsyncSession) -> int:
    return await session.scalar(select(func.count()).select_from(GrantApplication))


async def test_an_applicant_writes_a_draft_for_a_chosen_or_located_community(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    chosen = await world.apply()
    assert chosen["status"] == "DRAFT"
    assert chosen["communityId"] == world.communities[0]
    assert chosen["countyCode"] == CARMARTHENSHIRE

    _, community, _ = await places.place_at(session, 51.8574, -4.3106)  # Carmarthen
    located = await world.apply(communityId=None, point={"lat": 51.8574, "lon": -4.3106})
    assert located["communityId"] == str(community.id)

    welsh = await gql(
        client,
        operation("GrantApplication"),
        {"id": chosen["id"]},
        token=world.applicant,
        language="cy",
    )
    stored = welsh["data"]["grantApplication"]
    assert stored["title"] == "Teithiau cerdded yn y parc"
    assert stored["detail"]["budgetLines"] == [{"item": "Leaflets", "amountPence": 40_000}]


async def test_staff_enter_an_application_for_someone_without_a_smartphone(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    entered = await world.apply(token=world.coordinator)
    stored = await session.get(GrantApplication, entered["id"])
    assert stored.applicant_id is None and stored.entered_by is not None
    submitted = await world.call("SubmitGrantApplication", {"id": entered["id"]}, world.coordinator)
    assert submitted["application"]["status"] == "SUBMITTED"


async def test_bad_applications_name_each_field_and_write_nothing(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    [elsewhere] = await community_ids(session, CEREDIGION, 1)
    cases = [
        (
            {
                "amountRequestedPence": 60_000,
                "budgetLines": [{"item": "Hall", "amountPence": 60_000}],
            },
            {("amountRequestedPence", "AMOUNT_OUTSIDE_TIER")},
        ),
        (
            {"budgetLines": [{"item": "Hall", "amountPence": 1_000}]},
            {("budgetLines", "BUDGET_NOT_SUMMING")},
        ),
        ({"communityId": elsewhere}, {("communityId", "COMMUNITY_OUTSIDE_ROUND")}),
        (
            {"communityId": None, "point": {"lat": 48.85, "lon": 2.35}},
            {("communityId", "COMMUNITY_NOT_FOUND")},
        ),
        (
            {"startsOn": "2027-05-01", "endsOn": "2027-04-01", "groupName": " "},
            {("endsOn", "DATES_OUT_OF_ORDER"), ("groupName", "REQUIRED")},
        ),
        (
            {"groupName": "G" * 201, "contact": "c" * 501},
            {("groupName", "TOO_LONG"), ("contact", "TOO_LONG")},
        ),
    ]
    for overrides, expected in cases:
        input_ = application_input(overrides.pop("communityId", world.communities[0]), **overrides)
        payload = await world.call(
            "CreateGrantApplication", {"roundId": world.round_id, "input": input_}, world.applicant
        )
        assert payload["application"] is None
        assert codes(payload) == expected, overrides
    assert await _count(session) == 0


async def test_an_applicant_edits_only_their_own_draft(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    other = await world.other_applicant()
    draft = await world.apply()
    changed = application_input(world.communities[1], titleEn="Park walks and talks")
    variables = {"id": draft["id"], "input": changed, "version": draft["version"]}

    refused = await gql(
        client, operation("UpdateGrantApplication"), variables, token=other, expect_errors=True
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    hidden = await gql(
        client, operation("GrantApplication"), {"id": draft["id"]}, token=other, expect_errors=True
    )
    assert error_codes(hidden) == ["FORBIDDEN"]

    updated = await world.call("UpdateGrantApplication", variables, world.applicant)
    assert updated["application"]["title"] == "Park walks and talks"
    assert updated["application"]["communityId"] == world.communities[1]
    stale = await world.call("UpdateGrantApplication", variables, world.applicant)
    assert codes(stale) == {("version", "CONFLICT")}

    await world.call("SubmitGrantApplication", {"id": draft["id"]}, world.applicant)
    variables["version"] = None
    locked = await world.call("UpdateGrantApplication", variables, world.applicant)
    assert codes(locked) == {("id", "NOT_EDITABLE")}


async def test_an_applicant_lists_only_their_own_applications(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    other = await world.other_applicant()
    mine = await world.apply()
    theirs = await world.apply(token=other)

    async def listed(token: str) -> list[str]:
        body = await gql(
            client, operation("GrantApplications"), {"roundId": world.round_id}, token=token
        )
        return [e["node"]["id"] for e in body["data"]["grantApplications"]["edges"]]

    assert await listed(world.applicant) == [mine["id"]]
    assert await listed(other) == [theirs["id"]]
    assert sorted(await listed(world.coordinator)) == sorted([mine["id"], theirs["id"]])


async def test_an_applicant_applies_only_in_their_county(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    outsider, _ = await user_token(
        client, session, "cere@example.org", {Role.APPLICANT: {CEREDIGION}}
    )
    body = await gql(
        client,
        operation("CreateGrantApplication"),
        {"roundId": world.round_id, "input": application_input(world.communities[0])},
        token=outsider,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]


async def test_submission_checks_completeness_and_records_the_transition(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    draft = await world.apply(descriptionEn=None, budgetLines=[], fiveWays=[], startsOn=None)
    incomplete = await world.call("SubmitGrantApplication", {"id": draft["id"]}, world.applicant)
    assert codes(incomplete) == {
        ("descriptionEn", "APPLICATION_INCOMPLETE"),
        ("budgetLines", "APPLICATION_INCOMPLETE"),
        ("fiveWays", "APPLICATION_INCOMPLETE"),
        ("startsOn", "APPLICATION_INCOMPLETE"),
    }

    complete = await world.apply()
    submitted = await world.call("SubmitGrantApplication", {"id": complete["id"]}, world.applicant)
    assert submitted["application"]["status"] == "SUBMITTED"
    body = await gql(
        client, operation("GrantApplication"), {"id": complete["id"]}, token=world.applicant
    )
    [transition] = body["data"]["grantApplication"]["transitions"]
    assert (transition["fromStatus"], transition["toStatus"]) == ("DRAFT", "SUBMITTED")
    assert transition["actorId"] and transition["at"]


@pytest.mark.parametrize(
    ("opens", "closes", "code"),
    [
        (timedelta(days=-30), timedelta(seconds=-1), "ROUND_CLOSED"),
        (timedelta(days=1), timedelta(days=30), "ROUND_NOT_OPEN"),
    ],
)
async def test_submission_only_while_the_round_is_open(
    client: httpx.AsyncClient,
    session: AsyncSession,
    opens: timedelta,
    closes: timedelta,
    code: str,
) -> None:
    now = datetime.now(UTC)
    world = await make_world(
        client,
        session,
        panel_size=0,
        opensAt=(now + opens).isoformat(),
        closesAt=(now + closes).isoformat(),
    )
    draft = await world.apply()
    refused = await world.call("SubmitGrantApplication", {"id": draft["id"]}, world.applicant)
    assert codes(refused) == {("roundId", code)}
    stored = await session.get(GrantApplication, draft["id"])
    await session.refresh(stored)
    assert stored.status == "DRAFT"


async def test_listing_with_history_takes_the_same_statements_for_any_number(
    client: httpx.AsyncClient, session: AsyncSession, count_statements: StatementCounter
) -> None:
    world = await make_world(client, session, panel_size=0)

    async def statements() -> int:
        before = count_statements.count
        body = await gql(
            client,
            operation("GrantApplicationsWithHistory"),
            {"roundId": world.round_id},
            token=world.coordinator,
        )
        edges = body["data"]["grantApplications"]["edges"]
        assert all(e["node"]["transitions"] for e in edges)
        return count_statements.count - before

    await world.in_review()
    one = await statements()
    for _ in range(3):
        await world.in_review()
    assert await statements() == one


async def test_a_draft_written_offline_is_stored_once(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    world = await make_world(client, session, panel_size=0)
    client_id = str(uuid.uuid4())
    variables = {
        "roundId": world.round_id,
        "input": application_input(world.communities[0]),
        "id": client_id,
    }
    first = await world.call("CreateGrantApplication", variables, world.applicant)
    again = await world.call("CreateGrantApplication", variables, world.applicant)
    assert first["application"]["id"] == again["application"]["id"] == client_id
    assert again["application"]["version"] == first["application"]["version"]
    assert await _count(session) == 1

    variables["input"] = application_input(world.communities[0], titleEn="Something else")
    changed = await world.call("CreateGrantApplication", variables, world.applicant)
    assert codes(changed) == {("id", "CONFLICT")}
    stored = await session.get(GrantApplication, client_id)
    await session.refresh(stored)
    assert stored.title_en == "Park walks"
