"""Boundary pieces: every county and community is also kept cut into small polygons for
point look-ups, cut afresh whenever its boundary is written, by every path that writes one."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import text

from api.auth.principal import ALL_COUNTIES, Role
from api.db import RequestSession
from api.places.models import PIECE_VERTICES
from tests.graphql_client import gql, operation
from tests.people.helpers import make_user, sign_in

# Per area: how many pieces, the most vertices in one, and whether they make up exactly
# the boundary (ST_Union nodes them: exact for simple shapes, not for coastlines).
PIECES = """
    SELECT a.id, count(p.piece) AS pieces, max(ST_NPoints(p.geom)) AS most_vertices,
           ST_Equals(a.geom, ST_Union(p.geom)) AS exact
    FROM {areas} a LEFT JOIN {pieces} p ON p.{key} = a.id
    WHERE {where}
    GROUP BY a.id, a.geom
"""
# Random points over the region's envelope: the county covering each, by whole boundary
# and by pieces (a point on no county gives null both ways).
SAME_COUNTY = text(
    """
    WITH points AS (
        SELECT (ST_Dump(ST_GeneratePoints(ST_Envelope(ST_Collect(geom)), 5000, 7))).geom AS pt
        FROM counties
    )
    SELECT count(*) FILTER (WHERE whole IS NOT NULL),
           count(*) FILTER (WHERE whole IS DISTINCT FROM cut)
    FROM (
        SELECT (SELECT k.id FROM counties k WHERE ST_Covers(k.geom, pt) LIMIT 1) AS whole,
               (SELECT kp.county_id FROM county_pieces kp WHERE ST_Covers(kp.geom, pt) LIMIT 1)
                   AS cut
        FROM points
    ) found
    """
)


async def _pieces(
    session: RequestSession, areas: str, pieces: str, key: str, where: str = "true", **params: Any
) -> list[Any]:
    query = PIECES.format(areas=areas, pieces=pieces, key=key, where=where)
    return list((await session.execute(text(query), params)).all())


def _box(west: float, south: float, east: float, north: float) -> dict[str, Any]:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return {"type": "Polygon", "coordinates": [ring]}


def _small(rows: list[Any]) -> None:
    assert rows
    for row in rows:
        assert row.pieces > 0, row
        assert row.most_vertices <= PIECE_VERTICES, row


async def test_every_loaded_county_and_community_is_cut_into_small_pieces_covering_it(
    session: RequestSession,
) -> None:
    counties = await _pieces(session, "counties", "county_pieces", "county_id")
    _small(counties)
    # Real county boundaries have thousands of vertices: they really are cut.
    assert max(row.pieces for row in counties) > 10
    _small(await _pieces(session, "communities", "community_pieces", "community_id"))
    inside, differ = (await session.execute(SAME_COUNTY)).one()
    assert inside > 1000
    assert differ == 0


async def test_drawing_redrawing_copying_and_deleting_keep_the_pieces_in_step(
    client: httpx.AsyncClient, session: RequestSession
) -> None:
    await make_user(session, "cydlynydd@example.org", {Role.COORDINATOR: ALL_COUNTIES})
    token = (await sign_in(client, "cydlynydd@example.org"))["accessToken"]
    for code, based_on in (("HANDDRAWN", None), ("WARDS_COPY", "WARD")):
        made = await gql(
            client,
            operation("CreateCommunitySet"),
            {
                "input": {
                    "code": code,
                    "nameEn": code,
                    **({"basedOn": based_on} if based_on else {}),
                }
            },
            token=token,
        )
        assert made["data"]["createCommunitySet"]["userErrors"] == []
    copies = "a.set_id = (SELECT id FROM community_sets WHERE code = 'WARDS_COPY')"
    _small(await _pieces(session, "communities", "community_pieces", "community_id", copies))

    drawn = await gql(
        client,
        operation("CreateCommunity"),
        {
            "input": {
                "setCode": "HANDDRAWN",
                "nameEn": "Tref",
                "shape": {"geometry": _box(-4.320, 51.852, -4.300, 51.862)},
            }
        },
        token=token,
    )
    community_id = drawn["data"]["createCommunity"]["community"]["id"]
    this_one = "a.id = CAST(:id AS uuid)"
    [before] = await _pieces(
        session, "communities", "community_pieces", "community_id", this_one, id=community_id
    )
    assert before.exact

    redrawn = await gql(
        client,
        operation("UpdateCommunity"),
        {
            "input": {
                "id": community_id,
                "version": 1,
                "nameEn": "Tref",
                "shape": {"geometry": _box(-4.310, 51.855, -4.290, 51.866)},
            }
        },
        token=token,
    )
    assert redrawn["data"]["updateCommunity"]["userErrors"] == []
    # The old pieces are gone: the new ones make up the new boundary exactly, no more.
    [after] = await _pieces(
        session, "communities", "community_pieces", "community_id", this_one, id=community_id
    )
    assert after.exact

    await session.execute(text("DELETE FROM communities WHERE id = :id"), {"id": community_id})
    left = await session.scalar(
        text("SELECT count(*) FROM community_pieces WHERE community_id = :id"), {"id": community_id}
    )
    assert left == 0
