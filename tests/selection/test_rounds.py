"""A selection round through GraphQL: explained rankings per county, shortlisting and
selecting, closing only with every county covered, and new versions for new weights."""

from __future__ import annotations

import csv
import uuid
from typing import Any

import httpx
import pytest

from api.auth.principal import ALL_COUNTIES, Role
from api.db import RequestSession
from api.settings import Settings
from tests.graphql_client import error_codes, gql, operation
from tests.people.helpers import (
    CARMARTHENSHIRE,
    CEREDIGION,
    PEMBROKESHIRE,
    make_user,
    sign_in,
)

COUNTIES = [CARMARTHENSHIRE, CEREDIGION, PEMBROKESHIRE]
CRITERIA = [
    {"indicator": "deprived_10_share", "weight": 2, "direction": "HIGHER"},
    {"indicator": "population_deprived_20_share", "weight": 1, "direction": "HIGHER"},
    {"indicator": "share_aged_65_plus", "weight": 1, "direction": "LOWER"},
]


async def _coordinator(client: httpx.AsyncClient, session: RequestSession) -> str:
    await make_user(session, "bwrdd@example.org", {Role.COORDINATOR: ALL_COUNTIES})
    return (await sign_in(client, "bwrdd@example.org"))["accessToken"]


async def _round(
    client: httpx.AsyncClient, token: str, set_code: str = "WARD", **changes: Any
) -> dict[str, Any]:
    variables = {
        "input": {
            "programme": "Place-based action 2026",
            "name": "First round",
            "setCode": set_code,
            "countyCodes": COUNTIES,
            "criteria": CRITERIA,
            **changes,
        }
    }
    body = await gql(client, operation("CreateSelectionRound"), variables, token=token)
    return body["data"]["createSelectionRound"]


async def _ranking(client: httpx.AsyncClient, token: str, round_id: str, county: str) -> list:
    body = await gql(
        client,
        operation("SelectionRanking"),
        {"roundId": round_id, "countyCode": county},
        token=token,
    )
    return body["data"]["selectionRanking"]


async def _select(
    client: httpx.AsyncClient, token: str, round_id: str, community_id: str, shortlist: bool = False
) -> dict[str, Any]:
    document = operation("ShortlistCommunity") if shortlist else operation("SelectCommunity")
    body = await gql(
        client,
        document,
        {
            "roundId": round_id,
            "communityId": community_id,
            "rationale": "Highest need, strong groups",
        },
        token=token,
    )
    return body["data"]["shortlistCommunity" if shortlist else "selectCommunity"]


