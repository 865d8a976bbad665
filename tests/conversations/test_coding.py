"""Codebooks, coding by first and second coders, the queue, suggestions and agreement."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from api.auth.principal import Role
from api.conversations.models import Coding, Conversation
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
    staffed_campaign,
)
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import admin_token


async def coders(client, session, n=3, start=0):
    """ENGAGEMENT users of Carmarthenshire (where the test conversations are held)."""
    return [
        await person(
            client,
            session,
            f"coder{i}@example.org",
            {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})},
        )
        for i in range(start, start + n)
    ]


async def _rounds(session, conversation_id):
    rows = await session.execute(
        select(Coding.round, Coding.coder_id, Coding.theme_id)
        .where(Coding.conversation_id == uuid.UUID(conversation_id))
        .order_by(Coding.round)
    )
    return [tuple(r) for r in rows.all()]


async def test_a_codebook_has_two_levels_in_both_languages_and_is_versioned(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    transport = (
        await add_theme(client, staff.token, campaign["id"], "transport", labelCy="Trafnidiaeth")
    )["theme"]
    buses = (
        await add_theme(client, staff.token, campaign["id"], "buses", parentId=transport["id"])
    )["theme"]
    assert (transport["addedIn"], buses["addedIn"]) == (2, 3)

    body = await gql(
        client,
        operation("AddTheme"),
        {
            "campaignId": campaign["id"],
            "input": {"key": "late_buses", "labelEn": "Late buses", "parentId": buses["id"]},
        },
        token=staff.token,
    )
    too_deep = body["data"]["addTheme"]
    assert too_deep["theme"] is None
    assert [e["field"] for e in too_deep["userErrors"]] == ["parentId"]
    again = await add_theme(client, staff.token, campaign["id"], "transport")
    assert [e["field"] for e in again["userErrors"]] == ["key"]

    body = await gql(
        client,
        operation("Codebook"),
        {"campaignId": campaign["id"]},
        token=staff.token,
        language="cy",
    )
    book = body["data"]["codebook"]
    assert [(t["key"], t["parentId"], t["label"]) for t in book] == [
        ("transport", None, "Trafnidiaeth"),
        ("buses", transport["id"], "Buses"),
    ]


async def test_merging_moves_codings_to_the_survivor_and_retiring_stops_new_ones(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    lonely = (await add_theme(client, staff.token, campaign["id"], "loneliness"))["theme"]
    isolation = (await add_theme(client, staff.token, campaign["id"], "isolation"))["theme"]
    one, two = await record(client, staff.token, [conversation(campaign["id"]) for _ in range(2)])
    await code(client, staff.token, one["id"], [on(lonely)])
    await code(client, staff.token, two["id"], [on(lonely), on(isolation)])

    body = await gql(
        client,
        operation("MergeThemes"),
        {"sourceId": lonely["id"], "survivorId": isolation["id"]},
        token=staff.token,
    )
    assert body["data"]["mergeThemes"]["theme"]["id"] == isolation["id"]
    survivor = uuid.UUID(isolation["id"])
    assert {t for _, _, t in await _rounds(session, one["id"])} == {survivor}
    # The conversation coded with both keeps one coding, not two.
    assert [t for _, _, t in await _rounds(session, two["id"])] == [survivor]
    book = (
        await gql(client, operation("Codebook"), {"campaignId": campaign["id"]}, token=staff.token)
    )["data"]["codebook"]
    merged = next(t for t in book if t["key"] == "loneliness")
    assert merged["mergedIntoId"] == isolation["id"] and merged["retiredIn"] == 4

    body = await gql(client, operation("RetireTheme"), {"id": isolation["id"]}, token=staff.token)
    assert body["data"]["retireTheme"]["theme"]["retiredIn"] == 5
    refused = await code(client, staff.token, one["id"], [on(isolation)])
    assert [e["field"] for e in refused["userErrors"]] == ["codings[0].themeId"]
    assert len(await _rounds(session, one["id"])) == 1  # the old coding stays


async def test_the_second_coder_is_given_the_conversation_and_codes_apart(client, session) -> None:
    admin = await admin_token(client, session)
    campaign = await create_campaign(client, admin, doubleCodingShare=1.0)
    theme = (await add_theme(client, admin, campaign["id"], "family"))["theme"]
    other = (await add_theme(client, admin, campaign["id"], "parks"))["theme"]
    [made] = await record(client, admin, [conversation(campaign["id"])])
    first, second = await coders(client, session, 2)

    async def queue(who):
        body = await gql(
            client, operation("CodingQueue"), {"campaignId": campaign["id"]}, token=who.token
        )
        return [(t["round"], t["conversation"]["id"]) for t in body["data"]["codingQueue"]]

    assert await queue(first) == [(1, made["id"])]
    assert (await code(client, first.token, made["id"], [on(theme)]))["round"] == 1
    # The first coder is never offered it again, and coding it again stays round 1.
    assert await queue(first) == []
    assert (await code(client, first.token, made["id"], [on(theme), on(other)]))["round"] == 1
    # The only other person who may code in the county is drawn as its second coder.
    assert await queue(second) == [(2, made["id"])]
    assert (await code(client, second.token, made["id"], [on(other)]))["round"] == 2
    assert await queue(second) == []

    [third] = await coders(client, session, 1, start=2)
    body = await gql(
        client,
        operation("CodeConversation"),
        {"id": made["id"], "codings": [on(other)]},
        token=third.token,
    )
    taken = body["data"]["codeConversation"]
    assert taken["round"] is None
    assert [e["code"] for e in taken["userErrors"]] == ["CONFLICT"]
    assert sorted(await _rounds(session, made["id"])) == sorted(
        [
            (1, first.id, uuid.UUID(theme["id"])),
            (1, first.id, uuid.UUID(other["id"])),
            (2, second.id, uuid.UUID(other["id"])),
        ]
    )


async def test_with_no_double_coding_share_nobody_codes_a_second_time(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session, doubleCodingShare=0.0)
    theme = (await add_theme(client, staff.token, campaign["id"], "family"))["theme"]
    made = await record(client, staff.token, [conversation(campaign["id"]) for _ in range(20)])
    first, second, _ = await coders(client, session)
    await code(client, first.token, made[0]["id"], [on(theme)])
    refused = await code(client, second.token, made[0]["id"], [on(theme)])
    assert [e["code"] for e in refused["userErrors"]] == ["CONFLICT"]


async def test_coding_is_checked_against_the_coders_counties_and_the_answers(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    theme = (await add_theme(client, staff.token, campaign["id"], "family"))["theme"]
    [made] = await record(client, staff.token, [conversation(campaign["id"])])
    away = await person(
        client, session, "away@example.org", {Role.ENGAGEMENT: frozenset({CEREDIGION})}
    )
    body = await code(client, away.token, made["id"], [on(theme)], expect_errors=True)
    assert error_codes(body) == ["NOT_FOUND"]
    leader = await person(
        client, session, "leader@example.org", {Role.LEADER: frozenset({CARMARTHENSHIRE})}
    )
    body = await code(client, leader.token, made["id"], [on(theme)], expect_errors=True)
    assert error_codes(body) == ["FORBIDDEN"]

    [coder] = await coders(client, session, 1)
    bad = await code(
        client,
        coder.token,
        made["id"],
        [
            {"themeId": str(uuid.uuid4()), "questionKey": "what_matters"},
            on(theme, key="healthy_happy_safe"),
            on(theme, excerpt="words nobody said"),
        ],
    )
    assert [e["field"] for e in bad["userErrors"]] == [
        "codings[0].themeId",
        "codings[1].questionKey",
        "codings[2].excerpt",
    ]
    assert await _rounds(session, made["id"]) == []


async def test_keyword_suggestions_are_not_codings_until_accepted(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    buses = (
        await add_theme(client, staff.token, campaign["id"], "buses", keywords=["Bus", "bws"])
    )["theme"]
    await add_theme(client, staff.token, campaign["id"], "parks", keywords=["park"])
    await add_theme(client, staff.token, campaign["id"], "food", keywords=["food"])
    said = "The bws to town stopped, and the park is lovely."
    [made] = await record(
        client,
        staff.token,
        [conversation(campaign["id"], answers=[{"questionKey": "what_matters", "text": said}])],
    )
    body = await gql(
        client, operation("ThemeSuggestions"), {"conversationId": made["id"]}, token=staff.token
    )
    found = {
        (s["theme"]["key"], s["questionKey"], s["keyword"])
        for s in body["data"]["themeSuggestions"]
    }
    assert found == {("buses", "what_matters", "bws"), ("parks", "what_matters", "park")}
    assert await _rounds(session, made["id"]) == []

    accepted = await code(
        client, staff.token, made["id"], [on(buses, excerpt="The bws to town stopped")]
    )
    assert accepted["codings"] == [
        {
            "themeId": buses["id"],
            "questionKey": "what_matters",
            "excerpt": "The bws to town stopped",
        }
    ]
    assert len(await _rounds(session, made["id"])) == 1


async def test_agreement_and_kappa_on_a_worked_example(client, session) -> None:
    """Ten conversations, each coded by two coders with two themes.

    transport: first coder says yes on c1-c5, second on c1-c4 and c6.
        both yes a=4, first only b=1 (c5), second only c=1 (c6), both no d=4; n=10.
        observed agreement po = (4+4)/10 = 0.8 -> 80 %.
        P(first yes) = 5/10, P(second yes) = 5/10;
        chance pe = 0.5*0.5 + 0.5*0.5 = 0.5.
        kappa = (0.8 - 0.5) / (1 - 0.5) = 0.6.
    loneliness: first coder yes on c1-c2, second on c1-c3.
        a=2, b=0, c=1 (c3), d=7; po = 9/10 = 0.9 -> 90 %.
        P(first yes) = 0.2, P(second yes) = 0.3; pe = 0.2*0.3 + 0.8*0.7 = 0.62.
        kappa = (0.9 - 0.62) / (1 - 0.62) = 0.28 / 0.38 = 0.736842...
    overall (both tables pooled: 20 decisions): a=6, b=1, c=2, d=11.
        po = 17/20 = 0.85 -> 85 %; P(first yes) = 7/20 = 0.35, P(second yes) = 8/20 = 0.4;
        pe = 0.35*0.4 + 0.65*0.6 = 0.14 + 0.39 = 0.53.
        kappa = (0.85 - 0.53) / (1 - 0.53) = 0.32 / 0.47 = 0.680851...
    """
    staff, campaign = await staffed_campaign(client, session, doubleCodingShare=1.0)
    transport = (await add_theme(client, staff.token, campaign["id"], "transport"))["theme"]
    lonely = (await add_theme(client, staff.token, campaign["id"], "loneliness"))["theme"]
    made = await record(client, staff.token, [conversation(campaign["id"]) for _ in range(10)])
    first, second, _ = await coders(client, session)
    first_says = {transport["id"]: range(0, 5), lonely["id"]: range(0, 2)}
    second_says = {transport["id"]: [0, 1, 2, 3, 5], lonely["id"]: range(0, 3)}
    for coder, says in ((first, first_says), (second, second_says)):
        for n, item in enumerate(made):
            codings = [
                {"themeId": t, "questionKey": "what_matters"}
                for t, which in says.items()
                if n in which
            ]
            assert (await code(client, coder.token, item["id"], codings))["userErrors"] == []
            if coder is first:
                # Drawn at random among three; the coordinator gives them all to one coder.
                body = await gql(
                    client,
                    operation("ReassignSecondCoder"),
                    {"conversationId": item["id"], "coderId": str(second.id)},
                    token=staff.token,
                )
                assert body["data"]["reassignSecondCoder"]["userErrors"] == []

    body = await gql(
        client, operation("CodingAgreement"), {"campaignId": campaign["id"]}, token=staff.token
    )
    report = body["data"]["codingAgreement"]
    assert report["overall"]["conversations"] == 10
    assert report["overall"]["percentAgreement"] == pytest.approx(85.0)
    assert report["overall"]["kappa"] == pytest.approx(0.32 / 0.47)
    themes = {t["theme"]["key"]: t["figures"] for t in report["themes"]}
    assert themes["transport"]["percentAgreement"] == pytest.approx(80.0)
    assert themes["transport"]["kappa"] == pytest.approx(0.6)
    assert themes["loneliness"]["percentAgreement"] == pytest.approx(90.0)
    assert themes["loneliness"]["kappa"] == pytest.approx(0.28 / 0.38)
    assert themes["loneliness"]["conversations"] == 10


async def test_the_coding_queue_costs_the_same_statements_for_any_page(
    client, session, count_statements
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    await record(client, staff.token, [conversation(campaign["id"]) for _ in range(12)])

    async def statements(first: int) -> int:
        start = count_statements.count
        body = await gql(
            client,
            operation("CodingQueue"),
            {"campaignId": campaign["id"], "first": first},
            token=staff.token,
        )
        assert len(body["data"]["codingQueue"]) == first
        return count_statements.count - start

    assert await statements(2) == await statements(12)


async def test_only_coders_and_managers_see_agreement(client, session) -> None:
    _, campaign = await staffed_campaign(client, session)
    leader = await person(
        client, session, "leader@example.org", {Role.LEADER: frozenset({CARMARTHENSHIRE})}
    )
    body = await gql(
        client,
        operation("CodingAgreement"),
        {"campaignId": campaign["id"]},
        token=leader.token,
        expect_errors=True,
    )
    assert error_codes(body) == ["FORBIDDEN"]
    assert await session.scalar(select(func.count()).select_from(Coding)) == 0


async def test_by_default_about_a_fifth_are_chosen_at_random_for_double_coding(
    client, session
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    assert campaign["doubleCodingShare"] == 0.2
    await record(client, staff.token, [conversation(campaign["id"]) for _ in range(500)])
    chosen = await session.scalar(
        select(func.count()).select_from(Conversation).where(Conversation.double_code)
    )
    # Binomial(500, 0.2): mean 100, standard deviation about 9; 50..150 is over 5 of them.
    assert 50 <= chosen <= 150
