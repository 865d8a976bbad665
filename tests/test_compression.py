"""Compression above 1 KB: brotli when the client accepts it, else gzip; streamed exports
still go out chunk by chunk; ETags and 304s are unchanged by it."""

from __future__ import annotations

import asyncio
import csv
import gzip
import io
from typing import Any

import brotli
import httpx
import orjson
from sqlalchemy.ext.asyncio import AsyncSession

from tests.assets.helpers import item, leader, sync
from tests.graphql_client import operation

COUNTIES = {"query": operation("Counties"), "variables": {"simplifyM": 500}}


async def _raw(client: httpx.AsyncClient, method: str, url: str, **kw: Any) -> httpx.Response:
    """The response with its body as sent, still compressed."""
    async with client.stream(method, url, **kw) as response:
        response.raw_body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response


async def test_brotli_when_the_client_accepts_it(client: httpx.AsyncClient) -> None:
    response = await _raw(
        client, "POST", "/graphql", json=COUNTIES, headers={"Accept-Encoding": "gzip, br"}
    )
    assert response.headers["content-encoding"] == "br"
    assert "accept-encoding" in response.headers["vary"].lower()
    data = orjson.loads(brotli.decompress(response.raw_body))["data"]
    assert [c["code"] for c in data["counties"]] == ["W06000010", "W06000008", "W06000009"]


async def test_gzip_otherwise_and_nothing_for_small_answers(client: httpx.AsyncClient) -> None:
    zipped = await _raw(
        client, "POST", "/graphql", json=COUNTIES, headers={"Accept-Encoding": "gzip"}
    )
    plain = await _raw(
        client, "POST", "/graphql", json=COUNTIES, headers={"Accept-Encoding": "identity"}
    )
    small = await _raw(client, "GET", "/healthz", headers={"Accept-Encoding": "gzip, br"})
    assert zipped.headers["content-encoding"] == "gzip"
    assert gzip.decompress(zipped.raw_body) == plain.raw_body
    assert len(zipped.raw_body) < len(plain.raw_body) / 2
    assert "content-encoding" not in plain.headers
    assert "content-encoding" not in small.headers


async def test_a_get_query_keeps_its_etag_under_brotli(client: httpx.AsyncClient) -> None:
    params = {"query": COUNTIES["query"], "variables": orjson.dumps(COUNTIES["variables"]).decode()}
    first = await _raw(client, "GET", "/graphql", params=params, headers={"Accept-Encoding": "br"})
    assert first.headers["content-encoding"] == "br"
    again = await _raw(
        client,
        "GET",
        "/graphql",
        params=params,
        headers={"Accept-Encoding": "br", "If-None-Match": first.headers["etag"]},
    )
    assert (again.status_code, again.raw_body) == (304, b"")


async def test_a_streamed_export_still_streams_compressed(
    app: Any, client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token = await leader(client, session)
    items = [item(nameEn=f"Group {n}") for n in range(40)]
    assert len((await sync(client, token, items))["data"]["syncAssets"]["results"]) == 40
    messages: list[dict[str, Any]] = []
    requests = [{"type": "http.request", "body": b"", "more_body": False}]
    sent = asyncio.Event()

    async def receive() -> dict[str, Any]:
        if requests:
            return requests.pop()
        await sent.wait()  # the client stays until the whole answer is in
        return {"type": "http.disconnect"}

    async def send(message: dict[str, Any]) -> None:
        messages.append(message)
        if message["type"] == "http.response.body" and not message.get("more_body"):
            sent.set()

    headers = [(b"accept-encoding", b"br"), (b"authorization", f"Bearer {token}".encode())]
    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": "/exports/assets.csv",
        "raw_path": b"/exports/assets.csv",
        "query_string": b"",
        "headers": [(b"host", b"testserver"), *headers],
        "client": ("203.0.113.7", 50000),
        "server": ("testserver", 80),
    }
    await app(scope, receive, send)
    start, *bodies = messages
    assert dict(start["headers"])[b"content-encoding"] == b"br"
    assert len([b for b in bodies if b.get("more_body")]) > 2  # not gathered into one
    text = brotli.decompress(b"".join(b["body"] for b in bodies)).decode()
    names = {row["name_en"] for row in csv.DictReader(io.StringIO(text))}
    assert names >= {i["nameEn"] for i in items}
