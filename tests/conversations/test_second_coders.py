"""Second coders: drawn at random among those who may code in the county, never the first
coder; each coder's queue; conversations nobody can second-code; reassignment."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from api.auth.principal import ALL_COUNTIES, Role
from api.conversations.models import Conversation
from api.people import service as people
from api.people.service import GrantInput
from tests.conversations.helpers import (
    CARMARTHENSHIRE,
    CEREDIGION,
    add_theme,
    code,
    conversation,
    create_campaign,
    on,
    person,
    record,
)
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import SETUP_ADMIN, admin_token, audit_actions

HERE = frozenset({CARMARTHENSHIRE})  # where conversation() is held


async def _double_coded(client, session, n):
    """An ADMIN (who never codes) sets up a campaign where every conversation is double
    coded, and records n of them; returns (admin token, campaign, theme, conversations)."""
    admin = await admin_token(client, session)
    campaign = await create_campaign(client, admin, doubleCodingShare=1.0)
    theme = (await add_theme(client, admin, campaign["id"], "family"))["theme"]
    made = await record(client, admin, [conversation(campaign["id"]) for _ in range(n)])
    return admin, campaign, theme, made


async def reassign(client, token, conversation_id, coder_id=None, **kwargs):
    body = await gql(
        client,
        operation("ReassignSecondCoder"),
        {"conversationId": conversation_id, "coderId": str(coder_id) if coder_id else None},
        token=token,
        **kwargs,
    )
    return body if "errors" in body else body["data"]["reassignSecondCoder"]


async def _second_coders(session, made):
    rows = await session.execute(
        select(Conversation.id, Conversation.second_coder_id).where(
            Conversation.id.in_([uuid.UUID(m["id"]) for m in made])
        )
    )
    return {str(i): coder for i, coder in rows.all()}


async def _queue(client, campaign, who):
    body = await gql(
        client, operation("CodingQueue"), {"campaignId": campaign["id"]}, token=who.token
    )
    return [(t["round"], t["conversation"]["id"]) for t in body["data"]["codingQueue"]]


async def _waiting(client, campaign, token):
    body = await gql(
        client, operation("SecondCodingsWaiting"), {"campaignId": campaign["id"]}, token=token
    )
    return [(w["hold"], w["conversation"]["id"]) for w in body["data"]["secondCodingsWaiting"]]


async def test_with_one_other_coder_in_the_county_the_second_coder_is_always_them(
    client, session
) -> None:
    # A draw that could pick the first coder would do so about half the time: 30 tries.
    _, campaign, theme, made = await _double_coded(client, session, 30)
    first = await person(client, session, "first@example.org", {Role.ENGAGEMENT: HERE})
    other = await person(client, session, "other@example.org", {Role.ENGAGEMENT: HERE})
    for item in made:
        assert (await code(client, first.token, item["id"], [on(theme)]))["round"] == 1
    assert set((await _second_coders(session, made)).values()) == {other.id}
    assert await _queue(client, campaign, first) == []
    assert sorted(await _queue(client, campaign, other)) == sorted((2, m["id"]) for m in made)


async def test_second_coders_are_drawn_at_random_among_those_who_may_code_there(
    client, session
) -> None:
    _, campaign, theme, made = await _double_coded(client, session, 30)
    first = await person(client, session, "first@example.org", {Role.ENGAGEMENT: HERE})
    engagement = await person(client, session, "eng@example.org", {Role.ENGAGEMENT: HERE})
    coordinator = await person(
        client, session, "coord@example.org", {Role.COORDINATOR: ALL_COUNTIES}
    )
    # Nobody else may code in Carmarthenshire: another county, another role, switched off.
    await person(client, session, "away@example.org", {Role.ENGAGEMENT: frozenset({CEREDIGION})})
    await person(client, session, "leader@example.org", {Role.LEADER: HERE})
    await person(client, session, "panel@example.org", {Role.PANEL: ALL_COUNTIES})
    gone = await person(client, session, "gone@example.org", {Role.ENGAGEMENT: HERE})
    await people.deactivate_user(session, SETUP_ADMIN, gone.id)

    for item in made:
        await code(client, first.token, item["id"], [on(theme)])
    drawn = list((await _second_coders(session, made)).values())
    # Both eligible coders are drawn (all 30 the same one: chance 2 in 2^30).
    assert set(drawn) == {engagement.id, coordinator.id}

    # Each coder's queue holds the second codings given to them, and only those.
    for who in (engagement, coordinator):
        mine = {i for i, c in (await _second_coders(session, made)).items() if c == who.id}
        assert {i for r, i in await _queue(client, campaign, who) if r == 2} == mine
        theirs = next(i for i, c in (await _second_coders(session, made)).items() if c != who.id)
        refused = await code(client, who.token, theirs, [on(theme)])
        assert [e["code"] for e in refused["userErrors"]] == ["CONFLICT"]
    assert await _waiting(client, campaign, coordinator.token) == []


async def test_with_nobody_to_draw_a_second_coding_waits_for_a_coordinator(client, session) -> None:
    _, campaign, theme, made = await _double_coded(client, session, 2)
    # The county's coordinator is its only coder, so codes first with nobody to draw.
    coordinator = await person(client, session, "coord@example.org", {Role.COORDINATOR: HERE})
    for item in made:
        await code(client, coordinator.token, item["id"], [on(theme)])
    assert set((await _second_coders(session, made)).values()) == {None}
    waiting = [("UNASSIGNED", m["id"]) for m in made]
    assert await _waiting(client, campaign, coordinator.token) == waiting

    first = made[0]["id"]
    refused = await reassign(client, coordinator.token, first, coordinator.id)
    assert [(e["field"], e["code"]) for e in refused["userErrors"]] == [
        ("coderId", "BAD_USER_INPUT")
    ]
    refused = await reassign(client, coordinator.token, first)
    assert [e["field"] for e in refused["userErrors"]] == ["coderId"]

    late = await person(client, session, "late@example.org", {Role.ENGAGEMENT: HERE})
    drawn = await reassign(client, coordinator.token, first)
    assert drawn["conversation"]["coding"]["secondCoderId"] == str(late.id)
    named = await reassign(client, coordinator.token, made[1]["id"], late.id)
    assert named["conversation"]["coding"]["secondCoderId"] == str(late.id)
    assert await _waiting(client, campaign, coordinator.token) == []
    assert sorted(await _queue(client, campaign, late)) == sorted((2, m["id"]) for m in made)

    # The second coder moves to another county: the coordinator sees who is stuck.
    await people.set_user_roles(
        session, SETUP_ADMIN, late.id, [GrantInput(Role.ENGAGEMENT, county_codes=(CEREDIGION,))]
    )
    stuck = [("CODER_CANNOT_CODE", m["id"]) for m in made]
    assert await _waiting(client, campaign, coordinator.token) == stuck
    assert await _queue(client, campaign, late) == []
    body = await code(client, late.token, first, [on(theme)], expect_errors=True)
    assert error_codes(body) == ["NOT_FOUND"]


async def test_reassignment_rules(client, session) -> None:
    admin, _, theme, made = await _double_coded(client, session, 2)
    coordinator = await person(client, session, "coord@example.org", {Role.COORDINATOR: HERE})
    first = await person(client, session, "first@example.org", {Role.ENGAGEMENT: HERE})
    elsewhere = await person(
        client, session, "away@example.org", {Role.COORDINATOR: frozenset({CEREDIGION})}
    )
    leader = await person(client, session, "leader@example.org", {Role.LEADER: HERE})
    done, uncoded = made[0]["id"], made[1]["id"]

    def errors(payload):
        return [(e["field"], e["code"]) for e in payload["userErrors"]]

    assert errors(await reassign(client, coordinator.token, uncoded, first.id)) == [
        ("conversationId", "CONFLICT")
    ]
    await code(client, first.token, done, [on(theme)])
    assert (await _second_coders(session, made))[done] == coordinator.id
    for who, expected in ((first, "FORBIDDEN"), (elsewhere, "NOT_FOUND")):
        body = await reassign(client, who.token, done, coordinator.id, expect_errors=True)
        assert error_codes(body) == [expected]
    body = await reassign(client, None, done, expect_errors=True)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    assert errors(await reassign(client, coordinator.token, done, first.id)) == [
        ("coderId", "BAD_USER_INPUT")
    ]
    assert errors(await reassign(client, coordinator.token, done, leader.id)) == [
        ("coderId", "BAD_USER_INPUT")
    ]
    assert errors(await reassign(client, coordinator.token, done, uuid.uuid4())) == [
        ("coderId", "BAD_USER_INPUT")
    ]
    assert (await _second_coders(session, made))[done] == coordinator.id
    assert "conversation.second_coder_assigned" not in await audit_actions(
        session, "conversation", done
    )
    other = await person(client, session, "other@example.org", {Role.ENGAGEMENT: HERE})
    moved = await reassign(client, coordinator.token, done, other.id)
    assert moved["conversation"]["coding"]["secondCoderId"] == str(other.id)
    assert (await audit_actions(session, "conversation", done))[-1] == (
        "conversation.second_coder_assigned"
    )
    assert (await reassign(client, coordinator.token, done, coordinator.id))["userErrors"] == []

    assert (await code(client, coordinator.token, done, [on(theme)]))["round"] == 2
    assert errors(await reassign(client, coordinator.token, done, first.id)) == [
        ("conversationId", "CONFLICT")
    ]

    single = await create_campaign(client, admin, doubleCodingShare=0.0)
    [once] = await record(client, admin, [conversation(single["id"])])
    await code(client, first.token, once["id"], [])
    assert errors(await reassign(client, coordinator.token, once["id"])) == [
        ("conversationId", "CONFLICT")
    ]
