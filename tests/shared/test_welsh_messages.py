"""Errors speak the request's language: Welsh where it has been written, else English."""

from __future__ import annotations

from tests.graphql_client import gql

TOO_MANY = "query { assets(first: 1000000) { edges { node { id } } } }"


async def _message(client, language: str | None) -> str:
    body = await gql(client, TOO_MANY, language=language, expect_errors=True)
    (error,) = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT", "field": "first"}
    return error["message"]


async def test_a_graphql_error_is_in_welsh_when_welsh_is_preferred(client) -> None:
    assert (await _message(client, "cy")).startswith("Rhaid i first fod rhwng 0 a ")
    assert (await _message(client, "en-GB,cy;q=0.5")).startswith("first must be between 0 and ")
    assert (await _message(client, None)).startswith("first must be between 0 and ")


async def test_a_rest_error_is_in_welsh_when_welsh_is_preferred(client) -> None:
    welsh = await client.get("/tiles/assets/23/0/0.mvt", headers={"Accept-Language": "cy"})
    english = await client.get("/tiles/assets/23/0/0.mvt")
    assert welsh.status_code == english.status_code == 400
    assert welsh.json()["error"]["message"].startswith("Mae'r chwyddo rhwng 0 a ")
    assert english.json()["error"]["message"].startswith("Zoom is between 0 and ")
