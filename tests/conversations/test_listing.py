"""Listing a campaign's conversations: staff of the counties only, a stable order through
the pages, filters, a fixed number of statements per page, and blind second coding."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

from api.auth.principal import Role
from tests.conversations.helpers import (
    ABERYSTWYTH,
    CARMARTHENSHIRE,
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

LLANELLI = {"lat": 51.6805, "lon": -4.1604}  # Carmarthenshire, away from Carmarthen town
START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)


def _at(hours: int) -> str:
    return (START + timedelta(hours=hours)).isoformat()


async def _list(client, token, campaign, expect_errors=False, **variables):
    body = await gql(
        client,
        operation("Conversations"),
        {"campaignId": campaign["id"], **variables},
        token=token,
        expect_errors=expect_errors,
    )
    return body if expect_errors else body["data"]["conversations"]


async def _ids(client, token, campaign, **filter_):
    page = await _list(client, token, campaign, filter=filter_)
    return [e["node"]["id"] for e in page["edges"]]


async def _varied(client, staff, campaign):
    """Eight conversations: Carmarthen and Llanelli (Carmarthenshire) and Aberystwyth
    (Ceredigion), two channels, two languages, collected an hour apart but recorded out of
    order, two at the same moment."""
    hours = [5, 1, 3, 0, 3, 7, 2, 6]
    places = [CARMARTHENSHIRE_PLACE, LLANELLI, ABERYSTWYTH, CARMARTHENSHIRE_PLACE] * 2
    items = [
        conversation(
            campaign["id"],
            collectedAt=_at(h),
            location=places[n],
            channel="PHONE" if n % 2 else "STREET",
            language="CY" if n % 3 == 0 else "EN",
        )
        for n, h in enumerate(hours)
    ]
    made = await record(client, staff.token, items)
    assert all(m["status"] == "CREATED" for m in made)
    return items


CARMARTHENSHIRE_PLACE = {"lat": 51.8573, "lon": -4.3121}


async def test_staff_page_through_their_counties_in_a_stable_order(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    items = await _varied(client, staff, campaign)
    here = await person(
        client, session, "here@example.org", {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    )
    whole = await _list(client, here.token, campaign)
    nodes = [e["node"] for e in whole["edges"]]
    assert {n["countyCode"] for n in nodes} == {CARMARTHENSHIRE}
    carmarthenshire = [i for i in items if i["location"] is not ABERYSTWYTH]
    assert sorted(n["id"] for n in nodes) == sorted(i["id"] for i in carmarthenshire)
    assert [(n["collectedAt"], n["id"]) for n in nodes] == sorted(
        (datetime.fromisoformat(i["collectedAt"]).isoformat(), i["id"]) for i in carmarthenshire
    )
    assert whole["pageInfo"]["hasNextPage"] is False

    seen, after = [], None
    while True:
        page = await _list(client, here.token, campaign, first=2, after=after)
        seen += [e["node"]["id"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == [n["id"] for n in nodes]

    # The coordinator of every county sees the Ceredigion ones too.
    assert len(await _ids(client, staff.token, campaign)) == len(items)


async def test_filters(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    await _varied(client, staff, campaign)
    theme = (await add_theme(client, staff.token, campaign["id"], "family"))["theme"]
    nodes = [e["node"] for e in (await _list(client, staff.token, campaign))["edges"]]
    await code(client, staff.token, nodes[0]["id"], [on(theme)])
    await code(client, staff.token, nodes[4]["id"], [on(theme)])
    nodes = [e["node"] for e in (await _list(client, staff.token, campaign))["edges"]]

    def where(test):
        return [n["id"] for n in nodes if test(n)]

    communities = {n["communityId"] for n in nodes if n["countyCode"] == CARMARTHENSHIRE}
    assert len(communities) == 2
    community = sorted(communities)[0]
    since = _at(3)
    cases = [
        ({"countyCode": CARMARTHENSHIRE}, lambda n: n["countyCode"] == CARMARTHENSHIRE),
        ({"communityId": community}, lambda n: n["communityId"] == community),
        ({"channel": "PHONE"}, lambda n: n["channel"] == "PHONE"),
        ({"language": "CY"}, lambda n: n["language"] == "CY"),
        ({"coded": True}, lambda n: n["coding"]["firstCodedAt"] is not None),
        ({"coded": False}, lambda n: n["coding"]["firstCodedAt"] is None),
        ({"collectedSince": since}, lambda n: n["collectedAt"] >= since),
        (
            {"countyCode": CARMARTHENSHIRE, "channel": "STREET", "coded": False},
            lambda n: (
                n["countyCode"] == CARMARTHENSHIRE
                and n["channel"] == "STREET"
                and n["coding"]["firstCodedAt"] is None
            ),
        ),
    ]
    for filter_, test in cases:
        expected = where(test)
        assert 0 < len(expected) < len(nodes), filter_
        assert await _ids(client, staff.token, campaign, **filter_) == expected, filter_


async def test_leaders_and_the_public_cannot_list_and_bad_input_is_named(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    await record(client, staff.token, [conversation(campaign["id"])])
    leader = await person(
        client, session, "leader@example.org", {Role.LEADER: frozenset({CARMARTHENSHIRE})}
    )
    for token, expected in ((leader.token, "FORBIDDEN"), (None, "UNAUTHENTICATED")):
        body = await _list(client, token, campaign, expect_errors=True)
        assert error_codes(body) == [expected]
        assert body["data"] is None

    here = await person(
        client, session, "here@example.org", {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    )
    bad = [
        ({"filter": {"countyCode": "W06000008"}}, "filter.countyCode"),
        ({"filter": {"countyCode": "W06999999"}}, "filter.countyCode"),
        ({"filter": {"communityId": str(uuid.uuid4())}}, "filter.communityId"),
        ({"filter": {"collectedSince": "2026-03-01T00:00:00"}}, "filter.collectedSince"),
        ({"after": "not-a-cursor"}, "after"),
        ({"first": 10_000}, "first"),
    ]
    for variables, field in bad:
        body = await _list(client, here.token, campaign, expect_errors=True, **variables)
        assert error_codes(body) == ["BAD_USER_INPUT"], variables
        assert body["errors"][0]["extensions"]["field"] == field
    body = await _list(
        client,
        here.token,
        {"id": "00000000-0000-0000-0000-000000000000"},
        expect_errors=True,
    )
    assert error_codes(body) == ["NOT_FOUND"]


async def test_a_page_costs_the_same_statements_whatever_its_size(
    client, session, count_statements
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    theme = (await add_theme(client, staff.token, campaign["id"], "family"))["theme"]
    other = (await add_theme(client, staff.token, campaign["id"], "parks"))["theme"]
    made = await record(client, staff.token, [conversation(campaign["id"]) for _ in range(50)])
    for item in made:
        await code(client, staff.token, item["id"], [on(theme), on(other)])

    async def statements(first: int) -> int:
        start = count_statements.count
        page = await _list(client, staff.token, campaign, first=first)
        assert len(page["edges"]) == first
        assert all(len(e["node"]["codings"]) == 2 for e in page["edges"])
        assert all(e["node"]["answers"] for e in page["edges"])
        return count_statements.count - start

    assert await statements(50) == await statements(2)


async def test_contact_details_stay_behind_their_own_field(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    contact = {"name": "Ann", "email": "ann@example.org", "phone": "01267 123456"}
    await record(
        client,
        staff.token,
        [
            conversation(
                campaign["id"],
                consent={"store": True, "contact": True, "quote": False},
                contact=contact,
            )
        ],
    )
    here = await person(
        client, session, "here@example.org", {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    )
    document = """
      query ($campaignId: UUID!) {
        conversations(campaignId: $campaignId) { edges { node { contact { name email } } } }
      }
    """
    seen = {}
    for who, token in (("engagement", here.token), ("coordinator", staff.token)):
        body = await gql(client, document, {"campaignId": campaign["id"]}, token=token)
        [edge] = body["data"]["conversations"]["edges"]
        seen[who] = edge["node"]["contact"]
    assert seen == {"engagement": None, "coordinator": {"name": "Ann", "email": contact["email"]}}
    listed = await _list(client, here.token, campaign)
    assert contact["email"] not in str(listed) and contact["phone"] not in str(listed)


async def test_a_second_coder_sees_only_their_own_codings_until_done(client, session) -> None:
    admin = await admin_token(client, session)
    campaign = await create_campaign(client, admin, doubleCodingShare=1.0)
    theme = (await add_theme(client, admin, campaign["id"], "family"))["theme"]
    other = (await add_theme(client, admin, campaign["id"], "parks"))["theme"]
    [made] = await record(client, admin, [conversation(campaign["id"])])
    scope = {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    first = await person(client, session, "first@example.org", scope)
    second = await person(client, session, "second@example.org", scope)
    await code(client, first.token, made["id"], [on(theme)])

    async def codings(token):
        [edge] = (await _list(client, token, campaign))["edges"]
        return sorted((c["round"], c["themeId"]) for c in edge["node"]["codings"])

    assert await codings(first.token) == [(1, theme["id"])]
    assert await codings(second.token) == []
    assert (await code(client, second.token, made["id"], [on(other)]))["round"] == 2
    both = [(1, theme["id"]), (2, other["id"])]
    assert await codings(second.token) == both
    assert await codings(first.token) == both
    assert await codings(admin) == both


COUNTED = """
  query ($campaignId: UUID!, $filter: ConversationFilter, $first: Int) {
    conversations(campaignId: $campaignId, filter: $filter, first: $first) {
      edges { node { id } }
      ...Total
    }
  }
  fragment Total on ConversationConnection { totalCount }
