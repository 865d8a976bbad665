"""Hypothesis strategies for the region's geometry: points and rings around west Wales, and
the broken shapes a phone or a hand-made request might send."""

from __future__ import annotations

from typing import Any

import graphql
from hypothesis import strategies as st
from schemathesis.graphql import nodes

# A box around the region (and a little beyond, so some shapes fall outside it).
LON = (-5.6, -3.4)
LAT = (51.4, 52.8)

lons = st.floats(*LON, allow_nan=False)
lats = st.floats(*LAT, allow_nan=False)
any_floats = st.floats(allow_nan=True, allow_infinity=True)
positions = st.one_of(
    st.tuples(lons, lats).map(list),
    st.tuples(any_floats, any_floats).map(list),
    st.lists(st.floats(-200, 200), max_size=4),
)


@st.composite
def rings(draw: st.DrawFn, max_points: int = 12) -> list[list[float]]:
    """A ring of points near the region: closed, usually, and sometimes self-crossing."""
    points = draw(st.lists(st.tuples(lons, lats).map(list), min_size=3, max_size=max_points))
    if draw(st.booleans()):
        points.append(points[0])
    return points


def geometries() -> st.SearchStrategy[dict[str, Any]]:
    polygon = st.lists(rings(), min_size=1, max_size=2).map(
        lambda r: {"type": "Polygon", "coordinates": r}
    )
    multipolygon = st.lists(st.lists(rings(), min_size=1, max_size=2), min_size=1, max_size=2).map(
        lambda p: {"type": "MultiPolygon", "coordinates": p}
    )
    odd = st.fixed_dictionaries(
        {
            "type": st.sampled_from(["Point", "LineString", "Polygon", "Feature", "Nonsense"]),
            "coordinates": st.recursive(positions, lambda inner: st.lists(inner, max_size=4)),
        }
    )
    return st.one_of(polygon, multipolygon, odd)


def value_node(value: Any) -> graphql.ValueNode:
    """A GraphQL literal for a JSON-like value."""
    if value is None:
        return nodes.Null
    if isinstance(value, bool):
        return nodes.Boolean(value)
    if isinstance(value, int):
        return nodes.Int(value)
    if isinstance(value, float):
        # NaN and infinities have no GraphQL literal; a huge number stands in for them.
        return nodes.Float(value if value == value and abs(value) != float("inf") else 1e308)
    if isinstance(value, str):
        return nodes.String(value)
    if isinstance(value, dict):
        return nodes.Object(
            [
                graphql.ObjectFieldNode(name=graphql.NameNode(value=k), value=value_node(v))
                for k, v in value.items()
            ]
        )
    return nodes.List([value_node(v) for v in value])


def geojson_values() -> st.SearchStrategy[graphql.ValueNode]:
    return st.one_of(geometries(), st.text(max_size=20)).map(value_node)
