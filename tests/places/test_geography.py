"""Counties, communities and their deprivation figures, through the real GraphQL API."""

from __future__ import annotations

import csv
import json
import math
from collections import defaultdict
from typing import Any

import httpx
import pytest

from api.settings import Settings
from tests.graphql_client import error_codes, gql, operation
from tests.welsh_alphabet import welsh_order

GEODATA = Settings(env="development", _env_file=None).geodata_dir


async def test_three_counties_with_welsh_names_and_true_areas(client: httpx.AsyncClient) -> None:
    body = await gql(client, operation("Counties"), {"simplifyM": 200}, language="cy")
    # In Welsh, by Welsh name (in English: Carmarthenshire, Ceredigion, Pembrokeshire).
    assert [c["name"] for c in body["data"]["counties"]] == [
        "Ceredigion",
        "Sir Benfro",
        "Sir Gaerfyrddin",
    ]
    counties = {c["code"]: c for c in body["data"]["counties"]}
    assert {c: counties[c]["name"] for c in counties} == {
        "W06000010": "Sir Gaerfyrddin",
        "W06000008": "Ceredigion",
        "W06000009": "Sir Benfro",
    }
    # Published areas (km²): Carmarthenshire 2,371, Ceredigion 1,789, Pembrokeshire 1,619.
    for code, published in (("W06000010", 2371), ("W06000008", 1789), ("W06000009", 1619)):
        assert abs(counties[code]["areaKm2"] - published) / published < 0.01
    assert {c["communities"]["totalCount"] for c in counties.values()} == {25, 9, 16}
    geometry = counties["W06000009"]["geometry"]
    assert geometry["type"] == "MultiPolygon"


async def test_name_follows_accept_language(client: httpx.AsyncClient) -> None:
    query = operation("County")
    english = await gql(client, query, {"code": "W06000009"}, language="en-GB,cy;q=0.5")
    welsh = await gql(client, query, {"code": "W06000009"}, language="cy-GB,en;q=0.8")
    assert english["data"]["county"]["name"] == "Pembrokeshire"
    assert welsh["data"]["county"]["name"] == "Sir Benfro"


async def test_unknown_county_is_null(client: httpx.AsyncClient) -> None:
    body = await gql(client, operation("County"), {"code": "E06000001"})
    assert body["data"]["county"] is None


async def test_geometry_is_rfc7946_with_six_decimals(client: httpx.AsyncClient) -> None:
    page = await gql(client, operation("Communities"), {"first": 1})
    first = page["data"]["communities"]["edges"][0]["node"]["id"]
    full = await gql(client, operation("Community"), {"id": first})
    simple = await gql(client, operation("Community"), {"id": first, "simplifyM": 250})
    geometry = full["data"]["community"]["geometry"]
    coordinates = [pt for poly in geometry["coordinates"] for ring in poly for pt in ring]
    assert all(-6 < lon < -3 and 51 < lat < 53 for lon, lat in coordinates)  # lon first
    assert all(round(v, 6) == v for pt in coordinates for v in pt)
    simplified = simple["data"]["community"]["geometry"]
    assert sum(len(r) for p in simplified["coordinates"] for r in p) < len(coordinates)


async def test_bad_simplification_is_refused(client: httpx.AsyncClient) -> None:
    body = await gql(client, operation("Counties"), {"simplifyM": -5}, expect_errors=True)
    assert set(error_codes(body)) == {"BAD_USER_INPUT"}
    assert body["errors"][0]["extensions"]["field"] == "simplifyM"


async def _all_communities(
    client: httpx.AsyncClient, county: str | None, first: int, language: str | None = None
) -> list[dict]:
    nodes, after = [], None
    while True:
        body = await gql(
            client,
            operation("Communities"),
            {"countyCode": county, "first": first, "after": after},
            language=language,
        )
        connection = body["data"]["communities"]
        nodes += [e["node"] for e in connection["edges"]]
        if not connection["pageInfo"]["hasNextPage"]:
            return nodes
        after = connection["pageInfo"]["endCursor"]


