"""Bad input gets an error naming the field, and nothing is written."""

from __future__ import annotations

import math
import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.assets import drafts
from api.assets.drafts import AssetDraft
from api.assets.models import Category
from api.assets.service import FILTER_TAGS_MAX
from tests.assets.helpers import CARDIFF, CARMARTHEN, item, leader, results, sync, table_counts
from tests.graphql_client import error_codes, gql, operation


async def _rejected(client, session, sent: dict) -> list[dict]:
    token = await leader(client, session)
    [result] = results(await sync(client, token, [sent]))
    assert result["status"] == "REJECTED", result
    assert result["asset"] is None
    assert await table_counts(session) == (0, 0)
    return result["userErrors"]


@pytest.mark.parametrize(
    ("location", "field"),
    [
        ({"lat": 91.0, "lon": -4.3}, "location.lat"),
        ({"lat": 51.8, "lon": -181.0}, "location.lon"),
    ],
)
async def test_coordinates_out_of_range(client, session: AsyncSession, location, field) -> None:
    errors = await _rejected(client, session, item(location=location))
    assert [e["field"] for e in errors] == [field]


@pytest.mark.parametrize("bad", [math.nan, math.inf])
def test_coordinates_that_are_not_numbers(bad: float) -> None:
    # JSON cannot carry NaN, so the rule is checked where every item passes.
    draft = AssetDraft(id=uuid.uuid4(), category=Category.PHYSICAL, lat=bad, lon=bad, name_en="x")
    errors = drafts.check(draft, 250)
    assert isinstance(errors, list)
    assert [e.field for e in errors] == ["location.lat", "location.lon"]


async def test_a_point_outside_every_county(client, session: AsyncSession) -> None:
    lat, lon = CARDIFF
    errors = await _rejected(client, session, item(location={"lat": lat, "lon": lon}))
    assert errors[0]["field"] == "location"


async def test_a_poor_fix_needs_the_leader_to_confirm(client, session: AsyncSession) -> None:
    lat, lon = CARMARTHEN
    vague = item(location={"lat": lat, "lon": lon, "accuracyM": 400.0})
    errors = await _rejected(client, session, vague)
    assert errors[0]["field"] == "location.accuracyM"
    assert "250 m" in errors[0]["message"]
    token = await leader(client, session, "confirms@example.org")
    [result] = results(await sync(client, token, [{**vague, "confirmAccuracy": True}]))
    assert result["status"] == "CREATED"


async def test_empty_names(client, session: AsyncSession) -> None:
    errors = await _rejected(client, session, item(nameEn="   ", nameCy=""))
    assert errors[0]["field"] == "nameEn"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"description": "x" * 4001}, "description"),
        ({"nameCy": "x" * 201}, "nameCy"),
        ({"tags": ["x" * 51]}, "tags"),
        ({"postcode": "not a postcode"}, "postcode"),
        ({"contact": {"email": "nobody"}}, "contact.email"),
    ],
)
async def test_over_long_or_malformed_text(client, session: AsyncSession, fields, field) -> None:
    errors = await _rejected(client, session, item(**fields))
    assert [e["field"] for e in errors] == [field]


async def test_an_unknown_category(client, session: AsyncSession) -> None:
    token = await leader(client, session)
    body = await sync(client, token, [item(), item(category="CHURCH")], expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert "category" in body["errors"][0]["message"]
    assert await table_counts(session) == (0, 0)


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"tags": [f"tag{n}" for n in range(drafts.TAGS_MAX + 1)]}, "tags"),
        ({"tags": ["walking"] * (drafts.TAGS_MAX + 1)}, "tags"),  # counted as sent
        ({"languages": ["CY", "EN", "CY"]}, "languages"),
        ({"wellbeing": ["GIVE"] * 6}, "wellbeing"),
    ],
)
async def test_over_long_lists(client, session: AsyncSession, fields, field) -> None:
    errors = await _rejected(client, session, item(**fields))
    assert [e["field"] for e in errors] == [field]
    assert "at most" in errors[0]["message"]


async def test_lists_at_their_caps(client, session: AsyncSession) -> None:
    token = await leader(client, session)
    full = item(
        tags=[f"tag{n}" for n in range(drafts.TAGS_MAX)],
        languages=["CY", "EN"],
        wellbeing=["CONNECT", "BE_ACTIVE", "TAKE_NOTICE", "KEEP_LEARNING", "GIVE"],
    )
    [result] = results(await sync(client, token, [full]))
    assert result["status"] == "CREATED"


@pytest.mark.parametrize(
    ("flt", "field"),
    [
        ({"categories": ["ASSOCIATION"] * 7}, "filter.categories"),
        ({"status": ["VERIFIED"] * 5}, "filter.status"),
        ({"tags": ["walking"] * (FILTER_TAGS_MAX + 1)}, "filter.tags"),
    ],
)
async def test_over_long_filter_lists(client, flt: dict, field: str) -> None:
    body = await gql(client, operation("Assets"), {"filter": flt}, expect_errors=True)
    assert error_codes(body) == ["BAD_USER_INPUT"]
    assert body["errors"][0]["extensions"]["field"] == field
    at_cap = {key: values[: len(values) - 1] for key, values in flt.items()}
    assert "errors" not in await gql(client, operation("Assets"), {"filter": at_cap})
