"""ETags on whole GET answers (a GraphQL query, a map tile, an export): weak, made from the
uncompressed body, so revalidating a gzip or brotli answer still gets a 304; If-None-Match
is compared weakly; a streamed export is sent untagged."""

from __future__ import annotations

import httpx
import orjson
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from api.web.compression import MINIMUM_SIZE
from tests.assets.helpers import CARMARTHEN, item, leader, sync
from tests.assets.test_tiles_exports import tile_of
from tests.graphql_client import operation

COUNTIES = {
    "query": operation("Counties"),
    "variables": orjson.dumps({"simplifyM": 500}).decode(),
}


async def _raw(client: httpx.AsyncClient, url: str, **headers: str) -> httpx.Response:
    """The GET's response with its body as sent (still compressed)."""
    wanted = {k.replace("_", "-"): v for k, v in headers.items()}
    async with client.stream("GET", url, headers=wanted) as response:
        response.raw_body = b"".join([chunk async for chunk in response.aiter_raw()])
    return response


async def _urls(client: httpx.AsyncClient, session: AsyncSession) -> tuple[str, dict[str, str]]:
    """A leader's token and, per kind of answer, a URL whose answer is compressed."""
    token = await leader(client, session)
    sent = [item(nameEn=f"Walking group {n}") for n in range(40)]
    assert len((await sync(client, token, sent))["data"]["syncAssets"]["results"]) == 40
    query = httpx.QueryParams(COUNTIES)
    return token, {
        "query": f"/graphql?{query}",
        "tile": tile_of(CARMARTHEN, 12),
        "export": "/exports/assets.geojson?limit=40",
    }


@pytest.mark.parametrize("encoding", ["gzip", "br"])
async def test_a_compressed_answer_has_a_weak_tag_that_revalidates(
    client: httpx.AsyncClient, session: AsyncSession, encoding: str
) -> None:
    token, urls = await _urls(client, session)
    auth = f"Bearer {token}"
    for kind, url in urls.items():
        plain = await _raw(client, url, authorization=auth, accept_encoding="identity")
        assert plain.status_code == 200, kind
        assert len(plain.raw_body) >= MINIMUM_SIZE, kind  # big enough to be compressed
        first = await _raw(client, url, authorization=auth, accept_encoding=encoding)
        assert first.headers["content-encoding"] == encoding, kind
        tag = first.headers["etag"]
        assert tag.startswith('W/"') and tag == plain.headers["etag"], kind
        again = await _raw(
            client, url, authorization=auth, accept_encoding=encoding, if_none_match=tag
        )
        assert (again.status_code, again.raw_body, again.headers["etag"]) == (304, b"", tag)
        # Weak comparison: the same tag without its W/, or among others, matches too.
        for sent in (tag.removeprefix("W/"), f'"other", {tag}', "*"):
            assert (
                await _raw(client, url, authorization=auth, if_none_match=sent)
            ).status_code == 304


async def test_without_compression_a_revalidation_is_answered_304(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, urls = await _urls(client, session)
    auth = f"Bearer {token}"
    for kind, url in urls.items():
        first = await _raw(client, url, authorization=auth, accept_encoding="identity")
        assert "content-encoding" not in first.headers, kind
        tag = first.headers["etag"]
        again = await _raw(
            client, url, authorization=auth, accept_encoding="identity", if_none_match=tag
        )
        assert (again.status_code, again.raw_body) == (304, b""), kind
        changed = await _raw(client, url, authorization=auth, if_none_match='W/"not-this"')
        assert changed.status_code == 200 and changed.headers["etag"] == tag, kind


async def test_a_streamed_export_is_not_tagged(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    token, _ = await _urls(client, session)
    response = await _raw(client, "/exports/assets.csv", authorization=f"Bearer {token}")
    assert response.status_code == 200 and "content-length" not in response.headers
    assert "etag" not in response.headers
