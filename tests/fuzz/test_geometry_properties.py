"""Property tests for the geometry rules: whatever shape or point comes in, the answer is an
acceptance that keeps the rules, or a clear error naming the field; never a crash."""

from __future__ import annotations

import json
import math
from typing import Any

import httpx
import pytest
import shapely
from hypothesis import event, given
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

from api.auth.principal import ALL_COUNTIES, Role
from api.db import RequestSession
from api.places.community_editing import (
    OUTSIDE_TOLERANCE_M2,
    OUTSIDE_TOLERANCE_SHARE,
    OVERLAP_TOLERANCE_M2,
    OVERLAP_TOLERANCE_SHARE,
)
from geodata.geometry import GeometryProblem, polygonal_from_geojson
from tests.fuzz.strategies import LAT, LON, geometries, rings
from tests.fuzz.support import fuzz_settings, savepoint
from tests.graphql_client import gql, operation
from tests.people.helpers import make_user, sign_in

json_values = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=20,
)


@fuzz_settings(examples=150, soak_examples=20_000)
@given(geometry=st.one_of(geometries(), json_values))
def test_a_geojson_geometry_is_a_valid_multipolygon_or_a_stated_problem(geometry: Any) -> None:
    try:
        shape = polygonal_from_geojson(geometry)
    except GeometryProblem as problem:
        assert str(problem)
        return
    assert shape.is_valid and not shape.is_empty
    for lon, lat in shapely.get_coordinates(shape):
        assert math.isfinite(lon) and math.isfinite(lat)
        assert -180 <= lon <= 180 and -90 <= lat <= 90


# Places to draw around (lon, lat): town centres, the coast at Tenby, the Teifi (a county
# border) at Cardigan, and Cardiff (outside the region). Boxes near the same place overlap.
PLACES = [
    (-4.31, 51.86),
    (-4.08, 52.41),
    (-4.97, 51.80),
    (-4.70, 51.67),
    (-4.66, 52.08),
    (-4.16, 51.68),
    (-3.18, 51.48),
]


@st.composite
def drawn_shapes(draw: st.DrawFn) -> dict[str, Any]:
    """Mostly small boxes around the region's places (inside, across the coast or a border,
    overlapping earlier ones), and some free-hand rings that may cross themselves."""
    if draw(st.integers(0, 4)) == 0:
        return {"type": "Polygon", "coordinates": [draw(rings(max_points=8))]}
    lon, lat = draw(st.sampled_from(PLACES))
    west = lon + draw(st.floats(-0.03, 0.03))
    south = lat + draw(st.floats(-0.03, 0.03))
    width, height = draw(st.floats(0.0005, 0.05)), draw(st.floats(0.0005, 0.05))
    east, north = west + width, south + height
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


@pytest.fixture
async def coordinator(client: httpx.AsyncClient, session: RequestSession) -> str:
    await make_user(session, "drawer@example.org", {Role.COORDINATOR: ALL_COUNTIES})
    token = (await sign_in(client, "drawer@example.org"))["accessToken"]
    body = await gql(
        client,
        operation("CreateCommunitySet"),
        {"input": {"code": "FUZZ", "nameEn": "Drawn by the fuzzer"}},
        token=token,
    )
    assert body["data"]["createCommunitySet"]["userErrors"] == []
    return token


STORED = text(
    """
    WITH c AS (SELECT id, set_id, geom FROM communities WHERE id = CAST(:id AS uuid)),
    region AS (SELECT ST_Union(geom) AS geom FROM counties)
    SELECT ST_Area(ST_Transform(c.geom, 27700)),
           COALESCE(ST_Area(ST_Transform(ST_Difference(c.geom, region.geom), 27700)), 0),
           ST_IsValid(c.geom),
           COALESCE((SELECT max(ST_Area(ST_Transform(ST_Intersection(c.geom, o.geom), 27700)))
                     FROM communities o
                     WHERE o.set_id = c.set_id AND o.id <> c.id
                       AND ST_Intersects(o.geom, c.geom)), 0)
    FROM c, region
    """
)