async def test_paging_visits_every_community_once_in_name_order(client: httpx.AsyncClient) -> None:
    nodes = await _all_communities(client, None, 7)
    assert len(nodes) == 50
    assert len({n["id"] for n in nodes}) == 50
    names = [n["nameEn"] for n in nodes]
    assert names == sorted(names)
    assert "Llanelli South" in names
    welsh = {n["nameEn"]: n["nameCy"] for n in nodes}
    assert welsh["Llanelli South"] == "De Llanelli"


async def test_in_welsh_communities_are_listed_by_their_welsh_names(
    client: httpx.AsyncClient,
) -> None:
    nodes = await _all_communities(client, None, 7, language="cy")
    assert len({n["id"] for n in nodes}) == len(nodes) == 50
    names = [n["name"] for n in nodes]
    assert names == [n["nameCy"] for n in nodes]
    # In the Welsh alphabet's order (Llan... after Lo...), which is not code-point order.
    assert names == sorted(names, key=welsh_order) != sorted(names)
    carmarthenshire = await _all_communities(client, "W06000010", 4, language="cy")
    names = [n["name"] for n in carmarthenshire]
    assert names == sorted((n["nameCy"] for n in carmarthenshire), key=welsh_order)


async def test_a_cursor_carries_on_in_the_order_of_the_language_asked_for(
    client: httpx.AsyncClient,
) -> None:
    """A phone switched to Welsh mid-list: the English cursor finds its place in Welsh order."""
    welsh = [n["id"] for n in await _all_communities(client, None, 100, language="cy")]
    english = (await gql(client, operation("Communities"), {"first": 7}))["data"]["communities"]
    last = english["edges"][-1]["node"]["id"]
    variables = {"first": 7, "after": english["pageInfo"]["endCursor"]}
    body = await gql(client, operation("Communities"), variables, language="cy")
    following = [e["node"]["id"] for e in body["data"]["communities"]["edges"]]
    assert following == welsh[welsh.index(last) + 1 :][:7]


async def test_communities_of_one_county(client: httpx.AsyncClient) -> None:
    nodes = await _all_communities(client, "W06000008", 100)
    assert len(nodes) == 9
    assert {n["county"]["code"] for n in nodes} == {"W06000008"}


