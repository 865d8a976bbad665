"""The copy of the default set's boundaries a process keeps for placing points: it places
every point as PostGIS does, and it is rebuilt whenever what it copied is written."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from api.db import RequestSession
from api.places import point_index as point_index_module
from api.places.point_index import point_index

# Random points over the region's envelope, seeded, with the default set's community
# covering each by PostGIS (null where none does).
POINTS = text(
    """
    WITH points AS (
        SELECT (ST_Dump(ST_GeneratePoints(ST_Envelope(ST_Collect(geom)), 5000, 11))).geom AS pt
        FROM counties
    )
    SELECT ST_Y(pt) AS lat, ST_X(pt) AS lon,
           (SELECT c.id FROM communities c JOIN community_sets s ON s.id = c.set_id
            WHERE s.is_default AND ST_Covers(c.geom, pt) LIMIT 1) AS community_id
    FROM points
    """
)


async def _version(session: RequestSession) -> uuid.UUID:
    return (await session.execute(text("SELECT version FROM boundary_versions"))).scalar_one()


async def test_points_are_placed_as_postgis_places_them(session: RequestSession) -> None:
    rows = (await session.execute(POINTS)).all()
    index = await point_index(session)
    found = index.locate([(r.lat, r.lon) for r in rows])
    assert sum(r.community_id is not None for r in rows) > 1000
    assert sum(r.community_id is None for r in rows) > 500
    assert [hit[0] if hit else None for hit in found] == [r.community_id for r in rows]
    counties = dict(
        (
            await session.execute(
                text("SELECT c.id, k.code FROM communities c JOIN counties k ON k.id = c.county_id")
            )
        ).all()
    )
    assert all(hit[1] == counties[hit[0]] for hit in found if hit)


async def test_the_copy_is_kept_until_the_boundaries_change_and_then_rebuilt(
    session: RequestSession,
) -> None:
    index = await point_index(session)
    assert await point_index(session) is index
    community_id, lat, lon = (
        await session.execute(
            text(
                "SELECT c.id, ST_Y(ST_PointOnSurface(c.geom)), ST_X(ST_PointOnSurface(c.geom)) "
                "FROM communities c JOIN community_sets s ON s.id = c.set_id "
                "WHERE s.is_default ORDER BY c.code LIMIT 1"
            )
        )
    ).one()
    [(before, _)] = index.locate([(lat, lon)])
    assert before == community_id

    # The community is redrawn as a small square out in Cardigan Bay, where no other is.
    await session.execute(
        text(
            "UPDATE communities SET geom = ST_Multi(ST_MakeEnvelope(-4.61, 52.29, -4.60, 52.30, "
            "4326)) WHERE id = :id"
        ),
        {"id": community_id},
    )
    rebuilt = await point_index(session)
    assert rebuilt is not index
    [after] = rebuilt.locate([(lat, lon)])
    assert after is None or after[0] != community_id
    [(moved, _)] = rebuilt.locate([(52.295, -4.605)])
    assert moved == community_id


@pytest.mark.parametrize(
    ("statement", "changes"),
    [
        ("UPDATE counties SET code = code", True),
        ("UPDATE community_sets SET is_default = is_default", True),
        ("UPDATE communities SET county_id = county_id", True),
        ("DELETE FROM community_pieces WHERE false", True),
        ("UPDATE communities SET name_en = name_en", False),
        ("UPDATE counties SET name_en = name_en", False),
    ],
)
async def test_writing_what_the_copy_reads_gives_a_new_version(
    session: RequestSession, statement: str, changes: bool
) -> None:
    before = await _version(session)
    await session.execute(text(statement))
    assert (await _version(session) != before) is changes


async def test_a_version_is_never_seen_twice_even_after_a_rollback(
    session: RequestSession,
) -> None:
    """A copy is known by its version alone: a version a rolled-back write had drawn must
    not come back with other boundaries (nor one from another database: the tests' scratch
    databases load the same region in the same process)."""
    async with session.begin_nested() as savepoint:
        await session.execute(text("UPDATE community_sets SET is_default = is_default"))
        undone = await _version(session)
        await savepoint.rollback()
    await session.execute(text("UPDATE community_sets SET is_default = is_default"))
    assert await _version(session) != undone


def test_an_empty_set_places_nothing() -> None:
    empty = point_index_module.PointIndex.build(uuid.uuid4(), [])
    assert empty.locate([(51.85, -4.3)]) == [None]
    assert empty.locate([]) == []
