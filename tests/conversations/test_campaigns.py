"""Campaigns and versioned question sets."""

from __future__ import annotations

from sqlalchemy import func, select

from api.auth.principal import Role
from api.conversations.models import Campaign
from tests.conversations.helpers import (
    CARMARTHENSHIRE,
    QUESTIONS,
    conversation,
    coordinator,
    person,
    record,
    staffed_campaign,
)
from tests.graphql_client import error_codes, gql, operation


async def test_a_campaign_starts_with_version_1_of_its_questions_in_both_languages(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    assert campaign["target"] == 10_000
    assert campaign["doubleCodingShare"] == 0.2

    body = await gql(
        client, operation("Campaign"), {"id": campaign["id"]}, token=staff.token, language="cy"
    )
    read = body["data"]["campaign"]
    assert read["name"] == "10,000 o Sgyrsiau"
    [version] = read["questionSets"]
    assert version["version"] == 1
    first = version["questions"][0]
    assert first["key"] == "what_matters"
    assert first["text"] == "Beth sy'n bwysig i chi?"
    assert first["textEn"] == "What matters to you?"
    assert first["required"] is True
    # No Welsh wording given: the English one stands in.
    assert version["questions"][3]["text"] == "How are you feeling today?"
    assert version["questions"][2]["choices"][0]["label"] == "Meddyg teulu"


async def test_publishing_a_new_version_leaves_answers_under_the_old_one_alone(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    [old] = await record(client, staff.token, [conversation(campaign["id"])])

    new_questions = [
        {
            "key": "what_matters",
            "type": "FREE_TEXT",
            "textEn": "What matters most to you?",
            "required": True,
        },
        {"key": "neighbours", "type": "FREE_TEXT", "textEn": "Who helps you?"},
    ]
    body = await gql(
        client,
        operation("PublishQuestions"),
        {"campaignId": campaign["id"], "questions": new_questions},
        token=staff.token,
    )
    published = body["data"]["publishQuestions"]
    assert published["userErrors"] == []
    assert published["questionSet"]["version"] == 2

    read = await gql(client, operation("Conversation"), {"id": old["id"]}, token=staff.token)
    stored = read["data"]["conversation"]
    assert stored["questionSetVersion"] == 1
    assert {a["questionKey"]: a["text"] or a["scale"] for a in stored["answers"]} == {
        "what_matters": "My family and the park.",
        "wellbeing": 4,
    }
    # The old version is still there, word for word; the new one is alongside it.
    body = await gql(client, operation("Campaign"), {"id": campaign["id"]}, token=staff.token)
    versions = body["data"]["campaign"]["questionSets"]
    assert [v["version"] for v in versions] == [1, 2]
    assert versions[0]["questions"][0]["textEn"] == "What matters to you?"

    # Under version 2, `wellbeing` no longer exists; under version 1 it still does.
    [under_2, under_1] = await record(
        client,
        staff.token,
        [
            conversation(campaign["id"], questionSetVersion=2),
            conversation(campaign["id"], questionSetVersion=1),
        ],
    )
    assert under_2["status"] == "REJECTED"
    assert [e["field"] for e in under_2["userErrors"]] == ["answers.wellbeing"]
    assert under_1["status"] == "CREATED"


async def test_a_bad_campaign_names_each_problem_and_writes_nothing(client, session) -> None:
    staff = await coordinator(client, session)
    before = await session.scalar(select(func.count()).select_from(Campaign))
    body = await gql(
        client,
        operation("CreateCampaign"),
        {
            "input": {
                "nameEn": "Bad",
                "target": 100,
                "doubleCodingShare": 1.5,
                "countyTargets": [{"countyCode": "W06999999", "target": 10}],
                "questions": [
                    QUESTIONS[0],
                    {**QUESTIONS[0], "textEn": "again"},
                    {"key": "pick", "type": "SINGLE_CHOICE", "textEn": "Pick", "choices": []},
                    {"key": "Bad Key", "type": "FREE_TEXT", "textEn": "?"},
                ],
            }
        },
        token=staff.token,
    )
    payload = body["data"]["createCampaign"]
    assert payload["campaign"] is None
    assert {e["field"] for e in payload["userErrors"]} == {
        "questions[1].key",
        "questions[2].choices",
        "questions[3].key",
        "doubleCodingShare",
        "countyTargets[0].countyCode",
    }
    assert await session.scalar(select(func.count()).select_from(Campaign)) == before


async def test_only_coordinators_and_admins_create_campaigns(client, session) -> None:
    engagement = await person(
        client, session, "engage@example.org", {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    )
    variables = {"input": {"nameEn": "Mine", "questions": QUESTIONS}}
    body = await gql(
        client, operation("CreateCampaign"), variables, token=engagement.token, expect_errors=True
    )
    assert error_codes(body) == ["FORBIDDEN"]
    body = await gql(client, operation("CreateCampaign"), variables, expect_errors=True)
    assert error_codes(body) == ["UNAUTHENTICATED"]
