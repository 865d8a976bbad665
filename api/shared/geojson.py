"""The GeoJSON scalar: geometry as RFC 7946 (lon/lat, 6 decimals), built by PostGIS.

PostGIS already returns the JSON text; wrapping it in `orjson.Fragment` lets the response
encoder write it as-is instead of parsing and re-serialising every polygon.
"""

from __future__ import annotations

from typing import Any, NewType

import orjson
import strawberry

GeoJSON = NewType("GeoJSON", object)

GEOJSON_SCALAR = strawberry.scalar(
    name="GeoJSON",
    description="A GeoJSON geometry (RFC 7946): WGS84 longitude/latitude, 6 decimal places.",
    serialize=lambda value: value,
    parse_value=lambda value: value,
)


def as_geojson(text: str | None) -> Any:
    return None if text is None else orjson.Fragment(text)
