"""Defining communities: several sets side by side, drawing, merging and editing, with the
boundary rules enforced."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from api.auth.principal import ALL_COUNTIES, Role
from api.db import RequestSession
from api.places.community_editing import PARTS_MAX
from api.places.models import Community, CommunityLsoa, CommunitySet
from tests.graphql_client import error_codes, gql, operation, user_errors
from tests.people.helpers import CARMARTHENSHIRE, CEREDIGION, PEMBROKESHIRE, make_user, sign_in


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


# A small area of Carmarthen town, and one straddling the coast at Tenby.
CARMARTHEN = _box(-4.320, 51.852, -4.300, 51.862)
TENBY_COAST = _box(-4.720, 51.640, -4.680, 51.680)


async def _coordinator(
    client: httpx.AsyncClient, session: RequestSession, counties: Any = ALL_COUNTIES
) -> str:
    await make_user(session, "cydlynydd@example.org", {Role.COORDINATOR: counties})
    return (await sign_in(client, "cydlynydd@example.org"))["accessToken"]


async def _new_set(client: httpx.AsyncClient, token: str, code: str = "HANDDRAWN") -> None:
    body = await gql(
        client,
        operation("CreateCommunitySet"),
        {"input": {"code": code, "nameEn": "Hand drawn", "nameCy": "Wedi'u tynnu"}},
        token=token,
    )
    assert body["data"]["createCommunitySet"]["userErrors"] == []


async def _create(
    client: httpx.AsyncClient,
    token: str,
    shape: dict[str, Any],
    name: str = "Tref",
    language: str | None = None,
    **extra: Any,
) -> dict[str, Any]:
    body = await gql(
        client,
        operation("CreateCommunity"),
        {"input": {"setCode": "HANDDRAWN", "nameEn": name, "shape": shape, **extra}},
        token=token,
        language=language,
    )
    return body["data"]["createCommunity"]


async def _community_count(session: RequestSession) -> int:
    return await session.scalar(select(func.count()).select_from(Community))


async def test_msoa_and_ward_sets_sit_side_by_side(client: httpx.AsyncClient) -> None:
    sets = (await gql(client, operation("CommunitySets"), language="cy"))["data"]["communitySets"]
    assert [(s["code"], s["isDefault"]) for s in sets] == [("MSOA", True), ("WARD", False)]
    assert sets[1]["name"] == "Wardiau etholiadol (2013)"
    wards = await gql(
        client, operation("Communities"), {"setCode": "WARD", "countyCode": CEREDIGION, "first": 1}
    )
    assert wards["data"]["communities"]["totalCount"] == 40
    default = await gql(client, operation("Communities"), {"countyCode": CEREDIGION, "first": 1})
    assert default["data"]["communities"]["totalCount"] == 9


async def test_only_coordinators_and_admins_create_sets(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    await make_user(session, "arweinydd@example.org", {Role.LEADER: {CEREDIGION}})
    leader = (await sign_in(client, "arweinydd@example.org"))["accessToken"]
    variables = {"input": {"code": "MINE", "nameEn": "Mine"}}
    refused = await gql(
        client, operation("CreateCommunitySet"), variables, token=leader, expect_errors=True
    )
    assert error_codes(refused) == ["FORBIDDEN"]
    anonymous = await gql(client, operation("CreateCommunitySet"), variables, expect_errors=True)
    assert error_codes(anonymous) == ["UNAUTHENTICATED"]
    token = await _coordinator(client, session)
    await _new_set(client, token, "MINE")
    again = await gql(client, operation("CreateCommunitySet"), variables, token=token)
    assert [e["field"] for e in again["data"]["createCommunitySet"]["userErrors"]] == ["code"]


async def test_draw_a_community_and_its_lsoas_roll_up(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    made = await _create(client, token, {"geometry": CARMARTHEN}, "Canol Caerfyrddin")
    assert made["userErrors"] == []
    community = made["community"]
    assert community["county"]["code"] == CARMARTHENSHIRE
    assert community["set"]["code"] == "HANDDRAWN"
    assert community["version"] == 1
    assert 1.0 < community["areaKm2"] < 2.0  # about 1.4 km by 1.1 km
    assert community["deprivation"]["lsoaCount"] >= 1
    assert community["population"] > 0


async def test_in_welsh_a_community_with_no_welsh_name_is_placed_by_its_english_one(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    # Three strips of the town north of the river (the tidal Tywi is outside the region).
    for (west, east), name_en, name_cy in (
        ((-4.312, -4.308), "Alpha", "Ystrad"),
        ((-4.308, -4.304), "Beta", None),
        ((-4.304, -4.300), "Gamma", "Aber"),
    ):
        shape = {"geometry": _box(west, 51.857, east, 51.862)}
        assert (await _create(client, token, shape, name_en, nameCy=name_cy))["userErrors"] == []

    async def listed(language: str) -> list[str]:
        names, after = [], None
        while True:  # a page at a time, so that every step goes through a cursor
            variables = {"setCode": "HANDDRAWN", "first": 1, "after": after}
            body = await gql(client, operation("Communities"), variables, language=language)
            page = body["data"]["communities"]
            names += [e["node"]["nameEn"] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                return names
            after = page["pageInfo"]["endCursor"]

    assert await listed("en") == ["Alpha", "Beta", "Gamma"]
    assert await listed("cy") == ["Gamma", "Beta", "Alpha"]  # Aber, Beta, Ystrad


async def test_merge_lsoas_into_a_community(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    """Merging the LSOAs of the MSOA holding Tyisha gives the same figures as that MSOA."""
    token = await _coordinator(client, session)
    await _new_set(client, token)
    place = await gql(client, operation("PlaceAt"), {"lat": 51.6795, "lon": -4.1620})
    msoa = await gql(
        client, operation("Community"), {"id": place["data"]["placeAt"]["community"]["id"]}
    )
    codes = [lsoa["code"] for lsoa in msoa["data"]["community"]["lsoas"]]
    made = await _create(client, token, {"lsoaCodes": codes}, "Tyisha a'r cylch")
    assert made["userErrors"] == []
    merged = made["community"]
    assert merged["population"] == msoa["data"]["community"]["population"]
    assert merged["deprivation"]["lsoaCount"] == len(codes)
    assert merged["deprivation"]["mostDeprivedRank"] == 17
    assert merged["deprivation"]["lsoasInMostDeprived10Pct"] >= 1


async def test_merge_wards_into_a_community(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    wards = await gql(
        client, operation("Communities"), {"setCode": "WARD", "countyCode": CEREDIGION, "first": 2}
    )
    ids = [e["node"]["id"] for e in wards["data"]["communities"]["edges"]]
    made = await _create(client, token, {"communityIds": ids}, "Dwy ward")
    assert made["userErrors"] == []
    assert made["community"]["county"]["code"] == CEREDIGION


@pytest.mark.parametrize(
    ("shape", "field", "words"),
    [
        (
            {
                "geometry": {
                    "type": "Polygon",
                    "coordinates": [
                        [[-4.3, 51.85], [-4.2, 51.9], [-4.2, 51.85], [-4.3, 51.9], [-4.3, 51.85]]
                    ],
                }
            },
            "geometry",
            "Self-intersection",
        ),
        ({"geometry": _box(-6.3, 53.3, -6.2, 53.4)}, "geometry", "outside the region"),
        ({"geometry": TENBY_COAST}, "geometry", "lies outside the region"),
        ({"geometry": {"type": "Point", "coordinates": [-4.3, 51.85]}}, "geometry", "Polygon"),
        ({"geometry": _box(-4.3, 51.85, -4.2, 95.0)}, "geometry", "out of range"),
        ({"lsoaCodes": ["W01999999"]}, "lsoaCodes", "W01999999"),
        ({"geometry": CARMARTHEN, "lsoaCodes": ["W01000733"]}, "geometry", "exactly one"),
        ({"lsoaCodes": ["W01000733"] * (PARTS_MAX + 1)}, "lsoaCodes", f"at most {PARTS_MAX}"),
        (
            {"communityIds": [str(uuid.uuid4()) for _ in range(PARTS_MAX + 1)]},
            "communityIds",
            f"at most {PARTS_MAX}",
        ),
    ],
)
async def test_bad_shapes_are_refused_and_nothing_is_written(
    client: httpx.AsyncClient, session: RequestSession, shape: dict, field: str, words: str
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    before = await _community_count(session)
    refused = await _create(client, token, shape)
    assert refused["community"] is None
    [error] = refused["userErrors"]
    assert error["field"] == field
    assert words in error["message"]
    assert await _community_count(session) == before


async def test_as_many_parts_as_the_cap_are_merged(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    made = await _create(client, token, {"lsoaCodes": ["W01000733"] * PARTS_MAX})
    assert made["userErrors"] == [] and made["community"]["name"] == "Tref"


async def test_a_self_intersecting_shape_is_explained_in_the_request_language(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    west, south, east, north = -4.320, 51.852, -4.300, 51.862
    bowtie = {
        "type": "Polygon",
        "coordinates": [
            [[west, south], [east, north], [east, south], [west, north], [west, south]]
        ],
    }
    [english] = (await _create(client, token, {"geometry": bowtie}))["userErrors"]
    [welsh] = (await _create(client, token, {"geometry": bowtie}, language="cy"))["userErrors"]
    assert (english["field"], english["code"]) == (welsh["field"], welsh["code"])
    assert english["message"].startswith("The geometry is not a valid polygon: Self-intersection")
    assert welsh["message"].startswith("Mae'r geometreg yn bolygon annilys: Self-intersection")


async def test_clip_to_region_on_request_reports_what_was_cut(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    made = await _create(client, token, {"geometry": TENBY_COAST, "clipToRegion": True})
    assert made["userErrors"] == []
    assert made["clippedAreaKm2"] > 0.1
    assert made["community"]["county"]["code"] == PEMBROKESHIRE
    full_box_km2 = 2.78 * 4.45  # 0.04° of longitude by 0.04° of latitude at 51.66°N
    assert made["community"]["areaKm2"] + made["clippedAreaKm2"] == pytest.approx(
        full_box_km2, rel=0.02
    )


async def test_asked_to_clip_even_a_sliver_outside_is_cut_away_and_not_asked_it_is_kept(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    """The Carmarthen box takes in a little of the tidal Tywi, outside the region but within
    the tolerance: drawn as it is, it is kept whole; redrawn with clipping, the river goes."""
    token = await _coordinator(client, session)
    await _new_set(client, token)
    kept = await _create(client, token, {"geometry": CARMARTHEN})
    assert kept["userErrors"] == []
    assert kept["clippedAreaKm2"] == 0
    body = await gql(
        client,
        operation("UpdateCommunity"),
        {
            "input": {
                "id": kept["community"]["id"],
                "version": 1,
                "shape": {"geometry": CARMARTHEN, "clipToRegion": True},
            }
        },
        token=token,
    )
    clipped = body["data"]["updateCommunity"]
    assert clipped["userErrors"] == []
    assert clipped["clippedAreaKm2"] > 0
    assert clipped["community"]["areaKm2"] == pytest.approx(
        kept["community"]["areaKm2"] - clipped["clippedAreaKm2"], abs=0.002
    )


async def test_overlap_within_a_set_is_refused_but_not_across_sets(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    assert (await _create(client, token, {"geometry": CARMARTHEN}, "Cyntaf"))["userErrors"] == []
    shifted = _box(-4.320, 51.857, -4.300, 51.867)  # half over the first
    refused = await _create(client, token, {"geometry": shifted}, "Ail")
    [error] = refused["userErrors"]
    assert error["field"] == "geometry"
    assert "overlaps others in the set HANDDRAWN: Cyntaf (" in error["message"]
    await _new_set(client, token, "OTHER")
    other = await gql(
        client,
        operation("CreateCommunity"),
        {"input": {"setCode": "OTHER", "nameEn": "Ail", "shape": {"geometry": shifted}}},
        token=token,
    )
    assert other["data"]["createCommunity"]["userErrors"] == []


async def test_sets_loaded_from_files_cannot_be_drawn_on(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    body = await gql(
        client,
        operation("CreateCommunity"),
        {"input": {"setCode": "MSOA", "nameEn": "X", "shape": {"geometry": CARMARTHEN}}},
        token=token,
    )
    assert [e["field"] for e in body["data"]["createCommunity"]["userErrors"]] == ["setCode"]


async def test_coordinators_draw_only_in_their_counties(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    await make_user(session, "admin@example.org", {Role.ADMIN: ALL_COUNTIES})
    admin = (await sign_in(client, "admin@example.org"))["accessToken"]
    await _new_set(client, admin)
    token = await _coordinator(client, session, {CEREDIGION})
    refused = await gql(
        client,
        operation("CreateCommunity"),
        {"input": {"setCode": "HANDDRAWN", "nameEn": "X", "shape": {"geometry": CARMARTHEN}}},
        token=token,
        expect_errors=True,
    )
    assert error_codes(refused) == ["FORBIDDEN"]


async def test_editing_makes_a_new_version_and_keeps_the_old(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    await _new_set(client, token)
    made = (await _create(client, token, {"geometry": CARMARTHEN}, "Hen enw"))["community"]
    bigger = _box(-4.325, 51.850, -4.295, 51.865)
    body = await gql(
        client,
        operation("UpdateCommunity"),
        {
            "input": {
                "id": made["id"],
                "version": 1,
                "nameEn": "Enw newydd",
                "shape": {"geometry": bigger},
            }
        },
        token=token,
    )
    edited = body["data"]["updateCommunity"]
    assert edited["userErrors"] == []
    assert edited["community"]["version"] == 2
    assert edited["community"]["areaKm2"] > made["areaKm2"]
    assert [(v["version"], v["nameEn"]) for v in edited["community"]["versions"]] == [
        (1, "Hen enw")
    ]
    stale = await gql(
        client,
        operation("UpdateCommunity"),
        {"input": {"id": made["id"], "version": 1, "nameEn": "Trydydd"}},
        token=token,
    )
    assert user_errors(stale["data"]["updateCommunity"]) == [("version", "CONFLICT")]
    name = await session.scalar(select(Community.name_en).where(Community.id == made["id"]))
    assert name == "Enw newydd"


async def test_loaded_sets_are_read_only_through_the_api(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    msoa = await session.scalar(
        select(Community.id).join(CommunitySet).where(CommunitySet.code == "MSOA").limit(1)
    )
    body = await gql(
        client,
        operation("UpdateCommunity"),
        {"input": {"id": str(msoa), "version": 1, "nameEn": "Renamed"}},
        token=token,
    )
    assert [e["field"] for e in body["data"]["updateCommunity"]["userErrors"]] == ["id"]


async def test_a_ward_based_set_to_edit(client: httpx.AsyncClient, session: RequestSession) -> None:
    token = await _coordinator(client, session)
    body = await gql(
        client,
        operation("CreateCommunitySet"),
        {"input": {"code": "WARDS_2026", "nameEn": "Wards, as we use them", "basedOn": "WARD"}},
        token=token,
    )
    assert body["data"]["createCommunitySet"]["communitySet"]["source"] == "CUSTOM"
    copies = await gql(
        client,
        operation("Communities"),
        {"setCode": "WARDS_2026", "countyCode": CEREDIGION, "first": 1},
    )
    assert copies["data"]["communities"]["totalCount"] == 40
    first = copies["data"]["communities"]["edges"][0]["node"]
    linked = await session.scalar(
        select(func.count())
        .select_from(CommunityLsoa)
        .join(Community, Community.id == CommunityLsoa.community_id)
        .join(CommunitySet, CommunitySet.id == Community.set_id)
        .where(CommunitySet.code == "WARDS_2026")
    )
    assert linked == 229  # every LSOA rolls up into one of the copied wards
    renamed = await gql(
        client,
        operation("UpdateCommunity"),
        {"input": {"id": first["id"], "version": 1, "nameCy": "Enw newydd"}},
        token=token,
    )
    assert renamed["data"]["updateCommunity"]["community"]["version"] == 2
    unknown = await gql(
        client,
        operation("CreateCommunitySet"),
        {"input": {"code": "X", "nameEn": "X", "basedOn": "NOPE"}},
        token=token,
    )
    assert [e["field"] for e in unknown["data"]["createCommunitySet"]["userErrors"]] == ["basedOn"]
