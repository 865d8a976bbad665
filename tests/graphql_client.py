"""Sending real GraphQL documents to the app, as a phone would."""

from __future__ import annotations

import json
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
    response = await client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers=_headers(token, language),
    )
    assert response.status_code == 200, response.text
    body = response.json()
    if not expect_errors:
        assert "errors" not in body, body["errors"]
    return body


async def gql_upload(
    client: httpx.AsyncClient,
    query: str,
    variables: dict[str, Any],
    data: bytes,
    *,
    token: str | None = None,
    language: str | None = None,
    filename: str = "photo.jpg",
) -> dict[str, Any]:
    """POST a document with one file as its `$file` (a GraphQL multipart request, as a phone
    sends a photo); returns the whole response body, errors and all."""
    operations = {"query": query, "variables": {**variables, "file": None}}
    response = await client.post(
        "/graphql",
        data={"operations": json.dumps(operations), "map": json.dumps({"0": ["variables.file"]})},
        files={"0": (filename, data, "application/octet-stream")},
        headers=_headers(token, language),
    )
    assert response.status_code == 200, response.text
    return response.json()


def _headers(token: str | None, language: str | None) -> dict[str, str]:
    headers = {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if language:
        headers["Accept-Language"] = language
    return headers


def error_codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


def user_errors(payload: dict[str, Any]) -> list[tuple[str, str]]:
    """A mutation payload's `userErrors` as (field, code) pairs, in order."""
    return [(e["field"], e["code"]) for e in payload["userErrors"]]


def refused_fields(body: dict[str, Any]) -> set[str]:
    """The fields named by every error in a response: `userErrors` anywhere in its data
    (batch items too) and GraphQL errors' `extensions.field`."""
    fields = {e["extensions"].get("field") for e in body.get("errors", [])}

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                if key == "userErrors":
                    fields.update(e["field"] for e in inner)
                else:
                    walk(inner)
        elif isinstance(value, list):
            for inner in value:
                walk(inner)

    walk(body.get("data"))
    return fields - {None}
