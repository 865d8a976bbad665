"""Which community of the default set covers a point, answered in the process.

A batch of 500 conversations asked PostGIS for 500 index walks and polygon tests (about
20 ms of the database's time per batch). Each process instead keeps the default set's
boundary pieces, prepared, in a Shapely STRtree (about a millisecond per batch). The copy
is kept per boundary version (api.places.models.BoundaryVersion): a batch reads the version
in its own transaction and rebuilds the copy when it has changed, so it never places a
point by boundaries its transaction would not see.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from sqlalchemy.ext.asyncio import AsyncSession

from api.places import repository


@dataclass(frozen=True)
class PointIndex:
    version: uuid.UUID
    tree: shapely.STRtree
    pieces: np.ndarray
    # Per piece, in the tree's order: its community's id and county code.
    places: list[tuple[uuid.UUID, str]]

    @classmethod
    def build(cls, version: uuid.UUID, rows: Sequence[tuple[uuid.UUID, str, bytes]]) -> PointIndex:
        pieces = shapely.from_wkb([wkb for _, _, wkb in rows])
        shapely.prepare(pieces)
        return cls(
            version,
            shapely.STRtree(pieces),
            pieces,
            [(community_id, county) for community_id, county, _ in rows],
        )

    def locate(self, points: Sequence[tuple[float, float]]) -> list[tuple[uuid.UUID, str] | None]:
        """For each (lat, lon): the community covering it (boundary included) with its
        county code, or None where no community of the default set does."""
        found: list[tuple[uuid.UUID, str] | None] = [None] * len(points)
        if not points:
            return found
        lat, lon = np.array(points, dtype=float).T
        # Boxes first (the tree), then the exact test on the few candidates.
        point_at, piece_at = self.tree.query(shapely.points(lon, lat))
        covered = shapely.intersects_xy(self.pieces[piece_at], lon[point_at], lat[point_at])
        for n, piece in zip(point_at[covered].tolist(), piece_at[covered].tolist(), strict=True):
            if found[n] is None:
                found[n] = self.places[piece]
        return found


_current: PointIndex | None = None


async def point_index(session: AsyncSession) -> PointIndex:
    """The index for the boundaries this session's transaction sees."""
    global _current
    version = await repository.boundary_version(session)
    if _current is None or _current.version != version:
        _current = PointIndex.build(version, await repository.default_community_pieces(session))
    return _current
