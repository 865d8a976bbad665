"""Every list a client sends about campaigns, conversations and coding is capped: one item
over is refused naming the field, with nothing written; a list at the cap is accepted."""

from __future__ import annotations

from sqlalchemy import func, select

from api.audit.models import AuditEntry
from api.conversations.campaigns import CHOICES_MAX, QUESTIONS_MAX
from api.conversations.codebook import KEYWORDS_MAX
from api.conversations.coding import CODINGS_MAX
from api.conversations.models import Conversation
from api.shared.limits import COUNTY_CODES_MAX
from tests.conversations.helpers import (
    CARMARTHENSHIRE,
    QUESTIONS,
    add_theme,
    code,
    conversation,
    on,
    record,
    staffed_campaign,
)
from tests.graphql_client import gql, operation, refused_fields


def _questions(n: int) -> list[dict]:
    return [{"key": f"q{i}", "type": "FREE_TEXT", "textEn": f"Question {i}?"} for i in range(n)]


def _choice_question(n: int) -> dict:
    choices = [{"key": f"c{i}", "labelEn": f"Choice {i}"} for i in range(n)]
    return {"key": "many", "type": "MULTIPLE_CHOICE", "textEn": "Which?", "choices": choices}


async def _audited(session) -> int:
    return await session.scalar(select(func.count()).select_from(AuditEntry))


async def test_campaign_questions_choices_and_county_targets_are_capped(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    before = await _audited(session)
    targets = [{"countyCode": CARMARTHENSHIRE, "target": 0}] * (COUNTY_CODES_MAX + 1)
    for overrides, field in [
        ({"questions": _questions(QUESTIONS_MAX + 1)}, "questions"),
        ({"questions": [_choice_question(CHOICES_MAX + 1)]}, "questions[0].choices"),
        ({"countyTargets": targets}, "countyTargets"),
    ]:
        new = {"nameEn": "Too much", "questions": QUESTIONS, **overrides}
        body = await gql(client, operation("CreateCampaign"), {"input": new}, token=staff.token)
        assert body["data"]["createCampaign"]["campaign"] is None
        assert refused_fields(body) == {field}

    for questions, field in [
        (_questions(QUESTIONS_MAX + 1), "questions"),
        ([_choice_question(CHOICES_MAX + 1)], "questions[0].choices"),
    ]:
        variables = {"campaignId": campaign["id"], "questions": questions}
        body = await gql(client, operation("PublishQuestions"), variables, token=staff.token)
        assert body["data"]["publishQuestions"]["questionSet"] is None
        assert refused_fields(body) == {field}
    assert await _audited(session) == before

    at_cap = [*_questions(QUESTIONS_MAX - 1), _choice_question(CHOICES_MAX)]
    variables = {"campaignId": campaign["id"], "questions": at_cap}
    body = await gql(client, operation("PublishQuestions"), variables, token=staff.token)
    assert len(body["data"]["publishQuestions"]["questionSet"]["questions"]) == QUESTIONS_MAX


async def test_a_conversation_s_answers_and_choices_are_capped(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    before = await _audited(session)
    answers = [{"questionKey": "what_matters", "text": "Family."}] * (QUESTIONS_MAX + 1)
    choices = [{"questionKey": "services", "choices": ["gp"] * (CHOICES_MAX + 1)}]
    items = [conversation(campaign["id"], answers=a) for a in (answers, choices)]
    results = await record(client, staff.token, items)
    assert [r["status"] for r in results] == ["REJECTED", "REJECTED"]
    assert [refused_fields({"data": r}) for r in results] == [{"answers"}, {"answers.services"}]
    assert await _audited(session) == before
    assert await session.scalar(select(func.count()).select_from(Conversation)) == 0


async def test_codings_and_theme_keywords_are_capped(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    theme = (await add_theme(client, staff.token, campaign["id"], "family"))["theme"]
    [made] = await record(client, staff.token, [conversation(campaign["id"])])
    before = await _audited(session)

    refused = await code(client, staff.token, made["id"], [on(theme)] * (CODINGS_MAX + 1))
    assert refused_fields({"data": refused}) == {"codings"}
    body = await gql(
        client,
        operation("AddTheme"),
        {
            "campaignId": campaign["id"],
            "input": {
                "key": "parks",
                "labelEn": "Parks",
                "keywords": ["park"] * (KEYWORDS_MAX + 1),
            },
        },
        token=staff.token,
    )
    assert body["data"]["addTheme"]["theme"] is None
    assert refused_fields(body) == {"keywords"}
    assert await _audited(session) == before

    coded = await code(client, staff.token, made["id"], [on(theme)] * CODINGS_MAX)
    assert coded["userErrors"] == []
    kept = await add_theme(
        client, staff.token, campaign["id"], "parks", keywords=["park"] * KEYWORDS_MAX
    )
    assert kept["theme"]["key"] == "parks"
