"""The theme report reads tallies kept by every coding, merge, retirement and erasure: after
any mix of them, for any filter, it says what counting the codings afresh says."""

from __future__ import annotations

import uuid

from sqlalchemy import select

from api.auth.principal import ALL_COUNTIES, Role
from api.conversations import repository, theme_tallies
from api.conversations.models import Coding, Conversation, Theme, ThemeTally
from tests.conversations.helpers import (
    ABERYSTWYTH,
    CARMARTHENSHIRE,
    CEREDIGION,
    HAVERFORDWEST,
    add_theme,
    code,
    conversation,
    coordinator,
    create_campaign,
    on,
    person,
    record,
)
from tests.graphql_client import gql, operation

# (GraphQL filter, the same filter on stored conversations' columns)
FILTERS = [
    ({}, {}),
    ({"countyCode": CEREDIGION}, {"county_code": CEREDIGION}),
    ({"language": "CY"}, {"language": "cy"}),
    ({"channel": "PHONE"}, {"channel": "PHONE"}),
    ({"ageBand": "AGE_25_44"}, {"age_band": "AGE_25_44"}),
    (
        {"countyCode": CARMARTHENSHIRE, "language": "EN", "channel": "STREET"},
        {"county_code": CARMARTHENSHIRE, "language": "en", "channel": "STREET"},
    ),
]
QUOTES = 3  # per theme, the default setting


async def _recounted(session, campaign_id, values):
    """The report counted straight from the codings: first-coded conversations the filter
    keeps; for each theme not merged away the conversations coded with it or with one of
    its sub-themes (once each); and its first excerpts, in coding order, from those who
    agreed to be quoted."""
    session.expire_all()
    themes = {
        t.id: t
        for t in await session.scalars(select(Theme).where(Theme.campaign_id == campaign_id))
    }
    coded = {
        c.id: c
        for c in await session.scalars(
            select(Conversation).where(
                Conversation.campaign_id == campaign_id, Conversation.first_coded_at.is_not(None)
            )
        )
        if all(getattr(c, column) == value for column, value in values.items())
    }
    pairs, quotes = set(), {}
    for c in await session.scalars(select(Coding).where(Coding.round == 1).order_by(Coding.id)):
        if c.conversation_id in coded:
            pairs.add((c.conversation_id, c.theme_id))
            if themes[c.theme_id].parent_id is not None:
                pairs.add((c.conversation_id, themes[c.theme_id].parent_id))
            if c.excerpt and coded[c.conversation_id].may_quote:
                quotes.setdefault(themes[c.theme_id].key, []).append(c.excerpt)
    counts = {t.key: 0 for t in themes.values() if t.merged_into_id is None}
    for _, theme_id in pairs:
        counts[themes[theme_id].key] += 1
    return len(coded), counts, {k: q[:QUOTES] for k, q in quotes.items()}


async def _assert_report_is_a_recount(client, session, token, campaign_id) -> None:
    for graphql_filter, values in FILTERS:
        body = await gql(
            client,
            operation("ThemeReport"),
            {"campaignId": campaign_id, "filter": graphql_filter},
            token=token,
        )
        report = body["data"]["themeReport"]
        reported = (
            report["codedConversations"],
            {t["theme"]["key"]: t["conversations"] for t in report["themes"]},
            {
                t["theme"]["key"]: [q["excerpt"] for q in t["quotes"]]
                for t in report["themes"]
                if t["quotes"]
            },
        )
        assert reported == await _recounted(session, uuid.UUID(campaign_id), values), values


async def _quotes(session, campaign_id, values, *, narrow):
    themes = list(await session.scalars(select(Theme.id).where(Theme.campaign_id == campaign_id)))
    return await repository.quotes(
        session,
        campaign_id,
        None,
        repository.conversation_conditions(**values),
        QUOTES,
        themes,
        narrow=narrow,
    )


async def _tallies(session, campaign_id) -> dict[tuple, int]:
    rows = await session.execute(
        select(ThemeTally).where(ThemeTally.campaign_id == uuid.UUID(campaign_id))
    )
    found = {}
    for (t,) in rows.all():
        assert t.n >= 0
        if t.n:
            key = (t.theme_id, t.county_code, t.community_id, t.age_band, t.language, t.channel)
            found[key] = t.n
    return found


