"""GeoJSON geometries GEOS itself refuses are a stated problem, never an exception."""

from __future__ import annotations

import pytest

from geodata.geometry import GeometryProblem, polygonal_from_geojson


def test_holes_in_an_empty_shell_are_a_stated_problem() -> None:
    hole = [[-4.3, 51.8], [-4.2, 51.8], [-4.2, 51.9], [-4.3, 51.8]]
    with pytest.raises(GeometryProblem):
        polygonal_from_geojson({"type": "Polygon", "coordinates": [[], hole]})