async def test_a_round_from_ranking_to_close(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    made = await _round(client, token)
    assert made["userErrors"] == []
    round_id = made["round"]["id"]

    rankings = {c: await _ranking(client, token, round_id, c) for c in COUNTIES}
    assert [len(rankings[c]) for c in COUNTIES] == [58, 40, 60]  # wards per county
    carmarthenshire = rankings[CARMARTHENSHIRE]
    scores = [r["score"] for r in carmarthenshire]
    assert scores == sorted(scores, reverse=True)
    for ranked in carmarthenshire:
        assert ranked["score"] == pytest.approx(sum(p["contribution"] for p in ranked["parts"]))
        assert [p["indicator"] for p in ranked["parts"]] == [c["indicator"] for c in CRITERIA]
    # Tyisha (Llanelli) holds Hywel Dda's most deprived LSOA: its ward leads on deprivation.
    top = carmarthenshire[0]
    assert top["community"]["name"] == "Tyisha"
    assert top["parts"][0]["raw"] > 0 and top["parts"][0]["normalised"] == 1.0

    shortlisted = await _select(client, token, round_id, top["community"]["id"], shortlist=True)
    assert shortlisted["decision"]["kind"] == "SHORTLISTED"
    selected = await _select(client, token, round_id, top["community"]["id"])
    assert selected["decision"]["countyCode"] == CARMARTHENSHIRE

    refused = await gql(
        client, operation("CloseSelectionRound"), {"roundId": round_id}, token=token
    )
    [error] = refused["data"]["closeSelectionRound"]["userErrors"]
    assert "Ceredigion (W06000008)" in error["message"]
    assert "Pembrokeshire (W06000009)" in error["message"]

    for county in (CEREDIGION, PEMBROKESHIRE):
        assert (await _select(client, token, round_id, rankings[county][0]["community"]["id"]))[
            "userErrors"
        ] == []
    closed = await gql(client, operation("CloseSelectionRound"), {"roundId": round_id}, token=token)
    assert closed["data"]["closeSelectionRound"]["round"]["status"] == "CLOSED"
    late = await _select(client, token, round_id, rankings[CEREDIGION][1]["community"]["id"])
    assert [e["code"] for e in late["userErrors"]] == ["CONFLICT"]
    record = await gql(client, operation("SelectionRound"), {"id": round_id}, token=token)
    kinds = [d["kind"] for d in record["data"]["selectionRound"]["decisions"]]
    assert kinds == ["SHORTLISTED", "SELECTED", "SELECTED", "SELECTED"]


async def test_closing_too_early_is_refused_in_the_request_language(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    round_id = (await _round(client, token))["round"]["id"]
    close = operation("CloseSelectionRound")
    english, welsh = [
        (await gql(client, close, {"roundId": round_id}, token=token, language=language))["data"][
            "closeSelectionRound"
        ]["userErrors"]
        for language in (None, "cy")
    ]
    assert [(e["field"], e["code"]) for e in english + welsh] == [("roundId", "BAD_USER_INPUT")] * 2
    assert english[0]["message"] == (
        "Select at least one community in every county first: still missing "
        "Ceredigion (W06000008), Pembrokeshire (W06000009), Carmarthenshire (W06000010)."
    )
    assert welsh[0]["message"] == (
        "Dewiswch o leiaf un gymuned ym mhob sir yn gyntaf: mae Ceredigion (W06000008), "
        "Sir Benfro (W06000009), Sir Gaerfyrddin (W06000010) heb un eto."
    )


async def test_new_weights_after_decisions_make_a_new_version(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    round_id = (await _round(client, token))["round"]["id"]
    first = (await _ranking(client, token, round_id, CEREDIGION))[0]["community"]["id"]
    reweighted = [{"indicator": "rural_share", "weight": 1, "direction": "HIGHER"}]

    before_decisions = await gql(
        client,
        operation("ChangeSelectionCriteria"),
        {"roundId": round_id, "criteria": CRITERIA[:1]},
        token=token,
    )
    in_place = before_decisions["data"]["changeSelectionCriteria"]["round"]
    assert (in_place["id"], in_place["roundVersion"]) == (round_id, 1)

    await _select(client, token, round_id, first)
    after = await gql(
        client,
        operation("ChangeSelectionCriteria"),
        {"roundId": round_id, "criteria": reweighted, "normalisation": "RANK"},
        token=token,
    )
    new = after["data"]["changeSelectionCriteria"]["round"]
    assert (new["previousId"], new["roundVersion"], new["normalisation"]) == (round_id, 2, "RANK")
    assert new["id"] != round_id
    old = await gql(client, operation("SelectionRound"), {"id": round_id}, token=token)
    assert old["data"]["selectionRound"]["status"] == "SUPERSEDED"
    assert len(old["data"]["selectionRound"]["decisions"]) == 1  # history untouched
    assert (await _ranking(client, token, new["id"], CEREDIGION))[0]["parts"][0]["indicator"] == (
        "rural_share"
    )


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"criteria": [{"indicator": "deprived_10_share", "weight": -1}]}, "criteria[0].weight"),
        ({"criteria": [{"indicator": "deprived_10_share", "weight": 0}]}, "criteria"),
        ({"criteria": [{"indicator": "happiness", "weight": 1}]}, "criteria[0].indicator"),
        ({"countyCodes": ["W06000001"]}, "countyCodes"),
        ({"setCode": "NOPE"}, "setCode"),
    ],
)
async def test_bad_rounds_name_the_field(
    client: httpx.AsyncClient, session: RequestSession, changes: dict, field: str
) -> None:
    token = await _coordinator(client, session)
    refused = await _round(client, token, **changes)
    assert refused["round"] is None
    assert [e["field"] for e in refused["userErrors"]] == [field]