"""


async def test_total_count_is_how_many_the_filter_holds(client, session) -> None:
    staff, campaign = await staffed_campaign(client, session)
    await _varied(client, staff, campaign)
    theme = (await add_theme(client, staff.token, campaign["id"], "family"))["theme"]
    nodes = [e["node"] for e in (await _list(client, staff.token, campaign))["edges"]]
    for n in (0, 3, 4, 6):  # both channels and languages, both counties
        await code(client, staff.token, nodes[n]["id"], [on(theme)])
    await gql(client, operation("EraseConversation"), {"id": nodes[1]["id"]}, token=staff.token)
    nodes = [e["node"] for e in (await _list(client, staff.token, campaign))["edges"]]
    community = sorted({n["communityId"] for n in nodes if n["countyCode"] == CARMARTHENSHIRE})[0]

    async def total(token, **filter_):
        variables = {"campaignId": campaign["id"], "filter": filter_, "first": 1}
        return (await gql(client, COUNTED, variables, token=token))["data"]["conversations"][
            "totalCount"
        ]

    cases = [
        # summed from the conversation tallies
        ({}, lambda n: True),
        ({"countyCode": CARMARTHENSHIRE}, lambda n: n["countyCode"] == CARMARTHENSHIRE),
        ({"communityId": community}, lambda n: n["communityId"] == community),
        (
            {"countyCode": CARMARTHENSHIRE, "channel": "PHONE"},
            lambda n: n["countyCode"] == CARMARTHENSHIRE and n["channel"] == "PHONE",
        ),
        # summed from the theme tallies
        ({"coded": True}, lambda n: n["coding"]["firstCodedAt"] is not None),
        (
            {"coded": True, "channel": "PHONE", "language": "EN"},
            lambda n: (
                n["coding"]["firstCodedAt"] is not None
                and n["channel"] == "PHONE"
                and n["language"] == "EN"
            ),
        ),
        # counted
        ({"coded": False}, lambda n: n["coding"]["firstCodedAt"] is None),
        ({"collectedSince": _at(3)}, lambda n: n["collectedAt"] >= _at(3)),
        (
            {"channel": "STREET", "language": "CY"},
            lambda n: n["channel"] == "STREET" and n["language"] == "CY",
        ),
    ]
    for filter_, test in cases:
        expected = sum(1 for n in nodes if test(n))
        assert 0 < expected < len(nodes) or not filter_, filter_
        assert await total(staff.token, **filter_) == expected, filter_
    # Someone who may work in one county counts in it only.
    here = await person(
        client, session, "here@example.org", {Role.ENGAGEMENT: frozenset({CARMARTHENSHIRE})}
    )
    in_county = [n for n in nodes if n["countyCode"] == CARMARTHENSHIRE]
    assert await total(here.token) == len(in_county)
    assert await total(here.token, coded=True) == sum(
        1 for n in in_county if n["coding"]["firstCodedAt"] is not None
    )


async def test_total_count_costs_one_statement_and_only_when_asked(
    client, session, count_statements
) -> None:
    staff, campaign = await staffed_campaign(client, session)
    await record(client, staff.token, [conversation(campaign["id"]) for _ in range(3)])
    without = COUNTED.split("fragment")[0].replace("...Total", "")

    async def statements(document: str, **filter_) -> list[str]:
        start = count_statements.count
        variables = {"campaignId": campaign["id"], "filter": filter_}
        page = (await gql(client, document, variables, token=staff.token))["data"]
        assert len(page["conversations"]["edges"]) == 3
        return count_statements.statements[start:]

    plain = await statements(without)
    assert not any("count(" in s for s in plain)
    tallied = await statements(COUNTED)
    assert len(tallied) == len(plain) + 1
    assert "conversation_tallies" in tallied[-1]
    counted = await statements(COUNTED, collectedSince="2000-01-01T00:00:00Z")
    assert len(counted) == len(plain) + 1
    assert "count(" in counted[-1]
