"""Community leaders: nomination, endorsement, invitation, support, and who sees what."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import select

from api.audit.models import AuditEntry
from api.auth.principal import ALL_COUNTIES, Role
from api.db import RequestSession
from api.people.models import CommunityLeader, LeaderContact
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION, make_user, sign_in
from tests.welsh_alphabet import welsh_order

LLANELLI = {"lat": 51.6795, "lon": -4.1620}
ABERYSTWYTH = {"lat": 52.4153, "lon": -4.0829}


async def _community(client: httpx.AsyncClient, where: dict[str, float]) -> str:
    place = await gql(client, operation("PlaceAt"), where)
    return place["data"]["placeAt"]["community"]["id"]


async def _token(
    client: httpx.AsyncClient, session: RequestSession, email: str, roles: Any = None
) -> str:
    await make_user(session, email, roles or {})
    return (await sign_in(client, email))["accessToken"]


async def _nominate(
    client: httpx.AsyncClient, token: str, community_id: str, **extra: Any
) -> dict[str, Any]:
    body = await gql(
        client,
        operation("NominateLeader"),
        {
            "input": {
                "communityId": community_id,
                "name": "Mair Jones",
                "reason": "Runs the Tuesday lunch club",
                "connection": "Chapel deacon, lives on the estate",
                **extra,
            }
        },
        token=token,
    )
    return body["data"]["nominateLeader"]


async def test_nominate_endorse_invite_and_support(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    llanelli = await _community(client, LLANELLI)
    resident = await _token(client, session, "preswylydd@example.org")
    nominated = await _nominate(
        client, resident, llanelli, email="mair@example.org", consentToContact=True
    )
    assert nominated["userErrors"] == []
    leader = nominated["leader"]
    assert (leader["status"], leader["countyCode"]) == ("NOMINATED", CARMARTHENSHIRE)

    coordinator = await _token(
        client, session, "cydlynydd@example.org", {Role.COORDINATOR: {CARMARTHENSHIRE}}
    )
    endorsed = await gql(
        client,
        operation("DecideLeader"),
        {"id": leader["id"], "endorse": True, "version": leader["version"], "note": "Yes"},
        token=coordinator,
    )
    assert endorsed["data"]["decideLeader"]["leader"]["status"] == "ENDORSED"

    invited = (
        await gql(client, operation("InviteLeader"), {"id": leader["id"]}, token=coordinator)
    )["data"]["inviteLeader"]
    assert invited["email"] == "mair@example.org"
    assert invited["leader"]["hasAccount"] is True
    signed_in = await sign_in(client, "mair@example.org", invited["oneTimePassword"])
    assert signed_in["user"]["roles"] == [
        {"role": "LEADER", "allCounties": False, "countyCodes": [CARMARTHENSHIRE]}
    ]

    for kind, hours in (("TRAINING", 3.0), ("MENTORING", 1.5), ("MENTORING", 2.0)):
        recorded = await gql(
            client,
            operation("RecordLeaderSupport"),
            {
                "input": {
                    "leaderId": leader["id"],
                    "kind": kind,
                    "givenOn": "2026-10-01",
                    "hours": hours,
                    "givenBy": "Hywel Dda team",
                }
            },
            token=coordinator,
        )
        assert recorded["data"]["recordLeaderSupport"] == {"ok": True, "userErrors": []}
    report = await gql(
        client,
        operation("LeaderSupportReport"),
        {"countyCode": CARMARTHENSHIRE},
        token=coordinator,
    )
    [line] = report["data"]["leaderSupportReport"]
    assert line["leader"]["name"] == "Mair Jones"
    assert line["support"] == [
        {"kind": "TRAINING", "times": 1, "hours": 3.0},
        {"kind": "MENTORING", "times": 2, "hours": 3.5},
    ]


async def test_contact_details_need_consent_and_are_never_audited(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    llanelli = await _community(client, LLANELLI)
    token = await _token(client, session, "preswylydd@example.org")
    refused = await _nominate(client, token, llanelli, phone="01554 123456")
    assert [e["field"] for e in refused["userErrors"]] == ["consentToContact"]
    assert await session.scalar(select(CommunityLeader.id)) is None
    kept = await _nominate(client, token, llanelli, phone="01554 123456", consentToContact=True)
    contact = await session.get(LeaderContact, kept["leader"]["id"])
    assert contact is not None and contact.phone == "01554 123456"
    changes = await session.scalars(
        select(AuditEntry.changes).where(AuditEntry.entity_id == kept["leader"]["id"])
    )
    assert "01554" not in str(changes.all())


async def test_contact_details_only_for_coordinators_of_the_county(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    llanelli = await _community(client, LLANELLI)
    nominator = await _token(client, session, "preswylydd@example.org")
    await _nominate(client, nominator, llanelli, email="mair@example.org", consentToContact=True)
    readers = {
        "coordinator": ({Role.COORDINATOR: {CARMARTHENSHIRE}}, "mair@example.org"),
        "engagement": ({Role.ENGAGEMENT: {CARMARTHENSHIRE}}, None),
    }
    for name, (roles, expected) in readers.items():
        token = await _token(client, session, f"{name}@example.org", roles)
        body = await gql(
            client, operation("CommunityLeaders"), {"communityId": llanelli}, token=token
        )
        [leader] = body["data"]["communityLeaders"]
        assert (leader["contact"] or {}).get("email") == expected, name
    elsewhere = await _token(
        client, session, "ceredigion@example.org", {Role.COORDINATOR: {CEREDIGION}}
    )
    body = await gql(
        client,
        operation("CommunityLeaders"),
        {"communityId": llanelli},
        token=elsewhere,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    public = await gql(
        client, operation("CommunityLeaders"), {"communityId": llanelli}, expect_errors=True
    )
    assert error_codes(public) == ["UNAUTHENTICATED"]


async def test_nominating_outside_ones_counties_is_refused(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    aberystwyth = await _community(client, ABERYSTWYTH)
    leader = await _token(
        client, session, "arweinydd@example.org", {Role.LEADER: {CARMARTHENSHIRE}}
    )
    body = await gql(
        client,
        operation("NominateLeader"),
        {"input": {"communityId": aberystwyth, "name": "X", "reason": "Y", "connection": "Z"}},
        token=leader,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    inside = await _nominate(client, leader, await _community(client, LLANELLI))
    assert inside["userErrors"] == []


@pytest.mark.parametrize(
    ("extra", "field"),
    [
        ({"name": "  "}, "name"),
        ({"reason": "x" * 2001}, "reason"),
        ({"email": "not-an-email", "consentToContact": True}, "email"),
        ({"communityId": "00000000-0000-0000-0000-000000000000"}, "communityId"),
    ],
)
async def test_bad_nominations_name_the_field(
    client: httpx.AsyncClient, session: RequestSession, extra: dict, field: str
) -> None:
    token = await _token(client, session, "preswylydd@example.org")
    community = await _community(client, LLANELLI)
    refused = await _nominate(client, token, extra.pop("communityId", community), **extra)
    assert [e["field"] for e in refused["userErrors"]] == [field]
    assert await session.scalar(select(CommunityLeader.id)) is None


async def test_only_county_coordinators_decide_and_only_once(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _token(client, session, "preswylydd@example.org")
    leader = (await _nominate(client, token, await _community(client, LLANELLI)))["leader"]
    other = await _token(client, session, "other@example.org", {Role.COORDINATOR: {CEREDIGION}})
    refused = await gql(
        client,
        operation("DecideLeader"),
        {"id": leader["id"], "endorse": True},
        token=other,
        expect_errors=True,
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    admin = await _token(client, session, "admin@example.org", {Role.ADMIN: ALL_COUNTIES})
    declined = await gql(
        client, operation("DecideLeader"), {"id": leader["id"], "endorse": False}, token=admin
    )
    assert declined["data"]["decideLeader"]["leader"]["status"] == "DECLINED"
    again = await gql(
        client, operation("DecideLeader"), {"id": leader["id"], "endorse": True}, token=admin
    )
    assert [e["code"] for e in again["data"]["decideLeader"]["userErrors"]] == ["CONFLICT"]
    support = await gql(
        client,
        operation("RecordLeaderSupport"),
        {
            "input": {
                "leaderId": leader["id"],
                "kind": "TRAINING",
                "givenOn": "2026-10-01",
                "hours": 1,
                "givenBy": "Tîm",
            }
        },
        token=admin,
    )
    assert [e["field"] for e in support["data"]["recordLeaderSupport"]["userErrors"]] == [
        "leaderId"
    ]


async def test_bad_support_records_name_the_field(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _token(client, session, "preswylydd@example.org")
    leader = (await _nominate(client, token, await _community(client, LLANELLI)))["leader"]
    admin = await _token(client, session, "admin@example.org", {Role.ADMIN: ALL_COUNTIES})
    await gql(client, operation("DecideLeader"), {"id": leader["id"], "endorse": True}, token=admin)
    body = await gql(
        client,
        operation("RecordLeaderSupport"),
        {
            "input": {
                "leaderId": leader["id"],
                "kind": "FUNDING",
                "givenOn": "2999-01-01",
                "hours": -1,
                "givenBy": "",
            }
        },
        token=admin,
    )
    fields = {e["field"] for e in body["data"]["recordLeaderSupport"]["userErrors"]}
    assert fields == {"hours", "givenOn", "givenBy"}


async def test_leaders_are_listed_by_name_in_the_readers_alphabet(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    llanelli = await _community(client, LLANELLI)
    nominator = await _token(client, session, "preswylydd@example.org")
    names = ["Lowri Evans", "Llinos Huws", "Lewis Thomas", "Rhys Owen", "Robert Rees"]
    nominated = [(await _nominate(client, nominator, llanelli, name=n))["leader"] for n in names]
    coordinator = await _token(
        client, session, "cydlynydd@example.org", {Role.COORDINATOR: {CARMARTHENSHIRE}}
    )
    for leader in nominated:
        await gql(
            client,
            operation("DecideLeader"),
            {"id": leader["id"], "endorse": True, "version": leader["version"], "note": "Ie"},
            token=coordinator,
        )

    async def listed(language: str) -> tuple[list[str], list[str]]:
        leaders = await gql(
            client,
            operation("CommunityLeaders"),
            {"communityId": llanelli},
            token=coordinator,
            language=language,
        )
        report = await gql(
            client,
            operation("LeaderSupportReport"),
            {"countyCode": CARMARTHENSHIRE},
            token=coordinator,
            language=language,
        )
        return (
            [leader["name"] for leader in leaders["data"]["communityLeaders"]],
            [line["leader"]["name"] for line in report["data"]["leaderSupportReport"]],
        )

    # In Welsh, ll comes after l and rh after r: Lowri before Llinos, Robert before Rhys.
    welsh = sorted(names, key=welsh_order)
    assert welsh != sorted(names)
    assert await listed("cy") == (welsh, welsh)
    assert await listed("en") == (sorted(names), sorted(names))