async def test_the_theme_report_after_any_mix_of_changes_is_a_recount_of_the_codings(
    client, session
) -> None:
    staff = await coordinator(client, session)
    checker = await person(client, session, "checker@example.org", {Role.ENGAGEMENT: ALL_COUNTIES})
    c = (await create_campaign(client, staff.token, doubleCodingShare=1.0))["id"]

    async def theme(key, parent=None):
        made = await add_theme(client, staff.token, c, key, parentId=parent and parent["id"])
        return made["theme"]

    transport = await theme("transport")
    buses, trains = await theme("buses", transport), await theme("trains", transport)
    family, friends = await theme("family"), await theme("friends")
    neighbours = await theme("neighbours", friends)
    health = await theme("health")
    lonely, isolated = await theme("lonely", health), await theme("isolated", family)

    said = [{"questionKey": "what_matters", "text": "Buses, trains and my family."}]
    made = await record(
        client,
        staff.token,
        [
            conversation(c, answers=said, profile={"ageBand": "AGE_25_44"}),
            conversation(c, answers=said, channel="PHONE", language="CY", location=ABERYSTWYTH),
            conversation(c, answers=said, location=HAVERFORDWEST, profile={"ageBand": "AGE_25_44"}),
            conversation(c, answers=said, channel="PHONE"),
            conversation(
                c,
                answers=said,
                language="CY",
                profile={"ageBand": "UNDER_16"},
                consent={"store": True, "quote": False},
            ),
            conversation(c, answers=said, location=ABERYSTWYTH),
            *(conversation(c, answers=said) for _ in range(4)),
        ],
    )
    ids = [m["id"] for m in made]
    check = [
        (ids[0], [on(buses, excerpt="Buses"), on(trains)]),  # two sub-themes: transport once
        (ids[1], [on(transport), on(buses), on(family)]),
        (ids[2], [on(neighbours, excerpt="Buses"), on(friends), on(lonely, excerpt="trains")]),
        (ids[3], [on(isolated), on(family, excerpt="family"), on(health)]),
        (ids[4], [on(lonely, excerpt="trains")]),  # not to be quoted
        (ids[5], []),  # coded, with no theme
        (ids[6], [on(friends), on(family, excerpt="my family")]),
        # More quotes than a report shows for one theme.
        *((i, [on(family, excerpt="family"), on(buses, excerpt="Buses")]) for i in ids[7:]),
    ]
    for conversation_id, codings in check:
        assert (await code(client, staff.token, conversation_id, codings))["round"] == 1
    await _assert_report_is_a_recount(client, session, staff.token, c)

    # Coding again replaces the first coder's codings; the second coder's never count.
    await code(client, staff.token, ids[1], [on(trains), on(health)])
    await code(client, staff.token, ids[5], [on(buses)])
    for conversation_id in ids[:3]:
        assert (await code(client, checker.token, conversation_id, [on(friends)]))["round"] == 2
    await _assert_report_is_a_recount(client, session, staff.token, c)

    # A sub-theme into a sub-theme of another theme; a theme (with a sub-theme) into one
    # both conversations were coded with, so their pairs collapse.
    for source, survivor in ((lonely, isolated), (friends, family)):
        body = await gql(
            client,
            operation("MergeThemes"),
            {"sourceId": source["id"], "survivorId": survivor["id"]},
            token=staff.token,
        )
        assert body["data"]["mergeThemes"]["userErrors"] == []
        await _assert_report_is_a_recount(client, session, staff.token, c)

    # A retired theme's codings still count; erased and withdrawn conversations do not.
    body = await gql(client, operation("RetireTheme"), {"id": health["id"]}, token=staff.token)
    assert body["data"]["retireTheme"]["userErrors"] == []
    await gql(client, operation("EraseConversation"), {"id": ids[2]}, token=staff.token)
    await gql(
        client, operation("WithdrawConversation"), {"referenceCode": made[3]["referenceCode"]}
    )
    await _assert_report_is_a_recount(client, session, staff.token, c)

    # Both ways of finding quotes find the same ones.
    for _, values in FILTERS:
        walked = await _quotes(session, uuid.UUID(c), values, narrow=False)
        assert walked == await _quotes(session, uuid.UUID(c), values, narrow=True)

    # A recount from the codings finds the tallies as they were kept.
    kept = await _tallies(session, c)
    await theme_tallies.recount(session, [uuid.UUID(c)])
    assert await _tallies(session, c) == kept
