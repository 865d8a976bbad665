"""Where a batch's conversations happened is looked up in one statement; each point should
cost one walk down the boundary pieces' index, which the planner chooses only when it
knows the pieces (the region load gives it their statistics)."""

from __future__ import annotations

import random

from sqlalchemy import text

from api.db import RequestSession
from api.places.repository import PLACES_SQL

# A box over the middle of Carmarthenshire: most points fall in some community.
SOUTH, WEST, NORTH, EAST = 51.80, -4.45, 51.95, -4.10


async def test_a_batch_of_points_walks_the_pieces_index_point_by_point(
    session: RequestSession,
) -> None:
    rng = random.Random(5)
    n = 500
    plan = "\n".join(
        (
            await session.execute(
                text(f"EXPLAIN {PLACES_SQL.text}"),
                {
                    "i": list(range(n)),
                    "lat": [rng.uniform(SOUTH, NORTH) for _ in range(n)],
                    "lon": [rng.uniform(WEST, EAST) for _ in range(n)],
                    "community": [None] * n,
                    "county": [None] * n,
                },
            )
        ).scalars()
    )
    assert "Index Scan using ix_community_pieces_geom" in plan, plan
    assert "Bitmap" not in plan, plan
