"""Sending real GraphQL documents to the app, as a phone would."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

OPERATIONS = Path(__file__).resolve().parent.parent / "graphql" / "operations"


def operation(name: str) -> str:
    return (OPERATIONS / f"{name}.graphql").read_text()


async def gql(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    language: str | None = None,
    expect_errors: bool = False,
) -> dict[str, Any]:
    """POST a document; returns the whole response body. Fails on unexpected errors."""
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if language:
        headers["Accept-Language"] = language
    response = await client.post(
        "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
    )
    assert response.status_code == 200, response.text
    body = response.json()
    if not expect_errors:
        assert "errors" not in body, body["errors"]
    return body


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]