async def _draw(client: httpx.AsyncClient, token: str, shape: Any, clip: bool) -> dict[str, Any]:
    body = await gql(
        client,
        operation("CreateCommunity"),
        {
            "input": {
                "setCode": "FUZZ",
                "nameEn": "Drawn",
                "shape": {"geometry": shape, "clipToRegion": clip},
            }
        },
        token=token,
    )
    return body["data"]["createCommunity"]


@fuzz_settings(examples=12, soak_examples=1_000)
@given(drawings=st.lists(st.tuples(drawn_shapes(), st.booleans()), min_size=1, max_size=4))
async def test_drawn_communities_keep_the_boundary_rules_or_are_refused_naming_geometry(
    client: httpx.AsyncClient,
    connection: AsyncConnection,
    coordinator: str,
    drawings: list[tuple[dict[str, Any], bool]],
) -> None:
    """Each example draws a few communities into the set (later ones may overlap earlier
    ones), in a savepoint of its own so that examples do not see each other's."""
    async with savepoint(connection):
        for shape, clip in drawings:
            payload = await _draw(client, coordinator, shape, clip)
            if payload["community"] is None:
                assert payload["userErrors"], payload
                assert {e["field"] for e in payload["userErrors"]} == {"geometry"}, payload
                event("refused: " + payload["userErrors"][0]["message"].split(":")[0][:40])
                continue
            event("accepted, clipped" if payload["clippedAreaKm2"] else "accepted")
            assert payload["userErrors"] == []
            stored = await connection.execute(STORED, {"id": payload["community"]["id"]})
            area, outside, valid, overlap = stored.one()
            assert valid and area > 0
            # Asked to clip, nothing is left outside; not asked, up to the tolerance may be.
            tolerance = max(OUTSIDE_TOLERANCE_M2, OUTSIDE_TOLERANCE_SHARE * area)
            allowed = 1.0 if clip else tolerance * 1.001
            assert outside <= allowed, (outside, area, shape, clip)
            assert overlap <= max(OVERLAP_TOLERANCE_M2, OVERLAP_TOLERANCE_SHARE * area) * 1.001


finite_or_not = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=LAT[0], max_value=LAT[1]),
)
COUNTY_AT = text(
    "SELECT code FROM counties WHERE ST_Covers(geom, ST_SetSRID(ST_MakePoint(:lon, :lat), 4326))"
)


@fuzz_settings(examples=40, soak_examples=5_000)
@given(lat=finite_or_not, lon=st.one_of(finite_or_not, st.floats(*LON)))
async def test_place_at_any_point_answers_the_covering_county_or_names_the_bad_coordinate(
    client: httpx.AsyncClient, session: RequestSession, lat: float, lon: float
) -> None:
    # Sent as raw JSON so NaN and infinities arrive as the tokens a careless client writes.
    response = await client.post(
        "/graphql",
        content=json.dumps({"query": operation("PlaceAt"), "variables": {"lat": lat, "lon": lon}}),
        headers={"content-type": "application/json"},
    )
    assert response.status_code < 500, response.text
    body = response.json() if response.status_code == 200 else {"errors": [{}]}
    in_range = all(math.isfinite(v) for v in (lat, lon)) and abs(lat) <= 90 and abs(lon) <= 180
    if not in_range:
        assert body.get("errors"), body
        # Each error names a coordinate (a request with both bad gets one for each).
        for error in body["errors"] if response.status_code == 200 else []:
            assert error["extensions"]["code"] == "BAD_USER_INPUT"
            named = error["extensions"].get("field") or error["message"]
            assert "lat" in named or "lon" in named, error
        return
    assert "errors" not in body, body
    covering = (await session.scalars(COUNTY_AT, {"lat": lat, "lon": lon})).all()
    county = body["data"]["placeAt"]["county"]
    assert (county["code"] if county else None) in (covering or [None])
