"""Personal data in conversations: contact details, withdrawal by reference code, erasure,
flagging and redacting, and who may read a conversation at all."""

from __future__ import annotations

import uuid

from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.auth.principal import Role
from api.conversations.models import Coding, Conversation, ConversationContact, Withdrawal
from tests.conversations.helpers import (
    CARMARTHENSHIRE,
    CEREDIGION,
    add_theme,
    code,
    conversation,
    on,
    person,
    record,
    staffed_campaign,
)
from tests.graphql_client import error_codes, gql, operation

CONTACT = {"name": "Ann Jones", "email": "ann@example.org", "phone": "01267 123456"}


async def _with_contact(client, session):
    staff, campaign = await staffed_campaign(client, session)
    item = conversation(
        campaign["id"], consent={"store": True, "contact": True, "quote": False}, contact=CONTACT
    )
    [created] = await record(client, staff.token, [item])
    return staff, campaign, created


async def _contact_as(client, token, conversation_id):
    body = await gql(client, operation("Conversation"), {"id": conversation_id}, token=token)
    return body["data"]["conversation"]["contact"]


async def test_contact_details_live_apart_and_only_county_coordinators_read_them(
    client, session
) -> None:
    staff, _, created = await _with_contact(client, session)
    stored = await session.get(Conversation, uuid.UUID(created["id"]))
    assert "ann@example.org" not in str(stored.answers)
    assert (await session.get(ConversationContact, stored.id)).email == "ann@example.org"

    assert await _contact_as(client, staff.token, created["id"]) == CONTACT
    here = await person(
        client, session, "here@example.org", {Role.COORDINATOR: frozenset({CARMARTHENSHIRE})}
    )
    assert await _contact_as(client, here.token, created["id"]) == CONTACT
    # An engagement worker of the county reads the conversation, not who to contact.
    engagement = await person(
        client, session, "engage@example.org", {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    )
    assert await _contact_as(client, engagement.token, created["id"]) is None
    # A coordinator elsewhere, who also codes here, still does not.
    elsewhere = await person(
        client,
        session,
        "elsewhere@example.org",
        {
            Role.COORDINATOR: frozenset({CEREDIGION}),
            Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE}),
        },
    )
    assert await _contact_as(client, elsewhere.token, created["id"]) is None


async def test_conversations_are_never_read_without_a_token_or_outside_ones_counties(
    client, session
) -> None:
    _, _, created = await _with_contact(client, session)
    variables = {"id": created["id"]}
    body = await gql(client, operation("Conversation"), variables, expect_errors=True)
    assert error_codes(body) == ["UNAUTHENTICATED"]
    leader = await person(
        client, session, "leader@example.org", {Role.LEADER: frozenset({CARMARTHENSHIRE})}
    )
    body = await gql(
        client, operation("Conversation"), variables, token=leader.token, expect_errors=True
    )
    assert error_codes(body) == ["FORBIDDEN"]
    away = await person(
        client, session, "away@example.org", {Role.ENGAGEMENT: frozenset({CEREDIGION})}
    )
    body = await gql(
        client, operation("Conversation"), variables, token=away.token, expect_errors=True
    )
    assert error_codes(body) == ["NOT_FOUND"]