@pytest.mark.parametrize(
    ("variables", "field"),
    [
        ({"first": 101}, "first"),
        ({"first": -1}, "first"),
        ({"after": "not-a-cursor"}, "after"),
        ({"countyCode": "W06999999"}, "countyCode"),
    ],
)
async def test_bad_paging_input_names_the_field(
    client: httpx.AsyncClient, variables: dict[str, Any], field: str
) -> None:
    body = await gql(client, operation("Communities"), variables, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field


def _expected_figures() -> dict[str, dict[str, Any]]:
    """The figures worked out from the files by membership code, independently of PostGIS."""
    features = json.loads((GEODATA / "hywel_dda_lsoa_2011_wimd2019.geojson").read_text())
    msoa_of = {
        f["properties"]["lsoa11cd"]: f["properties"]["msoa11cd"] for f in features["features"]
    }
    with (GEODATA / "lsoa_population_hywel_dda.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    population = {r["lsoa11cd"]: int(r["population"]) for r in rows}
    young = {r["lsoa11cd"]: int(r["age_0_15"]) for r in rows}
    old = {
        r["lsoa11cd"]: sum(int(r[c]) for c in ("age_65_74", "age_75_84", "age_85_plus"))
        for r in rows
    }
    rural = {
        f["properties"]["lsoa11cd"]: f["properties"]["ruc11_name"].startswith(
            ("Small Town", "Village")
        )
        for f in features["features"]
    }
    with (GEODATA / "wimd2019_lsoa_wales.csv").open() as handle:
        health = {r["lsoa_code"]: int(r["Health_rank"]) for r in csv.DictReader(handle)}
    with (GEODATA / "wimd2019_lsoa_wales.csv").open() as handle:
        ranks = {r["lsoa_code"]: int(r["IMD_rank"]) for r in csv.DictReader(handle)}
    top10, top20 = math.ceil(len(ranks) * 0.1), math.ceil(len(ranks) * 0.2)
    assert (top10, top20) == (191, 382)
    members: dict[str, list[str]] = defaultdict(list)
    for lsoa, msoa in msoa_of.items():
        members[msoa].append(lsoa)
    expected = {}
    for msoa, lsoas in members.items():
        people = sum(population[lsoa] for lsoa in lsoas)
        deprived = sum(population[lsoa] for lsoa in lsoas if ranks[lsoa] <= top20)
        expected[msoa] = {
            "lsoaCount": len(lsoas),
            "lsoasInMostDeprived10Pct": sum(ranks[lsoa] <= top10 for lsoa in lsoas),
            "lsoasInMostDeprived20Pct": sum(ranks[lsoa] <= top20 for lsoa in lsoas),
            "mostDeprivedRank": min(ranks[lsoa] for lsoa in lsoas),
            "population": people,
            "share": round(deprived / people, 4),
            "under16": round(sum(young[lsoa] for lsoa in lsoas) / people, 4),
            "over65": round(sum(old[lsoa] for lsoa in lsoas) / people, 4),
            "rural": round(sum(rural[lsoa] for lsoa in lsoas) / len(lsoas), 4),
            "health20": sum(health[lsoa] <= top20 for lsoa in lsoas),
        }
    return expected


async def test_deprivation_is_counted_from_lsoa_ranks(client: httpx.AsyncClient) -> None:
    expected = _expected_figures()
    nodes = await _all_communities(client, None, 50)
    assert len(nodes) == len(expected) == 50
    for node in nodes:
        want, got = expected[node["code"]], node["deprivation"]
        assert got["index"] == "WIMD 2019"
        assert got["rankedAreas"] == 1909
        assert node["population"] == want["population"]
        assert got["populationShareInMostDeprived20Pct"] == want["share"]
        people = node["people"]
        assert (people["shareUnder16"], people["shareAged65Plus"]) == (
            want["under16"],
            want["over65"],
        )
        assert people["ruralLsoaShare"] == want["rural"]
        health = next(d for d in got["domains"] if d["domain"] == "health")
        assert health["lsoasInMostDeprived20Pct"] == want["health20"]
        for key in (
            "lsoaCount",
            "lsoasInMostDeprived10Pct",
            "lsoasInMostDeprived20Pct",
            "mostDeprivedRank",
        ):
            assert got[key] == want[key], (node["nameEn"], key)
    # Tyisha 2 in Llanelli is the region's most deprived LSOA (rank 17).
    assert min(n["deprivation"]["mostDeprivedRank"] for n in nodes) == 17


async def test_community_lists_its_lsoas_most_deprived_first(client: httpx.AsyncClient) -> None:
    place = await gql(client, operation("PlaceAt"), {"lat": 51.6795, "lon": -4.1620})
    community_id = place["data"]["placeAt"]["community"]["id"]
    body = await gql(client, operation("Community"), {"id": community_id})
    lsoas = body["data"]["community"]["lsoas"]
    ranks = [lsoa["deprivationRank"] for lsoa in lsoas]
    assert ranks == sorted(ranks)
    assert len(lsoas) == body["data"]["community"]["deprivation"]["lsoaCount"]


async def test_list_queries_do_not_grow_statements_with_page_size(
    client: httpx.AsyncClient, count_statements: Any
) -> None:
    await gql(client, operation("Communities"), {"first": 2})
    small = count_statements.count
    await gql(client, operation("Communities"), {"first": 50})
    assert count_statements.count - small == small
    before = count_statements.count
    await gql(client, operation("Counties"))
    counties = count_statements.count - before
    # counties, their communities (one per county page), totals, geometry: no per-row queries
    assert counties <= 1 + 3 * 2 + 1


async def test_attribution_credits_the_sources(client: httpx.AsyncClient) -> None:
    body = await gql(client, operation("Attribution"))
    text = " ".join(body["data"]["attribution"])
    for credit in (
        "Open Government Licence",
        "Ordnance Survey",
        "Office for National Statistics",
        "Welsh Government",
        "Open Parliament Licence",
    ):
        assert credit in text
