"""Variables coerced by api.web.coercion give graphql-core's answer for every input type of
the schema, for valid values and broken ones alike."""

from __future__ import annotations

import random
import uuid
from typing import Any

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLInt,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLString,
    Undefined,
    graphql_sync,
)
from graphql.utilities.coerce_input_value import coerce_input_value as generic

from api.schema import build_schema
from api.settings import Settings
from api.web import coercion

SCALARS: dict[str, Any] = {
    "String": lambda rng: rng.choice(["", "text", "Llanelli", "x" * 40]),
    "ID": lambda rng: rng.choice(["1", "abc", 7]),
    "Int": lambda rng: rng.choice([0, 1, -5, 2**40]),
    "Float": lambda rng: rng.choice([0.5, 52.1, -4, 1e300]),
    "Boolean": lambda rng: rng.random() < 0.5,
    "UUID": lambda rng: str(uuid.UUID(int=rng.getrandbits(128))),
    "DateTime": lambda rng: rng.choice(["2026-01-05T10:00:00Z", "2026-01-05T10:00:00+01:00"]),
    "Date": lambda rng: "2026-03-01",
    "GeoJSON": lambda rng: {"type": "Point", "coordinates": [-4.2, 52.1]},
}
# What a careless or hostile client sends instead.
WRONG = [None, "", "nope", 3, 2.5, True, [], {}, ["a"], {"x": 1}, "2026-13-45T99:00:00Z"]


def sample(type_: GraphQLInputType, rng: random.Random, depth: int = 0) -> Any:
    """A value for `type_`: mostly a valid one, now and then broken somewhere."""
    if rng.random() < 0.02:
        return rng.choice(WRONG)
    if isinstance(type_, GraphQLNonNull):
        return sample(type_.of_type, rng, depth)
    if isinstance(type_, GraphQLList):
        if rng.random() < 0.1:
            return sample(type_.of_type, rng, depth + 1)  # a list of one, unwrapped
        return [sample(type_.of_type, rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if isinstance(type_, GraphQLInputObjectType):
        value = {}
        for name, field in type_.fields.items():
            required = isinstance(field.type, GraphQLNonNull)
            if depth < 5 and rng.random() < (0.995 if required else 0.6):
                value[name] = sample(field.type, rng, depth + 1)
        if rng.random() < 0.01:
            value["notAField"] = 1
        return value
    if isinstance(type_, GraphQLEnumType):
        members = [*type_.values]
        return rng.choice([*members, "NOT_A_MEMBER"] if rng.random() < 0.05 else members)
    make = SCALARS.get(type_.name)
    return make(rng) if make else rng.choice(WRONG)


def _input_types(schema: GraphQLSchema) -> list[GraphQLInputObjectType]:
    return [t for t in schema.type_map.values() if isinstance(t, GraphQLInputObjectType)]


SCHEMA = build_schema(Settings(env="development", _env_file=None))._schema


@pytest.mark.parametrize("type_", _input_types(SCHEMA), ids=lambda t: t.name)
def test_same_answer_as_graphql_core(type_: GraphQLInputObjectType) -> None:
    rng = random.Random(type_.name)
    outcomes = set()
    for wrapped in (type_, GraphQLNonNull(type_), GraphQLList(GraphQLNonNull(type_))):
        compiled = coercion.coercer(wrapped)
        for _ in range(300):
            value = sample(wrapped, rng)
            expected = generic(value, wrapped)
            assert compiled(value) == expected, value
            outcomes.add(expected is Undefined)
    assert outcomes == {True, False}  # both valid and invalid values were tried


def test_installed_where_graphql_core_coerces_variables() -> None:
    from graphql.execution import values

    assert values.coerce_input_value is coercion.coerce_input_value
    assert values.input_is_nested_too_deeply is coercion.input_is_nested_too_deeply


def _nesting_schema() -> GraphQLSchema:
    node = GraphQLInputObjectType(
        "Node", lambda: {"value": GraphQLInputField(GraphQLInt), "next": GraphQLInputField(node)}
    )
    flat = GraphQLInputObjectType(
        "Flat", {"values": GraphQLInputField(GraphQLList(GraphQLList(GraphQLString)))}
    )
    return GraphQLSchema(
        GraphQLObjectType(
            "Query",
            {
                "depth": GraphQLField(
                    GraphQLInt,
                    args={"node": node, "flat": flat},  # type: ignore[dict-item]
                    resolve=lambda _, __, node=None, flat=None: _depth(node),
                )
            },
        )
    )


def _depth(node: dict[str, Any] | None) -> int:
    return 0 if node is None else 1 + _depth(node.get("next"))


def test_types_that_nest_themselves_are_still_checked_for_depth() -> None:
    schema = _nesting_schema()
    node, flat = schema.query_type.fields["depth"].args.values()  # type: ignore[union-attr]
    assert coercion.nesting_depth(node.type) == float("inf")
    assert coercion.nesting_depth(flat.type) == 3

    def nested(n: int) -> dict[str, Any]:
        value: dict[str, Any] = {"value": 0}
        for _ in range(n):
            value = {"value": 0, "next": value}
        return value

    query = "query($n: Node) { depth(node: $n) }"
    shallow = graphql_sync(schema, query, variable_values={"n": nested(10)})
    assert shallow.data == {"depth": 11}
    deep = graphql_sync(schema, query, variable_values={"n": nested(2000)})
    assert deep.errors and deep.errors[0].message == "Variable values are nested too deeply."
