"""campaignProgress and themeReport on small hand-made datasets."""

from __future__ import annotations

import csv

import pytest
from sqlalchemy import func, select, text

from api.auth.principal import Role
from api.conversations.models import Conversation, Tally
from api.conversations.progress import split
from api.conversations.repository import TALLIED
from api.places.models import County, Lsoa
from tests.conversations.helpers import (
    ABERYSTWYTH,
    CARMARTHENSHIRE,
    CEREDIGION,
    PEMBROKESHIRE,
    add_theme,
    code,
    conversation,
    coordinator,
    create_campaign,
    on,
    person,
    record,
    staffed_campaign,
)
from tests.graphql_client import error_codes, gql, operation
from tests.welsh_alphabet import welsh_order

WEEK_10 = "2026-03-02T10:00:00+00:00"  # a Monday: ISO week 2026-W10
WEEK_11 = "2026-03-10T10:00:00+00:00"


def test_a_total_is_split_in_whole_numbers_by_weight() -> None:
    # 10 by 1:1:1 -> 3.33 each; the spare unit goes to the first key in order.
    assert split(10, {"a": 1, "b": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    # 7 by 5:3 -> 4.375 and 2.625: the larger remainder (b) takes the spare unit.
    assert split(7, {"a": 5, "b": 3}) == {"a": 4, "b": 3}
    assert split(5, {"a": 0}) == {"a": 0}


async def _progress(client, token, campaign_id, **kwargs):
    body = await gql(
        client, operation("CampaignProgress"), {"campaignId": campaign_id}, token=token, **kwargs
    )
    return body["data"]["campaignProgress"]


async def test_a_channel_emptied_by_withdrawals_is_listed_no_more(client, session) -> None:
    staff = await coordinator(client, session)
    campaign = await create_campaign(client, staff.token)
    c = campaign["id"]
    street = conversation(c)
    phone = conversation(c, channel="PHONE", language="CY", collectedAt=WEEK_11)
    [_, called] = await record(client, staff.token, [street, phone])
    before = await _progress(client, staff.token, c)
    assert {x["key"] for x in before["channels"]} == {"STREET", "PHONE"}
    await gql(client, operation("WithdrawConversation"), {"referenceCode": called["referenceCode"]})
    after = await _progress(client, staff.token, c)
    assert [(x["key"], x["conversations"]) for x in after["channels"]] == [("STREET", 1)]
    assert [x["key"] for x in after["languages"]] == ["en"]
    assert [x["key"] for x in after["weeks"]] == [x["key"] for x in before["weeks"]][:1]


async def test_progress_lists_places_by_name_in_the_language_asked_for(client, session) -> None:
    staff = await coordinator(client, session)
    campaign = await create_campaign(client, staff.token)
    for language, counties, order in (
        ("en", ["Carmarthenshire", "Ceredigion", "Pembrokeshire"], None),
        ("cy", ["Ceredigion", "Sir Benfro", "Sir Gaerfyrddin"], welsh_order),
    ):
        p = await _progress(client, staff.token, campaign["id"], language=language)
        assert [x["name"] for x in p["counties"]] == counties
        # Communities county by county, as the counties are listed; by name within each.
        codes = [x["code"] for x in p["counties"]]
        listed = [x["countyCode"] for x in p["communities"]]
        assert listed == sorted(listed, key=codes.index)
        in_county = {
            code: [x["name"] for x in p["communities"] if x["countyCode"] == code] for code in codes
        }
        for names in in_county.values():
            assert names == sorted(names, key=order)
    # Welsh order is not code-point order here (Llan... after Lo...).
    assert any(names != sorted(names) for names in in_county.values())


async def test_progress_counts_against_targets_by_place_channel_language_week_and_age(
    client, session, settings
) -> None:
    staff = await coordinator(client, session)
    campaign = await create_campaign(
        client, staff.token, target=1000, countyTargets=[{"countyCode": CEREDIGION, "target": 100}]
    )
    c = campaign["id"]
    street = [
        conversation(c, collectedAt=WEEK_10, profile={"ageBand": "AGE_25_44"}) for _ in range(3)
    ]
    event = conversation(
        c, channel="EVENT", language="CY", collectedAt=WEEK_11, profile={"ageBand": "AGE_65_74"}
    )
    phone = [
        conversation(
            c, channel="PHONE", language="CY", collectedAt=WEEK_11, location=ABERYSTWYTH, profile=p
        )
        for p in ({"ageBand": "UNDER_16"}, {})
    ]
    made = await record(client, staff.token, [*street, event, *phone])
    assert {r["status"] for r in made} == {"CREATED"}
    gone = conversation(c)
    [withdrawn] = await record(client, staff.token, [gone])
    await gql(
        client, operation("WithdrawConversation"), {"referenceCode": withdrawn["referenceCode"]}
    )

    p = await _progress(client, staff.token, c)
    assert (p["target"], p["conversations"], p["withdrawn"]) == (1000, 6, 1)

    # Targets: Ceredigion has its own 100; the other 900 go by population.
    rows = await session.execute(
        select(County.code, func.sum(Lsoa.population))
        .join(Lsoa, Lsoa.county_id == County.id)
        .group_by(County.code)
    )
    people = dict(rows.all())
    carm = 900 * people[CARMARTHENSHIRE] / (people[CARMARTHENSHIRE] + people[PEMBROKESHIRE])
    counties = {x["code"]: (x["conversations"], x["target"]) for x in p["counties"]}
    assert counties[CEREDIGION] == (2, 100)
    assert counties[CARMARTHENSHIRE][0] == 4 and abs(counties[CARMARTHENSHIRE][1] - carm) < 1
    assert counties[PEMBROKESHIRE][0] == 0
    assert counties[CARMARTHENSHIRE][1] + counties[PEMBROKESHIRE][1] == 900
    # Community targets add up to their county's; counts land in the right communities.
    for county_code, (_, target) in counties.items():
        assert (
            sum(x["target"] for x in p["communities"] if x["countyCode"] == county_code) == target
        )
    assert len(p["communities"]) == 50
    assert sorted(x["conversations"] for x in p["communities"] if x["conversations"]) == [2, 4]

    assert {x["key"]: x["conversations"] for x in p["channels"]} == {
        "STREET": 3,
        "EVENT": 1,
        "PHONE": 2,
    }
    assert {x["key"]: x["conversations"] for x in p["languages"]} == {"en": 3, "cy": 3}
    assert [(x["key"], x["conversations"]) for x in p["weeks"]] == [
        ("2026-W10", 3),
        ("2026-W11", 3),
    ]
    assert p["ageUnknown"] == 1

    # Of the five who gave an age: three 16-64, one 65-74, one under 16; against the
    # region's people by the same bands, from the LSOA population file.
    with (settings.geodata_dir / "lsoa_population_hywel_dda.csv").open() as f:
        table = list(csv.DictReader(f))
    totals = {
        "age_0_15": sum(int(r["age_0_15"]) for r in table),
        "age_16_64": sum(int(r["age_16_64"]) for r in table),
        "age_65_plus": sum(
            int(r[b]) for r in table for b in ("age_65_74", "age_75_84", "age_85_plus")
        ),
    }
    everyone = sum(totals.values())
    shares = {x["band"]: x for x in p["representativeness"]}
    assert [shares[b]["respondents"] for b in totals] == [1, 3, 1]
    assert shares["age_16_64"]["respondentShare"] == pytest.approx(0.6)
    assert shares["age_0_15"]["respondentShare"] == pytest.approx(0.2)
    for b in totals:
        assert shares[b]["populationShare"] == pytest.approx(totals[b] / everyone)


async def test_tallies_always_agree_with_a_recount_of_the_conversations(client, session) -> None:
    staff = await coordinator(client, session)
    c = (await create_campaign(client, staff.token))["id"]
    items = [
        conversation(c, collectedAt=WEEK_10, profile={"ageBand": "AGE_25_44"}),
        conversation(c, channel="EVENT", language="CY", collectedAt=WEEK_11, location=ABERYSTWYTH),
        conversation(c, channel="PHONE", collectedAt=WEEK_11, profile={"ageBand": "UNDER_16"}),
        conversation(c, channel="PHONE", collectedAt=WEEK_10),
    ]
    made = await record(client, staff.token, items)
    await record(client, staff.token, items)  # a replay counts nothing twice
    code = made[0]["referenceCode"]
    await gql(client, operation("WithdrawConversation"), {"referenceCode": code})
    await gql(client, operation("EraseConversation"), {"id": made[1]["id"]}, token=staff.token)

    recount = {
        "county": Conversation.county_code,
        "community": Conversation.community_id,
        "channel": Conversation.channel,
        "language": Conversation.language,
        "age_band": Conversation.age_band,
    }
    p = await _progress(client, staff.token, c)
    assert p["conversations"] == 2
    for dimension, column in recount.items():
        rows = await session.execute(
            select(column, func.count()).where(Conversation.campaign_id == c).group_by(column)
        )
        expected = {k: n for k, n in rows.all() if k is not None}
        tallied = await session.execute(
            select(Tally.value, Tally.n).where(
                Tally.campaign_id == c, Tally.dimension == dimension, Tally.n > 0
            )
        )
        assert {v: n for v, n in tallied.all() if v} == {str(k): n for k, n in expected.items()}
    assert [(x["key"], x["conversations"]) for x in p["weeks"]] == [
        ("2026-W10", 1),
        ("2026-W11", 1),
    ]


# What TALLIED counts of the campaign's stored conversations: the SQL definition, which a
# withdrawal takes off by.
RECOUNT = text(
    f"""
    SELECT c.county_code, d.dimension, coalesce(d.value, ''), count(*)
    FROM conversations c CROSS JOIN LATERAL {TALLIED}
    WHERE c.campaign_id = :campaign_id
    GROUP BY 1, 2, 3
    """
)


async def test_a_batch_is_counted_as_the_tallied_definition_counts(client, session) -> None:
    """What a batch adds to the tallies is what TALLIED (by which a withdrawal takes one
    off) counts of it, weeks across time zones and midnight included."""
    staff = await coordinator(client, session)
    c = (await create_campaign(client, staff.token))["id"]
    items = [
        # Sunday evening west of Greenwich, Monday in UTC: the next week.
        conversation(c, collectedAt="2026-03-01T23:30:00-02:00"),
        # Monday just after midnight east of it, Sunday in UTC: the week before.
        conversation(
            c,
            collectedAt="2026-03-09T00:30:00+02:00",
            channel="PHONE",
            language="CY",
            profile={"ageBand": "AGE_65_74"},
            location=ABERYSTWYTH,
        ),
        # No point and no community: a county only.
        conversation(c, location=None, countyCode=PEMBROKESHIRE, channel="ONLINE"),
    ]
    made = await record(client, staff.token, items)
    assert [m["status"] for m in made] == ["CREATED"] * 3
    tallied = await session.execute(
        select(Tally.county_code, Tally.dimension, Tally.value, Tally.n).where(
            Tally.campaign_id == c
        )
    )
    counted = {(county, d, v): n for county, d, v, n in tallied.all()}
    assert counted == {
        (county, d, v): n
        for county, d, v, n in (await session.execute(RECOUNT, {"campaign_id": c})).all()
    }
    # All three fall in the week of Monday 2 March, in UTC (in local time, the first would
    # be in the week before and the second in the week after).
    assert {(county, v): n for (county, d, v), n in counted.items() if d == "week"} == {
        (CARMARTHENSHIRE, "2026-03-02"): 1,
        (CEREDIGION, "2026-03-02"): 1,
        (PEMBROKESHIRE, "2026-03-02"): 1,
    }


async def test_leaders_see_only_aggregates_of_their_counties(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    await record(
        client,
        staff.token,
        [conversation(campaign["id"]), conversation(campaign["id"], location=ABERYSTWYTH)],
    )
    leader = await person(
        client, session, "leader@example.org", {Role.LEADER: frozenset({CARMARTHENSHIRE})}
    )
    p = await _progress(client, leader.token, campaign["id"])
    assert p["conversations"] == 1
    assert p["withdrawn"] is None
    assert [x["code"] for x in p["counties"]] == [CARMARTHENSHIRE]
    assert {x["countyCode"] for x in p["communities"]} == {CARMARTHENSHIRE}
    body = await gql(
        client, operation("CampaignProgress"), {"campaignId": campaign["id"]}, expect_errors=True
    )
    assert error_codes(body) == ["UNAUTHENTICATED"]


async def _themed(client, session):
    """Five conversations, four of them coded:
    c1 (en, may quote): buses with excerpt "the bus", family with excerpt "my family"
    c2 (en, may quote): transport directly and buses
    c3 (cy, may NOT quote): family with excerpt "My kids"
    c4 (cy): coded with no theme
    c5: not coded, so in no figure
    """
    staff, campaign = await staffed_campaign(client, session)
    c = campaign["id"]
    transport = (await add_theme(client, staff.token, c, "transport"))["theme"]
    buses = (await add_theme(client, staff.token, c, "buses", parentId=transport["id"]))["theme"]
    family = (await add_theme(client, staff.token, c, "family"))["theme"]

    def said(text, **kw):
        return conversation(c, answers=[{"questionKey": "what_matters", "text": text}], **kw)

    items = [
        said("I take the bus to see my family."),
        said("Buses and roads."),
        said("My kids matter.", language="CY", consent={"store": True, "quote": False}),
        said("Dim byd.", language="CY"),
        said("Nothing."),
    ]
    made = await record(client, staff.token, items)
    ids = [m["id"] for m in made]
    await code(
        client, staff.token, ids[0], [on(buses, excerpt="the bus"), on(family, excerpt="my family")]
    )
    await code(client, staff.token, ids[1], [on(transport), on(buses)])
    await code(client, staff.token, ids[2], [on(family, excerpt="My kids")])
    await code(client, staff.token, ids[3], [])
    return staff, campaign


async def _report(client, token, campaign_id, filter=None):
    body = await gql(
        client, operation("ThemeReport"), {"campaignId": campaign_id, "filter": filter}, token=token
    )
    report = body["data"]["themeReport"]
    return report["codedConversations"], {t["theme"]["key"]: t for t in report["themes"]}


async def test_the_theme_report_counts_themes_with_their_sub_themes_and_quotes_only_consenters(
    client, session
) -> None:
    staff, campaign = await _themed(client, session)
    coded, themes = await _report(client, staff.token, campaign["id"])
    assert coded == 4
    # transport: c1 through buses, c2 directly and through buses, counted once each.
    assert {k: (t["conversations"], t["share"]) for k, t in themes.items()} == {
        "transport": (2, 0.5),
        "buses": (2, 0.5),
        "family": (2, 0.5),
    }
    assert themes["buses"]["quotes"] == [{"questionKey": "what_matters", "excerpt": "the bus"}]
    # c3 said "My kids" but did not agree to be quoted.
    assert themes["family"]["quotes"] == [{"questionKey": "what_matters", "excerpt": "my family"}]

    coded, themes = await _report(client, staff.token, campaign["id"], {"language": "CY"})
    assert coded == 2
    assert {k: t["conversations"] for k, t in themes.items()} == {
        "transport": 0,
        "buses": 0,
        "family": 1,
    }
    assert themes["family"]["share"] == 0.5
    assert themes["family"]["quotes"] == []

    coded, _ = await _report(client, staff.token, campaign["id"], {"countyCode": CEREDIGION})
    assert coded == 0


async def test_leaders_get_theme_counts_without_quotes(client, session) -> None:
    _, campaign = await _themed(client, session)
    leader = await person(
        client, session, "leader@example.org", {Role.LEADER: frozenset({CARMARTHENSHIRE})}
    )
    coded, themes = await _report(client, leader.token, campaign["id"])
    assert coded == 4
    assert themes["family"]["conversations"] == 2
    assert all(t["quotes"] == [] for t in themes.values())
    elsewhere = await person(
        client, session, "away@example.org", {Role.LEADER: frozenset({CEREDIGION})}
    )
    body = await gql(
        client,
        operation("ThemeReport"),
        {"campaignId": campaign["id"], "filter": {"countyCode": CARMARTHENSHIRE}},
        token=elsewhere.token,
        expect_errors=True,
    )
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == "filter.countyCode"


async def test_reports_cost_the_same_statements_whatever_the_data(
    client, session, count_statements
) -> None:
    staff, campaign = await _themed(client, session)

    async def statements() -> int:
        start = count_statements.count
        await _progress(client, staff.token, campaign["id"])
        await _report(client, staff.token, campaign["id"])
        return count_statements.count - start

    before = await statements()
    await record(client, staff.token, [conversation(campaign["id"]) for _ in range(20)])
    assert await statements() == before
