"""Schemathesis in GraphQL mode: generated queries and mutations for every root field of the
schema the app serves, anonymous and as an ADMIN. Whatever comes in, the answer is never a
5xx and never an INTERNAL error."""

from __future__ import annotations

from functools import cache
from typing import Any

import graphql
import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.graphql import nodes

from tests.fuzz.strategies import geojson_values
from tests.fuzz.support import SCHEMA_FILE, FuzzWorld, fuzz_settings

ROOTS = {"Query": "query", "Mutation": "mutation"}


def _root_fields() -> list[tuple[str, str]]:
    # The printed schema (a test keeps it equal to the served one) names the operations.
    schema = graphql.build_schema(SCHEMA_FILE.read_text())
    return [
        (root, name) for root in ROOTS for name in getattr(schema, f"{ROOTS[root]}_type").fields
    ]


@pytest.fixture(scope="module")
async def served_schema(fuzz_world: FuzzWorld) -> Any:
    """The schema as the app serves it at /graphql, with strategies for its own scalars."""
    response = await fuzz_world.client.post(
        "/graphql", json={"query": schemathesis.graphql.loaders.get_introspection_query()}
    )
    assert response.status_code == 200, response.text
    pool = fuzz_world.pool
    schemathesis.graphql.scalar(
        "UUID",
        st.one_of(
            st.integers(min_value=0, max_value=10_000).map(pool.pick), st.uuids().map(str)
        ).map(nodes.String),
    )
    schemathesis.graphql.scalar("GeoJSON", geojson_values())
    # A file can only arrive in a multipart request; inline it is a string or null.
    schemathesis.graphql.scalar("Upload", st.sampled_from([nodes.Null, nodes.String("file")]))
    schema = schemathesis.graphql.from_dict(response.json())

    @cache
    def cases(root: str, name: str, mode: GenerationMode) -> st.SearchStrategy[Any]:
        return schema[root][name].as_strategy(generation_mode=mode)

    return cases


def assert_no_server_error(response: Any, request: str) -> None:
    assert response.status_code < 500, (response.status_code, request, response.text)
    if response.headers.get("content-type", "").startswith("application/json"):
        codes = [
            (e.get("extensions") or {}).get("code") for e in response.json().get("errors") or []
        ]
        assert "INTERNAL" not in codes, (request, response.text)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
@pytest.mark.parametrize(("root", "name"), _root_fields())
@fuzz_settings(examples=3, soak_examples=200)
@given(data=st.data())
async def test_no_server_errors(
    data: st.DataObject,
    root: str,
    name: str,
    signed_in: bool,
    served_schema: Any,
    fuzz_world: FuzzWorld,
) -> None:
    mode = data.draw(st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]))
    case = data.draw(served_schema(root, name, mode))
    headers = {}
    if signed_in:
        # logout ends the session it is sent with: it gets one of its own.
        token = await fuzz_world.fresh_token() if name == "logout" else fuzz_world.admin_token
        headers["Authorization"] = f"Bearer {token}"
    response = await fuzz_world.client.post("/graphql", json={"query": case.body}, headers=headers)
    fuzz_world.pool.harvest(response.text)
    assert_no_server_error(response, case.body)
