"""The lists a selection round is made from are capped: one over is refused naming the
field, with nothing written; a list at the cap is accepted."""

from __future__ import annotations

import uuid

import httpx
from sqlalchemy import func, select

from api.db import RequestSession
from api.selection.indicators import INDICATORS
from api.selection.models import SelectionRound
from api.shared.limits import COUNTY_CODES_MAX
from tests.graphql_client import gql, operation, refused_fields
from tests.people.helpers import CARMARTHENSHIRE
from tests.selection.test_rounds import CRITERIA, _coordinator, _round

EVERY_INDICATOR = [{"indicator": key, "weight": 1, "direction": "HIGHER"} for key in INDICATORS]
ONE_TOO_MANY = [*EVERY_INDICATOR, EVERY_INDICATOR[0]]


async def _rounds(session: RequestSession) -> int:
    return await session.scalar(select(func.count()).select_from(SelectionRound))


async def test_a_round_s_counties_and_criteria_are_capped(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    before = await _rounds(session)
    for changes, field in [
        ({"countyCodes": [CARMARTHENSHIRE] * (COUNTY_CODES_MAX + 1)}, "countyCodes"),
        ({"criteria": ONE_TOO_MANY}, "criteria"),
    ]:
        refused = await _round(client, token, **changes)
        assert refused["round"] is None
        assert refused_fields({"data": refused}) == {field}
    assert await _rounds(session) == before

    made = await _round(client, token, criteria=EVERY_INDICATOR)
    assert len(made["round"]["criteria"]) == len(INDICATORS)
    variables = {"roundId": made["round"]["id"], "criteria": ONE_TOO_MANY}
    body = await gql(client, operation("ChangeSelectionCriteria"), variables, token=token)
    assert body["data"]["changeSelectionCriteria"]["round"] is None
    assert refused_fields(body) == {"criteria"}
    variables["criteria"] = CRITERIA
    body = await gql(client, operation("ChangeSelectionCriteria"), variables, token=token)
    assert len(body["data"]["changeSelectionCriteria"]["round"]["criteria"]) == len(CRITERIA)


async def test_at_most_twenty_communities_are_compared(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    token = await _coordinator(client, session)
    ids = [str(uuid.uuid4()) for _ in range(21)]
    body = await gql(
        client, operation("CompareCommunities"), {"ids": ids}, token=token, expect_errors=True
    )
    assert body["data"] is None
    assert refused_fields(body) == {"ids"}
    assert "20" in body["errors"][0]["message"]
