"""recordConversations: per-item outcomes, replay, consent, coarse places, bad input."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.auth.principal import Role
from api.conversations import reference
from api.conversations.inputs import (
    AgeBand,
    AnswerIn,
    Channel,
    ConsentIn,
    ContactIn,
    ConversationIn,
    ProfileIn,
)
from api.conversations.models import Conversation, ConversationContact, Tally
from api.conversations.reference import ALPHABET
from api.places.models import Community, CommunitySet
from api.shared.batch import fingerprint
from tests.conversations.helpers import (
    ABERYSTWYTH,
    CARDIFF,
    CARMARTHENSHIRE,
    CEREDIGION,
    conversation,
    person,
    record,
    staffed_campaign,
)
from tests.graphql_client import error_codes, gql, operation


async def _count(session, model=Conversation) -> int:
    return await session.scalar(select(func.count()).select_from(model))


async def test_recording_stores_a_coarse_place_and_gives_a_reference_code(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    item = conversation(
        campaign["id"], profile={"ageBand": "AGE_25_44", "postcodeDistrict": "sa31"}
    )
    [result] = await record(client, staff.token, [item])
    assert result["status"] == "CREATED"
    assert result["id"] == item["id"]
    assert result["userErrors"] == []
    code = result["referenceCode"]
    assert len(code) == 11 and code[5] == "-"
    assert set(code.replace("-", "")) <= set(ALPHABET)
    assert not set(code) & set("0O1IL5S2Z8B")

    stored = await session.get(Conversation, uuid.UUID(item["id"]))
    assert stored.county_code == CARMARTHENSHIRE
    assert stored.community_id is not None
    # Coarsened: the community only; the point itself is nowhere in the row.
    assert stored.grid_ref is None
    row = {c.name: getattr(stored, c.key) for c in Conversation.__table__.columns}
    assert "51.8573" not in str(row) and "-4.3121" not in str(row)
    assert stored.postcode_district == "SA31"
    assert stored.age_band == "AGE_25_44"


async def test_a_replayed_batch_changes_nothing(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    items = [conversation(campaign["id"]) for _ in range(3)]
    first = await record(client, staff.token, items)
    assert [r["status"] for r in first] == ["CREATED"] * 3
    conversations, audits = await _count(session), await _count(session, AuditEntry)

    body = await gql(client, operation("RecordConversations"), {"input": items}, token=staff.token)
    again = body["data"]["recordConversations"]["results"]
    assert [r["status"] for r in again] == ["UNCHANGED"] * 3
    assert [r["referenceCode"] for r in again] == [r["referenceCode"] for r in first]
    assert await _count(session) == conversations
    assert await _count(session, AuditEntry) == audits

    changed = {**items[0], "answers": [{"questionKey": "what_matters", "text": "Something else"}]}
    [conflict] = await record(client, staff.token, [changed])
    assert conflict["status"] == "CONFLICT"
    assert conflict["referenceCode"] is None
    assert [e["code"] for e in conflict["userErrors"]] == ["CONFLICT"]
    stored = await session.get(Conversation, uuid.UUID(items[0]["id"]))
    await session.refresh(stored)
    assert stored.answers["what_matters"] == "My family and the park."


async def test_one_bad_item_never_loses_the_others_and_refused_consent_stores_nothing(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    refused = conversation(campaign["id"], consent={"store": False})
    items = [conversation(campaign["id"]), refused, conversation(campaign["id"])]
    results = await record(client, staff.token, items)
    assert [r["status"] for r in results] == ["CREATED", "REJECTED", "CREATED"]
    assert [r["id"] for r in results] == [i["id"] for i in items]
    [error] = results[1]["userErrors"]
    assert error["field"] == "consent.store"
    assert "consent" in error["message"]
    assert results[1]["referenceCode"] is None
    assert await session.get(Conversation, uuid.UUID(refused["id"])) is None
    assert await _count(session) == 2


async def test_a_batch_costs_the_same_statements_whatever_its_size(
    client, session, count_statements
) -> None:
    staff, campaign = await staffed_campaign(client, session)

    async def statements(n: int) -> int:
        items = [conversation(campaign["id"], contact=None) for _ in range(n)]
        # Contact details (with consent) take their own table: include some in each batch.
        items[0] = conversation(
            campaign["id"],
            consent={"store": True, "contact": True},
            contact={"name": "Ann", "email": "ann@example.org"},
        )
        start = count_statements.count
        results = await record(client, staff.token, items)
        assert {r["status"] for r in results} == {"CREATED"}
        return count_statements.count - start

    assert await statements(5) == await statements(500)


async def test_each_stored_conversation_has_its_own_audit_entry(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    items = [conversation(campaign["id"]), conversation(campaign["id"], consent={"store": False})]
    await record(client, staff.token, items)
    entries = (
        await session.scalars(select(AuditEntry).where(AuditEntry.action == "conversation.record"))
    ).all()
    assert [(e.entity_type, e.entity_id, e.actor_id) for e in entries] == [
        ("conversation", items[0]["id"], staff.id)
    ]
    assert entries[0].request_id  # the request that stored it, as every entry has
    assert entries[0].changes == {
        "campaign_id": {"before": None, "after": campaign["id"]},
        "county_code": {"before": None, "after": CARMARTHENSHIRE},
    }


async def test_a_reference_code_drawn_twice_is_drawn_again_and_nothing_is_lost(
    client, session, monkeypatch
) -> None:
    """A batch is copied in whole or not at all: a row whose code is taken (or whose id a
    racing resend stored meanwhile) fails the copy, and the batch is inserted by the
    statement that skips such rows, the skipped one then getting a fresh code."""
    staff, campaign = await staffed_campaign(client, session)
    [first] = await record(client, staff.token, [conversation(campaign["id"])])
    drawn = reference.new_codes
    draws: list[int] = []

    def taken_first(n: int) -> list[str]:
        draws.append(n)
        codes = drawn(n)
        return [first["referenceCode"], *codes[1:]] if len(draws) == 1 else codes

    monkeypatch.setattr(reference, "new_codes", taken_first)
    items = [conversation(campaign["id"]) for _ in range(3)]
    made = await record(client, staff.token, items)
    assert [m["status"] for m in made] == ["CREATED"] * 3
    codes = {first["referenceCode"], *(m["referenceCode"] for m in made)}
    assert len(codes) == 4
    assert draws == [3, 1]  # the batch's codes, then one for the row that was skipped
    ids = [uuid.UUID(i["id"]) for i in items]
    stored = await session.scalars(
        select(Conversation.reference_code).where(Conversation.id.in_(ids))
    )
    assert set(stored.all()) == {m["referenceCode"] for m in made}
    # Counted and audited once each, whichever way they went in.
    tallied = await session.scalar(
        select(Tally.n).where(Tally.campaign_id == campaign["id"], Tally.dimension == "county")
    )
    assert tallied == 4
    audited = await session.scalar(
        select(func.count())
        .select_from(AuditEntry)
        .where(AuditEntry.action == "conversation.record")
    )
    assert audited == 4


async def test_a_batch_over_500_is_refused_whole(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    items = [conversation(campaign["id"]) for _ in range(501)]
    body = await record(client, staff.token, items, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "input"
    assert await _count(session) == 0


async def test_bad_input_names_the_field_and_stores_nothing_of_that_item(
    client, session, settings
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    c = campaign["id"]
    too_long = "a" * (settings.conversation_text_max_chars + 1)
    cases = {
        "campaignId": conversation(str(uuid.uuid4())),
        "questionSetVersion": conversation(c, questionSetVersion=7),
        "answers.no_such_question": conversation(
            c,
            answers=[
                *conversation(c)["answers"],
                {"questionKey": "no_such_question", "text": "hi"},
            ],
        ),
        "answers.wellbeing": conversation(
            c,
            answers=[
                {"questionKey": "what_matters", "text": "Family"},
                {"questionKey": "wellbeing", "text": "four"},
            ],
        ),
        "answers.what_matters": conversation(c, answers=[{"questionKey": "wellbeing", "scale": 3}]),
        "answers.healthy_happy_safe": conversation(
            c,
            answers=[
                {"questionKey": "what_matters", "text": "Family"},
                {"questionKey": "healthy_happy_safe", "text": too_long},
            ],
        ),
        "answers.services": conversation(
            c,
            answers=[
                {"questionKey": "what_matters", "text": "Family"},
                {"questionKey": "services", "choices": ["gp", "swimming"]},
            ],
        ),
        "location": conversation(c, location=CARDIFF),
        "profile.postcodeDistrict": conversation(c, profile={"postcodeDistrict": "SA31 1AB"}),
        "contact": conversation(c, contact={"email": "ann@example.org"}),
        "communityId": conversation(c, location=None, communityId=str(uuid.uuid4())),
        "countyCode": conversation(c, location=None, countyCode="W06999999"),
    }
    results = await record(client, staff.token, list(cases.values()))
    for (field, _), result in zip(cases.items(), results, strict=True):
        assert result["status"] == "REJECTED", field
        assert [e["field"] for e in result["userErrors"]] == [field], result
    assert await _count(session) == 0
    assert await _count(session, ConversationContact) == 0


async def test_a_place_is_taken_from_a_community_or_a_county_when_there_is_no_point(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    by_point = conversation(campaign["id"], location=ABERYSTWYTH)
    [created] = await record(client, staff.token, [by_point])
    community_id = (await session.get(Conversation, uuid.UUID(created["id"]))).community_id
    by_community = conversation(campaign["id"], location=None, communityId=str(community_id))
    by_county = conversation(campaign["id"], location=None, countyCode=CEREDIGION)
    await record(client, staff.token, [by_community, by_county])
    stored_1 = await session.get(Conversation, uuid.UUID(by_community["id"]))
    stored_2 = await session.get(Conversation, uuid.UUID(by_county["id"]))
    assert (stored_1.county_code, stored_1.community_id) == (CEREDIGION, community_id)
    assert (stored_2.county_code, stored_2.community_id) == (CEREDIGION, None)


async def test_engagement_staff_record_only_in_their_counties(client, session) -> None:
    _, campaign = await staffed_campaign(client, session)
    engagement = await person(
        client, session, "engage@example.org", {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    )
    home, away = conversation(campaign["id"]), conversation(campaign["id"], location=ABERYSTWYTH)
    results = await record(client, engagement.token, [home, away])
    assert [r["status"] for r in results] == ["CREATED", "REJECTED"]
    assert results[1]["userErrors"][0]["code"] == "FORBIDDEN"

    leader = await person(
        client, session, "leader@example.org", {Role.LEADER: frozenset({CARMARTHENSHIRE})}
    )
    body = await record(client, leader.token, [conversation(campaign["id"])], expect_errors=True)
    assert error_codes(body) == ["FORBIDDEN"]
    body = await record(client, None, [conversation(campaign["id"])], expect_errors=True)
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def test_places_come_from_the_regions_default_community_set(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    default_set = select(CommunitySet.id).where(CommunitySet.is_default)
    ward = await session.scalar(select(Community.id).where(Community.set_id.not_in(default_set)))
    assert ward is not None  # the region loads a second set (wards) beside the default
    by_point = conversation(campaign["id"])
    by_ward = conversation(campaign["id"], location=None, communityId=str(ward))
    [point_result, ward_result] = await record(client, staff.token, [by_point, by_ward])
    assert [e["field"] for e in ward_result["userErrors"]] == ["communityId"]
    stored = await session.get(Conversation, uuid.UUID(point_result["id"]))
    assert await session.scalar(
        select(Community.set_id.in_(default_set)).where(Community.id == stored.community_id)
    )


def test_a_conversation_hashes_as_the_fingerprints_already_stored() -> None:
    """Fingerprints are stored, so a conversation sent again after an upgrade must hash as
    it did when it was stored, or its replay would be a CONFLICT. Pinned from the code that
    stored the first ones (inputs as frozen dataclasses); a change to the input records or
    to how they are hashed shows up here."""
    item = ConversationIn(
        id=uuid.UUID(int=5),
        campaign_id=uuid.UUID(int=6),
        question_set_version=1,
        collected_at=datetime(2026, 1, 2, tzinfo=UTC),
        channel=Channel.STREET,
        language="en",
        consent=ConsentIn(True, False, True),
        answers=(
            AnswerIn("what_matters", "family", None, None),
            AnswerIn("x", None, ("a", "b"), None),
            AnswerIn("wellbeing", None, None, 4),
        ),
        profile=ProfileIn(age_band=AgeBand.AGE_16_24, welsh_speaker=True),
        contact=ContactIn("A", None, "0123"),
        lat=51.8,
        lon=-4.3,
    )
    assert fingerprint({"conversation": item}) == (
        "5440b465fd6ef4e23b0e56194177a78906685d7238675c963520b5cdf78bd080"
    )
