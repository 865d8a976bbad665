"""Schemathesis in OpenAPI mode: generated requests for every REST route in the app's
/openapi.json (tiles, exports, media, health), anonymous and as an ADMIN. Never a 5xx."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.fuzz.support import FuzzWorld, fuzz_settings


@pytest.fixture(scope="module")
async def rest_operations(fuzz_world: FuzzWorld) -> list[Any]:
    response = await fuzz_world.client.get("/openapi.json")
    assert response.status_code == 200, response.text
    schema = schemathesis.openapi.from_dict(response.json())
    return [result.ok() for result in schema.get_all_operations()]


def _known_ids(case: Any, world: FuzzWorld, picks: list[int]) -> None:
    """Point uuid path parameters at records that exist, so the routes get past NOT_FOUND."""
    for name, index in zip(sorted(case.path_parameters or {}), picks, strict=False):
        parameter = case.operation.get_parameter(name, "path")
        if parameter is not None and parameter.definition.get("schema", {}).get("format") == "uuid":
            case.path_parameters[name] = world.pool.pick(index)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "admin"])
@fuzz_settings(examples=40, soak_examples=3000)
@given(data=st.data())
async def test_no_server_errors(
    data: st.DataObject, signed_in: bool, rest_operations: list[Any], fuzz_world: FuzzWorld
) -> None:
    rest_operation = data.draw(st.sampled_from(rest_operations), label="operation")
    mode = data.draw(st.sampled_from([GenerationMode.POSITIVE, GenerationMode.NEGATIVE]))
    case = data.draw(rest_operation.as_strategy(generation_mode=mode))
    if data.draw(st.booleans(), label="known ids"):
        _known_ids(case, fuzz_world, data.draw(st.lists(st.integers(0, 10_000), max_size=3)))
    request = case.as_transport_kwargs(base_url="http://testserver")
    headers = dict(request.get("headers") or {})
    if signed_in:
        headers["Authorization"] = f"Bearer {fuzz_world.admin_token}"
    response = await fuzz_world.client.request(
        request["method"],
        request["url"],
        params=request.get("params"),
        headers=headers,
    )
    assert response.status_code < 500, (response.status_code, request, response.text[:500])
