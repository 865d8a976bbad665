"""Second coders: drawn at random among those who may code in the county, never the first
coder; each coder's queue; conversations nobody can second-code; reassignment."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from api.audit.models import AuditEntry
from api.auth.principal import ALL_COUNTIES, Role
from api.conversations.models import Conversation
from api.people import repository as people_repository
from api.people import service as people
from api.people.service import GrantInput
from tests.conversations.helpers import (
    ABERYSTWYTH,
    CARMARTHENSHIRE,
    CEREDIGION,
    Person,
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

    # The second coder moves to another county, and nobody is left to draw (the
    # coordinator coded first): the coordinator sees the second codings wait again.
    await people.set_user_roles(
        session, SETUP_ADMIN, late.id, [GrantInput(Role.ENGAGEMENT, county_codes=(CEREDIGION,))]
    )
    assert await _waiting(client, campaign, coordinator.token) == waiting
    assert await _queue(client, campaign, late) == []
    body = await code(client, late.token, first, [on(theme)], expect_errors=True)
    assert error_codes(body) == ["NOT_FOUND"]

    # Grants taken away outside the API (by hand in the database) leave a coder who may no
    # longer code: the coordinator sees who is stuck.
    back = await person(client, session, "back@example.org", {Role.ENGAGEMENT: HERE})
    await reassign(client, coordinator.token, first, back.id)
    await people_repository.remove_grants(
        session, back.id, [(Role.ENGAGEMENT.value, CARMARTHENSHIRE)]
    )
    stuck = [("CODER_CANNOT_CODE", first), ("UNASSIGNED", made[1]["id"])]
    assert await _waiting(client, campaign, coordinator.token) == stuck


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


# --- a second coder who may no longer code ---------------------------------------------------


async def _set_roles(client, admin, who, roles):
    grants = [{"role": role.value, "countyCodes": sorted(scope)} for role, scope in roles.items()]
    body = await gql(
        client, operation("SetUserRoles"), {"userId": str(who.id), "roles": grants}, token=admin
    )
    assert body["data"]["setUserRoles"]["userErrors"] == []


async def _handed_on(session, made):
    """Each conversation's audit entries of a second coder given: (actor, before, after)."""
    rows = await session.execute(
        select(AuditEntry.entity_id, AuditEntry.actor_id, AuditEntry.changes)
        .where(
            AuditEntry.action == "conversation.second_coder_assigned",
            AuditEntry.entity_id.in_([m["id"] for m in made]),
        )
        .order_by(AuditEntry.id)
    )
    found = {}
    for entity_id, actor, changes in rows.all():
        change = changes["secondCoderId"]
        found.setdefault(entity_id, []).append((actor, change["before"], change["after"]))
    return found


@dataclass(frozen=True)
class Coded:
    admin: str  # a token
    admin_id: uuid.UUID
    campaign: dict
    theme: dict
    made: list[dict]
    first: Person
    second: Person


async def _coded_by(client, session, n, first_roles, second_roles):
    """n conversations first coded by `first` with `second` the only other coder then, so
    each second coding is theirs."""
    admin, campaign, theme, made = await _double_coded(client, session, n)
    first = await person(client, session, "first@example.org", first_roles)
    second = await person(client, session, "second@example.org", second_roles)
    for item in made:
        await code(client, first.token, item["id"], [on(theme)])
    assert set((await _second_coders(session, made)).values()) == {second.id}
    admin_id = (await gql(client, "{ me { id } }", token=admin))["data"]["me"]["id"]
    return Coded(admin, uuid.UUID(admin_id), campaign, theme, made, first, second)


async def test_a_second_coder_who_loses_the_role_has_their_work_drawn_anew(client, session) -> None:
    it = await _coded_by(client, session, 30, {Role.ENGAGEMENT: HERE}, {Role.ENGAGEMENT: HERE})
    one = await person(client, session, "one@example.org", {Role.ENGAGEMENT: HERE})
    two = await person(client, session, "two@example.org", {Role.COORDINATOR: HERE})
    await _set_roles(client, it.admin, it.second, {Role.LEADER: HERE})

    drawn = await _second_coders(session, it.made)
    # Drawn at random among the two others, never the first coder (all 30 the same one:
    # chance 2 in 2^30).
    assert set(drawn.values()) == {one.id, two.id}
    assert sorted(await _queue(client, it.campaign, one)) == sorted(
        (2, i) for i, c in drawn.items() if c == one.id
    )
    assert await _waiting(client, it.campaign, two.token) == []
    audited = await _handed_on(session, it.made)
    assert audited == {i: [(it.admin_id, str(it.second.id), str(c))] for i, c in drawn.items()}


