"""placeAt: which county, community and LSOA cover a point, answered from the GiST indexes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.dialects import postgresql

from api.db import RequestSession
from api.places.models import Community, County, Lsoa
from api.places.repository import containing
from tests.graphql_client import error_codes, gql, operation

CARMARTHENSHIRE, CEREDIGION, PEMBROKESHIRE = "W06000010", "W06000008", "W06000009"


@pytest.mark.parametrize(
    ("town", "lat", "lon", "county"),
    [
        ("Carmarthen", 51.8574, -4.3106, CARMARTHENSHIRE),
        ("Llanelli", 51.6806, -4.1613, CARMARTHENSHIRE),
        ("Ammanford", 51.7943, -3.9886, CARMARTHENSHIRE),
        ("Aberystwyth", 52.4153, -4.0829, CEREDIGION),
        ("Cardigan", 52.0833, -4.6611, CEREDIGION),
        ("Lampeter", 52.1130, -4.0797, CEREDIGION),
        ("Haverfordwest", 51.8010, -4.9690, PEMBROKESHIRE),
        ("Tenby", 51.6725, -4.7037, PEMBROKESHIRE),
        ("St Davids", 51.8818, -5.2660, PEMBROKESHIRE),
        ("Skomer Island", 51.7380, -5.2950, PEMBROKESHIRE),
        ("Caldey Island", 51.6330, -4.6880, PEMBROKESHIRE),
    ],
)
async def test_towns_and_islands(
    client: httpx.AsyncClient, town: str, lat: float, lon: float, county: str
) -> None:
    place = (await gql(client, operation("PlaceAt"), {"lat": lat, "lon": lon}))["data"]["placeAt"]
    assert place["county"]["code"] == county, town
    assert place["community"] is not None, town
    assert place["lsoa"]["code"].startswith("W01"), town


async def test_most_deprived_lsoa_is_found_in_llanelli(client: httpx.AsyncClient) -> None:
    place = await gql(client, operation("PlaceAt"), {"lat": 51.6795, "lon": -4.1620})
    lsoa = place["data"]["placeAt"]["lsoa"]
    assert (lsoa["localName"], lsoa["deprivationRank"]) == ("Tyisha 2", 17)


@pytest.mark.parametrize(
    ("where", "lat", "lon"),
    [
        ("Cardigan Bay", 52.30, -4.60),
        ("Hereford, England", 52.0560, -2.7160),
        ("Dublin", 53.3498, -6.2603),
        ("Swansea (Wales, another county)", 51.6214, -3.9436),
    ],
)
async def test_points_outside_the_region_are_null_without_error(
    client: httpx.AsyncClient, where: str, lat: float, lon: float
) -> None:
    place = (await gql(client, operation("PlaceAt"), {"lat": lat, "lon": lon}))["data"]["placeAt"]
    assert place == {"county": None, "community": None, "lsoa": None}, where


@pytest.mark.parametrize(
    ("lat", "lon", "field"), [(91, -4.0, "lat"), (-90.5, -4.0, "lat"), (52.0, 181, "lon")]
)
async def test_out_of_range_coordinates_name_the_field(
    client: httpx.AsyncClient, lat: float, lon: float, field: str
) -> None:
    body = await gql(client, operation("PlaceAt"), {"lat": lat, "lon": lon}, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field


@pytest.mark.parametrize("model", [County, Community, Lsoa])
async def test_point_in_polygon_uses_the_gist_index(session: RequestSession, model: Any) -> None:
    statement = containing(model, 51.8574, -4.3106).compile(
        dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}
    )
    plan = "\n".join((await session.execute(text(f"EXPLAIN {statement}"))).scalars().all())
    assert f"ix_{model.__tablename__}_geom" in plan, plan
