"""Geometry checks shared by the loader and by user input. Nothing here touches a database.

Problems are reported, never silently repaired: a self-intersecting boundary from a file or
a phone is somebody's data, and they should hear what is wrong with it.
"""

from __future__ import annotations

import math
from typing import Any

from shapely import get_coordinates, get_num_coordinates, is_valid_reason
from shapely.errors import GEOSException
from shapely.geometry import MultiPolygon, Polygon, shape
from shapely.geometry.base import BaseGeometry

MAX_VERTICES = 200_000


class GeometryProblem(ValueError):
    """A geometry that cannot be used, with a message fit to show a person: in English it
    completes "The geometry ...", and `cy` in Welsh completes "Mae'r geometreg ..."."""

    def __init__(self, message: str, cy: str) -> None:
        super().__init__(message)
        self.cy = cy


def _check_coordinates(geom: BaseGeometry) -> None:

    for lon, lat in get_coordinates(geom):
        if not (math.isfinite(lon) and math.isfinite(lat)):
            raise GeometryProblem(
                "has a coordinate that is not a number", "yn cynnwys cyfesuryn nad yw'n rhif"
            )
        if not (-180 <= lon <= 180 and -90 <= lat <= 90):
            raise GeometryProblem(
                f"has a coordinate out of range (lon {lon}, lat {lat}); "
                "GeoJSON is longitude first, in degrees",
                f"yn cynnwys cyfesuryn y tu allan i'r ystod (lon {lon}, lat {lat}); "
                "mae GeoJSON yn rhoi'r hydred yn gyntaf, mewn graddau",
            )


def polygonal_from_geojson(geometry: Any, max_vertices: int = MAX_VERTICES) -> MultiPolygon:
    """A valid MultiPolygon from a GeoJSON Polygon/MultiPolygon, or GeometryProblem."""
    if not isinstance(geometry, dict) or geometry.get("type") not in ("Polygon", "MultiPolygon"):
        kind = geometry.get("type") if isinstance(geometry, dict) else type(geometry).__name__
        raise GeometryProblem(
            f"must be a Polygon or MultiPolygon, not {kind}",
            f"yn {kind}, ond rhaid iddi fod yn Polygon neu'n MultiPolygon",
        )
    try:
        geom = shape(geometry)
    # GEOS refuses some shapes itself (a ring of holes inside an empty shell).
    except (ValueError, TypeError, AttributeError, IndexError, GEOSException) as exc:
        raise GeometryProblem(
            f"is not well-formed GeoJSON ({exc})", f"yn GeoJSON sydd wedi'i ffurfio'n wael ({exc})"
        ) from None
    if geom.is_empty:
        raise GeometryProblem("is empty", "yn wag")
    _check_coordinates(geom)

    if get_num_coordinates(geom) > max_vertices:
        raise GeometryProblem(
            f"has more than {max_vertices} vertices", f"yn cynnwys mwy na {max_vertices} fertig"
        )
    if not geom.is_valid:
        reason = is_valid_reason(geom)
        raise GeometryProblem(f"is not a valid polygon: {reason}", f"yn bolygon annilys: {reason}")
    return geom if isinstance(geom, MultiPolygon) else MultiPolygon([geom])


def share_outside(part: BaseGeometry, whole: BaseGeometry) -> float:
    """The share of `part`'s area that lies outside `whole` (0 = entirely inside)."""
    if part.area == 0:
        return 0.0
    return part.difference(whole).area / part.area


__all__ = ["GeometryProblem", "MultiPolygon", "Polygon", "polygonal_from_geojson", "share_outside"]