async def test_withdrawing_by_reference_code_erases_everything_and_leaves_a_count(
    client, session
) -> None:
    staff, campaign, created = await _with_contact(client, session)
    conversation_id = uuid.UUID(created["id"])
    theme = (await add_theme(client, staff.token, campaign["id"], "family"))["theme"]
    assert (await code(client, staff.token, created["id"], [on(theme)]))["round"] == 1
    audits_before = await session.scalar(select(func.count()).select_from(AuditEntry))

    # No account needed; typed in lower case with a space instead of the dash.
    typed = created["referenceCode"].lower().replace("-", " ")
    body = await gql(client, operation("WithdrawConversation"), {"referenceCode": typed})
    known = body["data"]["withdrawConversation"]["message"]

    assert await session.get(Conversation, conversation_id) is None
    assert await session.get(ConversationContact, conversation_id) is None
    assert await session.scalar(select(func.count()).select_from(Coding)) == 0
    rows = (await session.execute(select(Withdrawal))).scalars().all()
    assert [w.campaign_id for w in rows] == [uuid.UUID(campaign["id"])]
    # The tombstone holds no reference code and no id in the clear.
    assert created["referenceCode"] not in rows[0].id_digest
    assert str(conversation_id) not in rows[0].id_digest
    new_audits = (
        await session.scalars(select(AuditEntry).order_by(AuditEntry.id).offset(audits_before))
    ).all()
    assert [(a.action, a.entity_id, a.changes) for a in new_audits] == [
        ("conversation.withdraw", None, {})
    ]

    # An unknown code gets exactly the same answer: codes cannot be probed.
    body = await gql(client, operation("WithdrawConversation"), {"referenceCode": "ACDEF-GHJKM"})
    assert body["data"]["withdrawConversation"]["message"] == known
    body = await gql(client, operation("WithdrawConversation"), {"referenceCode": typed})
    assert body["data"]["withdrawConversation"]["message"] == known

    # The phone sending it again cannot bring it back.
    item = conversation(campaign["id"], id=str(conversation_id))
    [replayed] = await record(client, staff.token, [item])
    assert replayed["status"] == "REJECTED"
    assert replayed["userErrors"][0]["field"] == "id"
    assert await session.get(Conversation, conversation_id) is None


async def test_coordinators_erase_conversations_of_their_county(client, session) -> None:
    _, _, created = await _with_contact(client, session)
    engagement = await person(
        client, session, "engage@example.org", {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    )
    variables = {"id": created["id"]}
    body = await gql(
        client,
        operation("EraseConversation"),
        variables,
        token=engagement.token,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    elsewhere = await person(
        client, session, "else@example.org", {Role.COORDINATOR: frozenset({CEREDIGION})}
    )
    body = await gql(
        client, operation("EraseConversation"), variables, token=elsewhere.token, expect_errors=True
    )
    assert error_codes(body) == ["NOT_FOUND"]
    assert await session.get(Conversation, uuid.UUID(created["id"])) is not None

    here = await person(
        client, session, "here@example.org", {Role.COORDINATOR: frozenset({CARMARTHENSHIRE})}
    )
    body = await gql(client, operation("EraseConversation"), variables, token=here.token)
    assert body["data"]["eraseConversation"]["erasedId"] == created["id"]
    assert await session.get(Conversation, uuid.UUID(created["id"])) is None
    assert await session.get(ConversationContact, uuid.UUID(created["id"])) is None


async def test_personal_data_in_answers_is_flagged_and_redacted_without_auditing_it(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    said = "My name is Sian Evans, email sian@example.org or ring 07700 900123, SA31 1AB."
    item = conversation(campaign["id"], answers=[{"questionKey": "what_matters", "text": said}])
    [created] = await record(client, staff.token, [item])

    body = await gql(client, operation("Conversation"), {"id": created["id"]}, token=staff.token)
    [answer] = body["data"]["conversation"]["answers"]
    assert answer["text"] == said  # stored as given: flagged, not deleted
    spans = {f["kind"]: said[f["start"] : f["end"]] for f in answer["personalData"]}
    assert spans == {
        "NAME": "Sian Evans",
        "EMAIL": "sian@example.org",
        "PHONE": "07700 900123",
        "POSTCODE": "SA31 1AB",
    }

    start = said.index("sian@")
    variables = {
        "conversationId": created["id"],
        "questionKey": "what_matters",
        "start": start,
        "end": start + len("sian@example.org"),
    }
    body = await gql(client, operation("RedactAnswer"), variables, token=staff.token)
    [answer] = body["data"]["redactAnswer"]["conversation"]["answers"]
    assert answer["text"] == said.replace("sian@example.org", "[redacted]")
    assert "EMAIL" not in {f["kind"] for f in answer["personalData"]}
    entries = (
        await session.scalars(
            select(AuditEntry).where(AuditEntry.action == "conversation.redact_answer")
        )
    ).all()
    assert len(entries) == 1
    assert "sian@example.org" not in str(entries[0].changes)
    assert entries[0].changes["characters_removed"]["after"] == len("sian@example.org")

    variables["end"] = 10_000
    body = await gql(client, operation("RedactAnswer"), variables, token=staff.token)
    assert [e["field"] for e in body["data"]["redactAnswer"]["userErrors"]] == ["start"]