async def test_only_communities_of_the_round_can_be_chosen(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    round_id = (await _round(client, token, countyCodes=[CEREDIGION]))["round"]["id"]
    msoa = await gql(client, operation("PlaceAt"), {"lat": 52.4153, "lon": -4.0829})
    wrong_set = await _select(client, token, round_id, msoa["data"]["placeAt"]["community"]["id"])
    assert [e["field"] for e in wrong_set["userErrors"]] == ["communityId"]
    wards = await gql(
        client,
        operation("Communities"),
        {"setCode": "WARD", "countyCode": PEMBROKESHIRE, "first": 1},
    )
    other_county = await _select(
        client, token, round_id, wards["data"]["communities"]["edges"][0]["node"]["id"]
    )
    assert "county is not in the round" in other_county["userErrors"][0]["message"]


async def test_who_may_run_rounds(client: httpx.AsyncClient, session: RequestSession) -> None:
    await make_user(session, "arweinydd@example.org", {Role.LEADER: {CEREDIGION}})
    leader = (await sign_in(client, "arweinydd@example.org"))["accessToken"]
    variables = {
        "input": {
            "programme": "P",
            "name": "N",
            "setCode": "WARD",
            "countyCodes": COUNTIES,
            "criteria": CRITERIA,
        }
    }
    body = await gql(
        client, operation("CreateSelectionRound"), variables, token=leader, expect_errors=True
    )
    assert error_codes(body) == ["FORBIDDEN"]
    await make_user(session, "ceredigion@example.org", {Role.COORDINATOR: {CEREDIGION}})
    local = (await sign_in(client, "ceredigion@example.org"))["accessToken"]
    body = await gql(
        client, operation("CreateSelectionRound"), variables, token=local, expect_errors=True
    )
    assert error_codes(body) == ["FORBIDDEN"]
    own = {"input": {**variables["input"], "countyCodes": [CEREDIGION]}}
    made = await gql(client, operation("CreateSelectionRound"), own, token=local)
    assert made["data"]["createSelectionRound"]["userErrors"] == []


def _hand_worked(settings: Settings, lsoas: list[str]) -> dict[str, float]:
    """Two indicators worked out from the published files, without the database."""
    with (settings.geodata_dir / "lsoa_population_hywel_dda.csv").open() as handle:
        people = {r["lsoa11cd"]: r for r in csv.DictReader(handle)}
    total = sum(int(people[c]["population"]) for c in lsoas)
    over_65 = sum(
        int(people[c][k]) for c in lsoas for k in ("age_65_74", "age_75_84", "age_85_plus")
    )
    return {"population": total, "share_aged_65_plus": over_65 / total}


async def test_compare_real_communities_against_hand_worked_figures(
    client: httpx.AsyncClient, session: RequestSession, settings: Settings
) -> None:
    token = await _coordinator(client, session)
    ids = []
    for where in ({"lat": 51.6795, "lon": -4.1620}, {"lat": 52.4153, "lon": -4.0829}):
        place = await gql(client, operation("PlaceAt"), where)
        ids.append(place["data"]["placeAt"]["community"]["id"])
    body = await gql(client, operation("CompareCommunities"), {"ids": ids}, token=token)
    table = body["data"]["compareCommunities"]
    assert {i["key"] for i in table["indicators"]} >= {"deprived_10_count", "leaders"}
    for row, community_id in zip(table["rows"], ids, strict=True):
        detail = await gql(client, operation("Community"), {"id": community_id})
        lsoas = [lsoa["code"] for lsoa in detail["data"]["community"]["lsoas"]]
        want = _hand_worked(settings, lsoas)
        got = {v["indicator"]: v["value"] for v in row["values"]}
        assert got["population"] == want["population"]
        assert got["share_aged_65_plus"] == pytest.approx(want["share_aged_65_plus"], abs=1e-4)
    tyisha = {v["indicator"]: v["value"] for v in table["rows"][0]["values"]}
    assert tyisha["deprived_10_count"] >= 1  # Tyisha 2, WIMD 2019 rank 17
    assert tyisha["most_deprived_rank"] == 17


async def test_endorsed_leaders_count_as_an_indicator(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    place = await gql(client, operation("PlaceAt"), {"lat": 51.6795, "lon": -4.1620})
    community = place["data"]["placeAt"]["community"]["id"]
    nominated = await gql(
        client,
        operation("NominateLeader"),
        {
            "input": {
                "communityId": community,
                "name": "Siân",
                "reason": "Food bank",
                "connection": "Volunteer",
            }
        },
        token=token,
    )
    leader = nominated["data"]["nominateLeader"]["leader"]["id"]
    await gql(client, operation("DecideLeader"), {"id": leader, "endorse": True}, token=token)
    body = await gql(client, operation("CompareCommunities"), {"ids": [community]}, token=token)
    values = {
        v["indicator"]: v["value"] for v in body["data"]["compareCommunities"]["rows"][0]["values"]
    }
    assert values["leaders"] == 1.0


async def test_indicators_are_listed_bilingually(client: httpx.AsyncClient) -> None:
    body = await gql(client, operation("SelectionIndicators"), language="cy")
    rural = next(i for i in body["data"]["selectionIndicators"] if i["key"] == "rural_share")
    assert rural["label"] == "Cyfran yr ACEHI sy'n wledig"
    assert "rural/urban class" in rural["source"]


async def test_assets_count_in_any_community_set(
    client: httpx.AsyncClient, session: RequestSession, settings: Settings
) -> None:
    """Verified assets (here the real libraries, GPs, hospitals...) count inside both an
    MSOA and a ward, per 1,000 residents too."""
    from api.assets.seed import seed_assets

    await seed_assets(session, settings)
    token = await _coordinator(client, session)
    aberystwyth = {"lat": 52.4153, "lon": -4.0829}
    msoa = (await gql(client, operation("PlaceAt"), aberystwyth))["data"]["placeAt"]["community"]
    wards = await gql(
        client,
        operation("Communities"),
        {"setCode": "WARD", "countyCode": CEREDIGION, "first": 100},
    )
    ids = [msoa["id"], *(e["node"]["id"] for e in wards["data"]["communities"]["edges"])]
    body = await gql(client, operation("CompareCommunities"), {"ids": ids[:20]}, token=token)
    rows = body["data"]["compareCommunities"]["rows"]
    values = [{v["indicator"]: v["value"] for v in row["values"]} for row in rows]
    assert values[0]["assets"] >= 3  # the National Library, the town library, GP practices
    assert values[0]["assets_per_1000"] == pytest.approx(
        1000 * values[0]["assets"] / values[0]["population"]
    )
    assert sum(v["assets"] for v in values[1:]) > 0


async def test_conversations_and_their_top_themes_sit_beside_the_indicators(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    from tests.conversations import helpers as talk

    staff = await talk.coordinator(client, session)
    campaign = await talk.create_campaign(client, staff.token)
    results = await talk.record(
        client, staff.token, [talk.conversation(campaign["id"]) for _ in range(3)]
    )
    park = (
        await talk.add_theme(
            client, staff.token, campaign["id"], "green_space", labelCy="Mannau gwyrdd"
        )
    )["theme"]
    family = (await talk.add_theme(client, staff.token, campaign["id"], "family"))["theme"]
    for n, result in enumerate(results):
        codings = [talk.on(park)] + ([talk.on(family)] if n == 0 else [])
        await talk.code(client, staff.token, result["id"], codings)
    carmarthen = await gql(client, operation("PlaceAt"), talk.CARMARTHEN)
    community = carmarthen["data"]["placeAt"]["community"]["id"]
    body = await gql(
        client,
        operation("CompareCommunities"),
        {"ids": [community]},
        token=staff.token,
        language="cy",
    )
    [row] = body["data"]["compareCommunities"]["rows"]
    values = {v["indicator"]: v["value"] for v in row["values"]}
    assert values["conversations"] == 3
    assert values["conversations_per_1000"] == pytest.approx(3000 / values["population"])
    assert row["topThemes"] == [
        {"label": "Mannau gwyrdd", "conversations": 3},
        {"label": "Family", "conversations": 1},
    ]


async def test_top_themes_are_read_from_the_theme_tallies_and_equal_a_recount(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    """A theme counts each conversation once, coded with it or its sub-themes; sub-themes
    are not listed on their own; second codings, other communities and erased
    conversations do not count; a recount of the tallies from the codings changes nothing."""
    from api.conversations import theme_tallies
    from tests.conversations import helpers as talk

    staff = await talk.coordinator(client, session)
    campaign = await talk.create_campaign(client, staff.token, doubleCodingShare=1.0)
    second = await talk.person(
        client, session, "second@example.org", {Role.ENGAGEMENT: ALL_COUNTIES}
    )

    async def theme(key: str, **fields: Any) -> dict[str, Any]:
        return (await talk.add_theme(client, staff.token, campaign["id"], key, **fields))["theme"]

    green, family, safety = await theme("green"), await theme("family"), await theme("safety")
    parks, play = (
        await theme("parks", parentId=green["id"]),
        await theme("play", parentId=green["id"]),
    )
    here = [talk.conversation(campaign["id"]) for _ in range(6)]
    away = talk.conversation(campaign["id"], location=talk.ABERYSTWYTH)
    made = await talk.record(client, staff.token, [*here, away])
    firsts = [[parks, play], [green], [parks], [family], [family, safety], [], [green, family]]
    for item, themes in zip(made, firsts, strict=True):
        await talk.code(client, staff.token, item["id"], [talk.on(t) for t in themes])
    for item in made[:2]:  # a second coder's codings only measure agreement
        await talk.code(client, second.token, item["id"], [talk.on(safety), talk.on(family)])
    carmarthen = await gql(client, operation("PlaceAt"), talk.CARMARTHEN)
    community = carmarthen["data"]["placeAt"]["community"]["id"]

    async def top() -> list[tuple[str, int]]:
        body = await gql(
            client, operation("CompareCommunities"), {"ids": [community]}, token=staff.token
        )
        [row] = body["data"]["compareCommunities"]["rows"]
        return [(t["label"], t["conversations"]) for t in row["topThemes"]]

    assert await top() == [("Green", 3), ("Family", 2), ("Safety", 1)]
    await gql(client, operation("EraseConversation"), {"id": made[4]["id"]}, token=staff.token)
    assert await top() == [("Green", 3), ("Family", 1)]
    await theme_tallies.recount(session, [uuid.UUID(campaign["id"])])
    assert await top() == [("Green", 3), ("Family", 1)]