async def test_a_second_coder_who_loses_a_county_keeps_the_work_of_the_others(
    client, session
) -> None:
    both = frozenset({CARMARTHENSHIRE, CEREDIGION})
    admin, campaign, theme, made = await _double_coded(client, session, 2)
    [away] = await record(client, admin, [conversation(campaign["id"], location=ABERYSTWYTH)])
    first = await person(client, session, "first@example.org", {Role.ENGAGEMENT: both})
    second = await person(client, session, "second@example.org", {Role.ENGAGEMENT: both})
    for item in [*made, away]:
        await code(client, first.token, item["id"], [on(theme)])
    assert set((await _second_coders(session, [*made, away])).values()) == {second.id}
    other = await person(client, session, "other@example.org", {Role.ENGAGEMENT: HERE})

    await _set_roles(client, admin, second, {Role.ENGAGEMENT: frozenset({CEREDIGION})})
    drawn = await _second_coders(session, [*made, away])
    assert drawn == {made[0]["id"]: other.id, made[1]["id"]: other.id, away["id"]: second.id}
    assert await _queue(client, campaign, second) == [(2, away["id"])]
    assert list(await _handed_on(session, [away])) == []


async def test_a_deactivated_second_coder_has_their_work_drawn_anew(client, session) -> None:
    it = await _coded_by(client, session, 3, {Role.COORDINATOR: HERE}, {Role.ENGAGEMENT: HERE})
    other = await person(client, session, "other@example.org", {Role.ENGAGEMENT: ALL_COUNTIES})
    body = await gql(
        client, operation("DeactivateUser"), {"userId": str(it.second.id)}, token=it.admin
    )
    assert body["data"]["deactivateUser"]["user"]["active"] is False
    assert set((await _second_coders(session, it.made)).values()) == {other.id}
    assert await _waiting(client, it.campaign, it.first.token) == []
    assert len(await _handed_on(session, it.made)) == 3


async def test_with_nobody_else_the_lost_second_codings_wait_for_a_coordinator(
    client, session
) -> None:
    # The county's coordinator coded first, and is the only coder left after the change.
    it = await _coded_by(client, session, 2, {Role.COORDINATOR: HERE}, {Role.ENGAGEMENT: HERE})
    await _set_roles(client, it.admin, it.second, {})
    assert set((await _second_coders(session, it.made)).values()) == {None}
    assert await _waiting(client, it.campaign, it.first.token) == [
        ("UNASSIGNED", m["id"]) for m in it.made
    ]
    audited = await _handed_on(session, it.made)
    assert audited == {m["id"]: [(it.admin_id, str(it.second.id), None)] for m in it.made}

    late = await person(client, session, "late@example.org", {Role.ENGAGEMENT: HERE})
    drawn = await reassign(client, it.first.token, it.made[0]["id"])
    assert drawn["conversation"]["coding"]["secondCoderId"] == str(late.id)
    assert await _waiting(client, it.campaign, it.first.token) == [("UNASSIGNED", it.made[1]["id"])]


async def test_a_first_coder_who_loses_the_role_still_counts(client, session) -> None:
    """Their codings are the analysis: the theme report, agreement and the queues keep
    them whether they may still code or not."""
    it = await _coded_by(client, session, 2, {Role.ENGAGEMENT: HERE}, {Role.ENGAGEMENT: HERE})
    await code(client, it.second.token, it.made[0]["id"], [on(it.theme)])

    async def figures():
        variables = {"campaignId": it.campaign["id"]}
        report = await gql(client, operation("ThemeReport"), variables, token=it.admin)
        agreement = await gql(client, operation("CodingAgreement"), variables, token=it.admin)
        return report["data"], agreement["data"]

    before = await figures()
    await _set_roles(client, it.admin, it.first, {Role.LEADER: HERE})
    await gql(client, operation("DeactivateUser"), {"userId": str(it.first.id)}, token=it.admin)
    assert await figures() == before
    report, agreement = before
    assert report["themeReport"]["codedConversations"] == 2
    assert agreement["codingAgreement"]["overall"]["conversations"] == 1
    # Still coded: nobody is asked to code them first again; the second coder keeps theirs.
    assert await _queue(client, it.campaign, it.second) == [(2, it.made[1]["id"])]
